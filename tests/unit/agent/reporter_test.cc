#include "agent/reporter.h"

#include <gtest/gtest.h>

#include "fake_client.h"
#include "support/eventually.h"

namespace shoal::agent {
namespace {

using namespace std::chrono_literals;
using api::TaskState;
using ::shoal::testing::eventually;
using testing::FakeClient;

api::TaskStatus status(TaskState state) {
  api::TaskStatus s;
  s.State = state;
  return s;
}

const Timestamp kStart = Timestamp::from_unix_nanos(1'700'000'000'000'000'000);

// The reporter's clock is a ManualClock: the batch window (1 s) and the retry delays (1 s,
// then 2 s) pass only when a test advances it. The sender always sleeps on that clock, so
// clock_.earliest_deadline() says what it waits for: seeing a new deadline proves it has
// taken in everything before.
class ReporterTest : public ::testing::Test {
 protected:
  void SetUp() override { reporter_.start(); }
  void TearDown() override { reporter_.stop(); }

  // True once the sender sleeps until `t` (eventually: it runs on its own thread).
  bool sender_sleeps_until(Timestamp t) {
    return eventually([&] { return clock_.earliest_deadline() == t; });
  }

  ManualClock clock_{kStart};
  FakeClient client_;
  std::vector<std::string> lost_sessions_;
  std::mutex lost_mu_;
  Reporter reporter_{
      client_, clock_,
      ReporterOptions{.batch_window = 1s, .max_batch = 10000, .retry = {1s, 2s, 2.0, 0.0}},
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
  ASSERT_TRUE(sender_sleeps_until(kStart + 1s));  // the batch window
  clock_.advance(1s - 1ns);
  EXPECT_EQ(clock_.earliest_deadline(), kStart + 1s);  // not woken
  clock_.advance(1ns);
  // The window is over, but without a session the sender goes back to sleep with nothing
  // due, having sent nothing.
  ASSERT_TRUE(sender_sleeps_until(Timestamp::max()));
  EXPECT_EQ(client_.report_attempts(), 0);
  EXPECT_EQ(reporter_.unacknowledged(), 2u);

  reporter_.set_session("s1");
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return !c.reports_.empty(); }));
  ASSERT_TRUE(eventually([&] { return reporter_.unacknowledged() == 0; }));
  ASSERT_EQ(client_.reports_sent(), 1u);
  const protocol::UpdateTaskStatusRequest& sent = client_.reports_.front();
  EXPECT_EQ(sent.SessionID, "s1");
  ASSERT_EQ(sent.Updates.size(), 2u);
  for (const auto& u : sent.Updates) EXPECT_EQ(u.Status.State, TaskState::kRunning) << u.TaskID;
}

TEST_F(ReporterTest, SendsWhenTheBatchWindowEndsAndNotBefore) {
  reporter_.set_session("s1");
  reporter_.task_status_changed("a", status(TaskState::kRunning));
  ASSERT_TRUE(sender_sleeps_until(kStart + 1s));
  clock_.advance(500ms);
  reporter_.task_status_changed("b", status(TaskState::kRunning));  // joins the open window
  clock_.advance(500ms - 1ns);
  EXPECT_EQ(clock_.earliest_deadline(), kStart + 1s);
  EXPECT_EQ(client_.report_attempts(), 0);
  clock_.advance(1ns);
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return c.reports_.size() == 1; }));
  EXPECT_EQ(client_.reports_.front().Updates.size(), 2u);
}

TEST_F(ReporterTest, RetriesAFailedSendWhenItsBackoffEnds) {
  client_.fail_reports(Status(Code::kInternal, "disk full"), 2);
  reporter_.set_session("s1");
  reporter_.task_status_changed("a", status(TaskState::kRunning));
  ASSERT_TRUE(sender_sleeps_until(kStart + 1s));
  clock_.advance(1s);
  // First failure: retried 1 s later.
  ASSERT_TRUE(sender_sleeps_until(kStart + 2s));
  EXPECT_EQ(client_.report_attempts(), 1);
  clock_.advance(1s - 1ns);
  EXPECT_EQ(clock_.earliest_deadline(), kStart + 2s);
  EXPECT_EQ(client_.report_attempts(), 1);
  clock_.advance(1ns);
  // Second failure: the delay doubles.
  ASSERT_TRUE(sender_sleeps_until(kStart + 4s));
  EXPECT_EQ(client_.report_attempts(), 2);
  clock_.advance(2s);
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return c.reports_.size() == 1; }));
  EXPECT_EQ(client_.report_attempts(), 3);
  EXPECT_EQ(client_.reports_.front().Updates.front().TaskID, "a");
}

TEST_F(ReporterTest, SessionErrorsEndTheSessionAndKeepTheReports) {
  client_.fail_reports(Status(Code::kInvalidArgument, protocol::kSessionInvalid));
  reporter_.set_session("s1");
  reporter_.task_status_changed("a", status(TaskState::kRunning));
  ASSERT_TRUE(sender_sleeps_until(kStart + 1s));
  clock_.advance(1s);
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return c.attempts_ == 1; }));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(lost_mu_);
    return lost_sessions_ == std::vector<std::string>{"s1"};
  }));
  EXPECT_EQ(reporter_.unacknowledged(), 1u);
  // The kept report opens a new batch window; no backoff after a session error.
  reporter_.set_session("s2");
  ASSERT_TRUE(sender_sleeps_until(kStart + 2s));
  clock_.advance(1s);
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return c.reports_.size() == 1; }));
  EXPECT_EQ(client_.reports_.front().SessionID, "s2");
}

TEST_F(ReporterTest, SplitsLargeBatches) {
  reporter_.stop();
  Reporter small(client_, clock_, ReporterOptions{.batch_window = 1s, .max_batch = 3}, nullptr);
  small.start();
  for (int i = 0; i < 7; ++i)
    small.task_status_changed("t" + std::to_string(i), status(TaskState::kRunning));
  small.set_session("s1");
  ASSERT_TRUE(sender_sleeps_until(kStart + 1s));
  clock_.advance(1s);  // the rest is sent at once, without a window of its own
  ASSERT_TRUE(client_.wait([](FakeClient& c) {
    size_t n = 0;
    for (const auto& r : c.reports_) n += r.Updates.size();
    return n == 7;
  }));
  for (const auto& r : client_.reports_) EXPECT_LE(r.Updates.size(), 3u);
  small.stop();
}

TEST(SessionErrorTest, Classifies) {
  EXPECT_TRUE(is_session_error(Status(Code::kInvalidArgument, protocol::kSessionInvalid)));
  EXPECT_TRUE(is_session_error(Status(Code::kNotFound, "node not registered")));
  EXPECT_FALSE(is_session_error(Status(Code::kInvalidArgument, "bad request")));
  EXPECT_FALSE(is_session_error(Status(Code::kUnavailable, "dispatcher is stopped")));
}

}  // namespace
}  // namespace shoal::agent
