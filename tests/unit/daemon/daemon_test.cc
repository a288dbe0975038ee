#include "daemon/daemon.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "../http/test_client.h"
#include "store/store.h"

namespace shoal::daemon {
namespace {

using http::testing::TestClient;

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shoal-daemon-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    opts_.data_dir = dir_ + "/data";
    opts_.socket_path = dir_ + "/run/shoal.sock";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  DaemonOptions opts_;
};

TEST_F(DaemonTest, StartsServesAndStopsCleanly) {
  auto d = Daemon::start(opts_);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  struct stat st {};
  ASSERT_EQ(::stat(opts_.data_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(opts_.socket_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  EXPECT_TRUE(std::filesystem::exists(opts_.data_dir + "/shoal.lock"));
  EXPECT_TRUE(std::filesystem::exists(opts_.socket_path + ".lock"));
  EXPECT_EQ((*d)->store().revision(), 0u);

  {
    TestClient c(opts_.socket_path);
    auto res = c.request("GET", "/_ping");
    EXPECT_EQ(res.body(), "OK");
    EXPECT_EQ(res["Swarm"], "inactive");
  }
  (*d)->stop();
  EXPECT_FALSE(std::filesystem::exists(opts_.socket_path));
  (*d)->stop();
  // Everything released: a new daemon starts on the same paths.
  auto again = Daemon::start(opts_);
  EXPECT_TRUE(again.is_ok()) << again.status().to_string();
}

TEST_F(DaemonTest, ALooserDataDirIsTightenedTo0700AndGetsADataKey) {
  ASSERT_EQ(::mkdir(opts_.data_dir.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(opts_.data_dir.c_str(), 0755), 0);
  auto d = Daemon::start(opts_);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  struct stat st {};
  ASSERT_EQ(::stat(opts_.data_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat((opts_.data_dir + "/keys/data.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, 32);
}

TEST_F(DaemonTest, SecondDaemonOnSameDataDirOrSocketIsRefused) {
  auto first = Daemon::start(opts_);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();

  DaemonOptions same_data = opts_;
  same_data.socket_path = dir_ + "/run/other.sock";
  auto second = Daemon::start(same_data);
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().code(), Code::kConflict);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(getpid())), std::string::npos);
  EXPECT_NE(second.status().message().find(opts_.data_dir + "/shoal.lock"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(same_data.socket_path));

  DaemonOptions same_socket = opts_;
  same_socket.data_dir = dir_ + "/data2";
  auto third = Daemon::start(same_socket);
  ASSERT_FALSE(third.is_ok());
  EXPECT_EQ(third.status().code(), Code::kConflict);
  EXPECT_NE(third.status().message().find(opts_.socket_path + ".lock"), std::string::npos);
  // The refused daemon left the first one's socket alone.
  TestClient c(opts_.socket_path);
  EXPECT_EQ(c.request("GET", "/_ping").body(), "OK");
}

TEST_F(DaemonTest, StaleSocketFileIsTakenOver) {
  std::filesystem::create_directories(dir_ + "/run");
  // A socket file nobody listens on, as a kill -9'd daemon leaves it.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, opts_.socket_path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
  ASSERT_TRUE(std::filesystem::exists(opts_.socket_path));

  auto d = Daemon::start(opts_);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  TestClient c(opts_.socket_path);
  EXPECT_EQ(c.request("GET", "/_ping").body(), "OK");
}

TEST_F(DaemonTest, BadSocketPathFailsAndReleasesLocks) {
  opts_.socket_path = dir_ + "/" + std::string(120, 's');
  auto d = Daemon::start(opts_);
  ASSERT_FALSE(d.is_ok());
  EXPECT_EQ(d.status().code(), Code::kInvalidArgument);
  opts_.socket_path = dir_ + "/ok.sock";
  EXPECT_TRUE(Daemon::start(opts_).is_ok());
}

}  // namespace
}  // namespace shoal::daemon
