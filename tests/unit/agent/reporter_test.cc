#include "agent/reporter.h"

#include <gtest/gtest.h>

#include <thread>

#include "fake_client.h"

namespace shoal::agent {
namespace {

using namespace std::chrono_literals;
using api::TaskState;
using testing::FakeClient;

api::TaskStatus status(TaskState state) {
  api::TaskStatus s;
  s.State = state;
  return s;
}

class ReporterTest : public ::testing::Test {
 protected:
  void SetUp() override { reporter_.start(); }
  void TearDown() override { reporter_.stop(); }

  FakeClient client_;
  std::vector<std::string> lost_sessions_;
  std::mutex lost_mu_;
  Reporter reporter_{client_, ReporterOptions{.batch_window = 1ms, .max_batch = 10000, .retry = {1ms, 2ms, 2.0, 0.0}},
                     [this](const std::string& s) {
                       std::lock_guard lock(lost_mu_);
                       lost_sessions_.push_back(s);
                     }};
};

TEST_F(ReporterTest, HoldsReportsUntilASessionThenSendsOneMergedBatch) {
  reporter_.task_status_changed("a", status(TaskState::kAccepted));
  reporter_.task_status_changed("a", status(TaskState::kRunning));
  reporter_.task_status_changed("a", status(TaskState::kPreparing));  // late, stale
  reporter_.task_status_changed("b", status(TaskState::kRunning));
  std::this_thread::sleep_for(10ms);
  EXPECT_EQ(reporter_.unacknowledged(), 2u);
  reporter_.set_session("s1");
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return !c.reports_.empty(); }));
  ASSERT_TRUE(client_.wait([&](FakeClient&) { return reporter_.unacknowledged() == 0; }));
  ASSERT_EQ(client_.reports_.size(), 1u);
  const UpdateTaskStatusRequest& sent = client_.reports_.front();
  EXPECT_EQ(sent.SessionID, "s1");
  ASSERT_EQ(sent.Updates.size(), 2u);
  for (const auto& u : sent.Updates) EXPECT_EQ(u.Status.State, TaskState::kRunning) << u.TaskID;
}

TEST_F(ReporterTest, RetriesFailedSends) {
  client_.fail_reports(Status(Code::kInternal, "disk full"), 2);
  reporter_.set_session("s1");
  reporter_.task_status_changed("a", status(TaskState::kRunning));
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return c.reports_.size() == 1; }));
  EXPECT_EQ(client_.attempts_, 3);
  EXPECT_EQ(client_.reports_.front().Updates.front().TaskID, "a");
}

TEST_F(ReporterTest, SessionErrorsEndTheSessionAndKeepTheReports) {
  client_.fail_reports(Status(Code::kInvalidArgument, kSessionInvalid));
  reporter_.set_session("s1");
  reporter_.task_status_changed("a", status(TaskState::kRunning));
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return c.attempts_ == 1; }));
  ASSERT_TRUE(client_.wait([&](FakeClient&) {
    std::lock_guard lock(lost_mu_);
    return lost_sessions_ == std::vector<std::string>{"s1"};
  }));
  EXPECT_EQ(reporter_.unacknowledged(), 1u);
  reporter_.set_session("s2");
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return c.reports_.size() == 1; }));
  EXPECT_EQ(client_.reports_.front().SessionID, "s2");
}

TEST_F(ReporterTest, SplitsLargeBatches) {
  reporter_.stop();
  Reporter small(client_, ReporterOptions{.batch_window = 1ms, .max_batch = 3}, nullptr);
  small.start();
  for (int i = 0; i < 7; ++i) small.task_status_changed("t" + std::to_string(i), status(TaskState::kRunning));
  small.set_session("s1");
  ASSERT_TRUE(client_.wait([](FakeClient& c) {
    size_t n = 0;
    for (const auto& r : c.reports_) n += r.Updates.size();
    return n == 7;
  }));
  for (const auto& r : client_.reports_) EXPECT_LE(r.Updates.size(), 3u);
  small.stop();
}

TEST(SessionErrorTest, Classifies) {
  EXPECT_TRUE(is_session_error(Status(Code::kInvalidArgument, kSessionInvalid)));
  EXPECT_TRUE(is_session_error(Status(Code::kNotFound, "node not registered")));
  EXPECT_FALSE(is_session_error(Status(Code::kInvalidArgument, "bad request")));
  EXPECT_FALSE(is_session_error(Status(Code::kUnavailable, "dispatcher is stopped")));
}

}  // namespace
}  // namespace shoal::agent
