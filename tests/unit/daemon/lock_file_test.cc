#include "daemon/lock_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace shoal::daemon {
namespace {

class LockFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shoal-lock-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(LockFileTest, SecondHolderIsRefusedWithPidAndPath) {
  std::string path = dir_ + "/shoal.lock";
  auto first = LockFile::acquire(path, "data dir " + dir_);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  std::ifstream in(path);
  std::string pid;
  in >> pid;
  EXPECT_EQ(pid, std::to_string(getpid()));

  // flock conflicts between open file descriptions, even within one process.
  auto second = LockFile::acquire(path, "data dir " + dir_);
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().code(), Code::kConflict);
  EXPECT_EQ(second.status().message(), "another shoal daemon (pid " + std::to_string(getpid()) +
                                           ") is using data dir " + dir_ + " (lock " + path + ")");

  first->release();
  first->release();
  EXPECT_TRUE(LockFile::acquire(path, "x").is_ok());
}

TEST_F(LockFileTest, LockOfADeadProcessIsFree) {
  std::string path = dir_ + "/shoal.lock";
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto l = LockFile::acquire(path, "x");
    _exit(l.is_ok() ? 0 : 1);  // dies holding it, as a crashed daemon
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto l = LockFile::acquire(path, "x");
  EXPECT_TRUE(l.is_ok()) << l.status().to_string();
}

TEST_F(LockFileTest, UnopenableFileIsInternal) {
  auto l = LockFile::acquire(dir_ + "/missing/dir/shoal.lock", "x");
  ASSERT_FALSE(l.is_ok());
  EXPECT_EQ(l.status().code(), Code::kInternal);
}

}  // namespace
}  // namespace shoal::daemon
