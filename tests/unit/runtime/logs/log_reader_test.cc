#include "runtime/logs/log_reader.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "runtime/logs/json_encode.h"
#include "runtime/monitor_protocol.h"
#include "runtime/task_meta.h"

namespace shoal::runtime::logs {
namespace {
namespace fs = std::filesystem;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kSecond;

class LogReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shoal-logs-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path add_task(const std::string& id, const std::string& service) {
    fs::path dir = root_ / id;
    fs::create_directories(dir);
    TaskMeta meta;
    meta.TaskID = id;
    meta.ServiceID = service;
    meta.NodeID = "node1";
    meta.Prepared = true;
    EXPECT_TRUE(write_task_meta(dir, meta).is_ok());
    return dir;
  }
  static void append(const fs::path& dir, std::string_view file, std::string_view log, int64_t t,
                     Stream s = Stream::kStdout) {
    std::string line;
    append_json_line(line, log, s, t);
    std::ofstream(dir / file, std::ios::app) << line;
  }
  std::vector<LogMessage> read_all(const LogSelector& sel, const LogOptions& o) {
    std::vector<LogMessage> got;
    LogReader reader(root_);
    EXPECT_TRUE(reader
                    .read(sel, o,
                          [&](const LogMessage& m) {
                            got.push_back(m);
                            return true;
                          },
                          {})
                    .is_ok());
    return got;
  }
  static std::vector<std::string> lines(const std::vector<LogMessage>& msgs) {
    std::vector<std::string> out;
    for (const auto& m : msgs) out.push_back(m.entry.log);
    return out;
  }

  fs::path root_;
};

TEST_F(LogReaderTest, ServiceLogsMergeTasksInTimeOrder) {
  fs::path a = add_task("taskA", "svc"), b = add_task("taskB", "svc"),
           c = add_task("taskC", "other");
  append(a, monitor::kLogFile, "a1\n", kT0 + 1);
  append(b, monitor::kLogFile, "b1\n", kT0 + 2);
  append(a, monitor::kLogFile, "a2\n", kT0 + 3);
  append(c, monitor::kLogFile, "c1\n", kT0 + 4);
  auto got = read_all({"svc", ""}, {});
  EXPECT_EQ(lines(got), (std::vector<std::string>{"a1\n", "b1\n", "a2\n"}));
  EXPECT_EQ(got[1].task_id, "taskB");
  EXPECT_EQ(got[1].service_id, "svc");
  EXPECT_EQ(got[1].node_id, "node1");
}

TEST_F(LogReaderTest, StreamsSinceAndTailPerTask) {
  fs::path a = add_task("taskA", "svc"), b = add_task("taskB", "svc");
  for (int i = 0; i < 5; ++i) {
    append(a, monitor::kLogFile, "a" + std::to_string(i) + "\n", kT0 + i * kSecond,
           i % 2 ? Stream::kStderr : Stream::kStdout);
    append(b, monitor::kLogFile, "b" + std::to_string(i) + "\n", kT0 + i * kSecond + 1);
  }
  LogOptions only_err;
  only_err.stdout_lines = false;
  EXPECT_EQ(lines(read_all({"", "taskA"}, only_err)), (std::vector<std::string>{"a1\n", "a3\n"}));
  LogOptions tail2;
  tail2.tail = 2;
  EXPECT_EQ(lines(read_all({"svc", ""}, tail2)),
            (std::vector<std::string>{"a3\n", "b3\n", "a4\n", "b4\n"}));
  LogOptions tail0;
  tail0.tail = 0;
  EXPECT_TRUE(read_all({"svc", ""}, tail0).empty());
  LogOptions since;
  since.since = Timestamp::from_unix_nanos(kT0 + 3 * kSecond);
  EXPECT_EQ(lines(read_all({"", "taskA"}, since)), (std::vector<std::string>{"a3\n", "a4\n"}));
}

TEST_F(LogReaderTest, ReadsTheRotatedFileFirstAndSkipsGarbage) {
  fs::path a = add_task("taskA", "svc");
  append(a, monitor::kRotatedLogFile, "old\n", kT0);
  std::ofstream(a / std::string(monitor::kLogFile), std::ios::app) << "not json\n";
  append(a, monitor::kLogFile, "new\n", kT0 + 1);
  std::ofstream(a / std::string(monitor::kLogFile), std::ios::app) << "{\"log\":\"partial";
  EXPECT_EQ(lines(read_all({"", "taskA"}, {})), (std::vector<std::string>{"old\n", "new\n"}));
}

TEST_F(LogReaderTest, FollowSeesNewLinesNewTasksAndRotationThenStops) {
  fs::path a = add_task("taskA", "svc");
  append(a, monitor::kLogFile, "first\n", kT0);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> got;
  std::stop_source stop;
  LogOptions follow;
  follow.follow = true;
  LogReader reader(root_);
  Status result;
  std::thread t([&] {
    result = reader.read(
        {"svc", ""}, follow,
        [&](const LogMessage& m) {
          std::lock_guard lock(mu);
          got.push_back(m.entry.log);
          cv.notify_all();
          return true;
        },
        stop.get_token());
  });
  struct Joiner {
    std::stop_source& stop;
    std::thread& thread;
    ~Joiner() {
      stop.request_stop();
      if (thread.joinable()) thread.join();
    }
  } joiner{stop, t};
  auto wait_for = [&](size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(20), [&] { return got.size() >= n; });
  };
  ASSERT_TRUE(wait_for(1));
  append(a, monitor::kLogFile, "second\n", kT0 + 1);
  ASSERT_TRUE(wait_for(2));
  fs::path b = add_task("taskB", "svc");  // a task that starts later
  append(b, monitor::kLogFile, "from b\n", kT0 + 2);
  ASSERT_TRUE(wait_for(3));
  fs::rename(a / std::string(monitor::kLogFile), a / std::string(monitor::kRotatedLogFile));
  append(a, monitor::kLogFile, "after rotation\n", kT0 + 3);
  ASSERT_TRUE(wait_for(4));
  stop.request_stop();
  t.join();
  EXPECT_TRUE(result.is_ok());
  EXPECT_EQ(got, (std::vector<std::string>{"first\n", "second\n", "from b\n", "after rotation\n"}));
}

TEST_F(LogReaderTest, FollowingAnExitedTaskEnds) {
  fs::path a = add_task("taskA", "svc");
  append(a, monitor::kLogFile, "bye\n", kT0);
  std::ofstream(a / std::string(monitor::kExitFile)) << "0 0 1\n";
  LogOptions follow;
  follow.follow = true;
  EXPECT_EQ(lines(read_all({"", "taskA"}, follow)), (std::vector<std::string>{"bye\n"}));
}

}  // namespace
}  // namespace shoal::runtime::logs
