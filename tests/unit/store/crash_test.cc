// Crash test: a child process commits objects one transaction each to a SQLite data dir and
// reports every acknowledged ID on a pipe; the parent SIGKILLs it at a random moment, reopens
// the store and checks that every acknowledged object is there with identical content. The
// child's datastore snapshots every ~32 KiB of log, so kills also hit snapshot writes.
//
// The child is this test binary re-executed with --gtest_filter on the disabled helper test
// below (a fresh process: no state shared with the parent but the data dir).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fixtures.h"
#include "store/datastore/sqlite.h"
#include "store/store.h"
#include "support/eventually.h"
#include "temp_dir.h"

extern char** environ;

namespace shoal::store {
namespace {

using namespace std::chrono_literals;

constexpr int kObjects = 1000;
constexpr int kRounds = 6;
constexpr auto kTimeout = 60s;  // for the child to report or die
constexpr int64_t kClockNanos = 1'700'000'000'000'000'000;

std::string task_id(int i) { return "task" + std::to_string(100000 + i); }

// Object i as the child creates it (one spec shared by all, content unique per task).
api::Task make_object(int i) {
  static const auto spec = testing::make_spec("busybox:crash");
  api::Task task = testing::make_task(task_id(i), "svc" + std::to_string(i % 7), i + 1,
                                      "node" + std::to_string(i % 13), spec);
  task.Status.Message = "message of task " + std::to_string(i);
  task.Labels["i"] = std::to_string(i);
  return task;
}

// Object i as a reopened store must hold it: stamped by commit i + 1.
std::string expected_json(int i) {
  api::Task task = make_object(i);
  task.Version.Index = static_cast<uint64_t>(i) + 1;
  task.CreatedAt = Timestamp::from_unix_nanos(kClockNanos);
  task.UpdatedAt = task.CreatedAt;
  return testing::json_of(task);
}

// The child: commits kObjects tasks, one transaction each, writing "<ID>\n" to the pipe after
// each acknowledgement.
TEST(CrashTest, DISABLED_ChildHelper) {
  const char* dir = std::getenv("SHOAL_CRASH_DIR");
  const char* fd_text = std::getenv("SHOAL_CRASH_FD");
  ASSERT_TRUE(dir != nullptr && fd_text != nullptr);
  int fd = std::atoi(fd_text);
  // Small snapshots, so that kills also land while snapshots are written and replaced.
  SqliteDatastore::Options options;
  options.min_snapshot_log_bytes = 32 << 10;
  auto ds = SqliteDatastore::open(dir, options);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  auto clock = std::make_shared<ManualClock>(Timestamp::from_unix_nanos(kClockNanos));
  auto store = Store::open(std::move(ds).value(), clock);
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  for (int i = 0; i < kObjects; ++i) {
    Status s = (*store)->update([&](WriteTxn& tx) { return tx.create(make_object(i)); });
    ASSERT_TRUE(s.is_ok()) << s.to_string();
    std::string line = task_id(i) + "\n";
    ASSERT_EQ(::write(fd, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  }
}

class Child {
 public:
  // Starts the helper with the pipe's write end as its report channel.
  Child(const std::string& dir) {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read_fd_ = fds[0];
    int write_fd = fds[1];
    // Everything the child needs is built before fork().
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    env_strings.push_back("SHOAL_CRASH_DIR=" + dir);
    env_strings.push_back("SHOAL_CRASH_FD=" + std::to_string(write_fd));
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string exe = "/proc/self/exe";
    std::string filter = "--gtest_filter=CrashTest.DISABLED_ChildHelper";
    std::string disabled = "--gtest_also_run_disabled_tests";
    std::vector<char*> argv = {exe.data(), filter.data(), disabled.data(), nullptr};
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(write_fd, write_fd + 0);  // keep it; clear O_CLOEXEC below
      ::fcntl(write_fd, F_SETFD, 0);
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      ::execve(exe.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(write_fd);
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(read_fd_);
  }

  // Reads acknowledged IDs until `count` are known, the child ends, or the deadline passes.
  // Returns false on timeout.
  bool read_until(size_t count, std::chrono::steady_clock::time_point deadline) {
    while (acked_.size() < count) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{read_fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(read_fd_, buf, sizeof buf);
      if (n <= 0) return true;  // the child is gone
      partial_.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = partial_.find('\n')) != std::string::npos) {
        acked_.push_back(partial_.substr(0, nl));
        partial_.erase(0, nl + 1);
      }
    }
    return true;
  }

  // SIGKILLs the child and reaps it (within the deadline), then drains the pipe: whatever the
  // child wrote before dying was acknowledged. Returns false on timeout.
  bool kill_and_drain(std::chrono::steady_clock::time_point deadline) {
    ::kill(pid_, SIGKILL);
    const bool reaped =
        ::shoal::testing::eventually([&] { return ::waitpid(pid_, nullptr, WNOHANG) == pid_; },
                                     deadline - std::chrono::steady_clock::now());
    if (!reaped) return false;
    pid_ = -1;
    return read_until(kObjects + 1, deadline);  // stops at EOF
  }

  const std::vector<std::string>& acked() const { return acked_; }

 private:
  pid_t pid_ = -1;
  int read_fd_ = -1;
  std::string partial_;
  std::vector<std::string> acked_;
};

TEST(CrashTest, AcknowledgedWritesSurviveSigkill) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    testing::TempDir dir;
    size_t kill_after = std::uniform_int_distribution<size_t>(1, kObjects - 1)(rng);
    auto extra = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 400)(rng));
    auto deadline = std::chrono::steady_clock::now() + kTimeout;
    {
      Child child(dir.path());
      ASSERT_TRUE(child.read_until(kill_after, deadline)) << "child too slow";
      // Real time on purpose: the kill lands at a random point of the child's next
      // writes (mid-transaction, mid-fsync), which only a wall-clock delay can place.
      std::this_thread::sleep_for(extra);
      ASSERT_TRUE(child.kill_and_drain(deadline)) << "child did not die";
      const auto& acked = child.acked();
      ASSERT_GE(acked.size(), kill_after);

      auto ds = SqliteDatastore::open(dir.path());
      ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
      auto clock = std::make_shared<ManualClock>(Timestamp::from_unix_nanos(kClockNanos));
      auto store = Store::open(std::move(ds).value(), clock);
      ASSERT_TRUE(store.is_ok()) << store.status().to_string();
      auto view = (*store)->view();
      // Every acknowledged object, with identical content; at most one more (the commit in
      // flight when the child died); nothing else.
      for (size_t i = 0; i < acked.size(); ++i) {
        ASSERT_EQ(acked[i], task_id(static_cast<int>(i)));
        auto task = view.get<api::Task>(acked[i]);
        ASSERT_TRUE(task) << acked[i] << " was acknowledged but is lost";
        EXPECT_EQ(testing::json_of(*task), expected_json(static_cast<int>(i)));
      }
      uint64_t revision = view.revision();
      EXPECT_TRUE(revision == acked.size() || revision == acked.size() + 1) << revision;
      EXPECT_EQ(view.count<api::Task>(), revision);
      if (revision == acked.size() + 1) {
        auto extra_task = view.get<api::Task>(task_id(static_cast<int>(acked.size())));
        ASSERT_TRUE(extra_task);
        EXPECT_EQ(testing::json_of(*extra_task), expected_json(static_cast<int>(acked.size())));
      }
    }
  }
}

}  // namespace
}  // namespace shoal::store
