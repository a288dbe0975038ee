#include "agent/agent.h"

#include <gtest/gtest.h>

#include "fake_client.h"
#include "fake_executor.h"
#include "tasks.h"

namespace shoal::agent {
namespace {

using namespace std::chrono_literals;
using api::TaskState;
using testing::FakeClient;
using testing::FakeExecutor;
using testing::task;

protocol::AssignmentsMessage message(protocol::AssignmentsType type, std::string applies_to,
                                     std::string results_in,
                                     std::vector<std::shared_ptr<const api::Task>> tasks) {
  protocol::AssignmentsMessage m{type, std::move(applies_to), std::move(results_in), {}};
  for (auto& t : tasks) m.Changes.push_back({protocol::AssignmentAction::kUpdate, std::move(t)});
  return m;
}

// Whether a report with task `id` in `state` reached the client.
bool reported(const FakeClient& c, const std::string& id, TaskState state) {
  for (const auto& r : c.reports_) {
    for (const auto& u : r.Updates) {
      if (u.TaskID == id && u.Status.State == state) return true;
    }
  }
  return false;
}

class AgentTest : public ::testing::Test {
 protected:
  void start() { ASSERT_TRUE(agent_.start().is_ok()); }

  ManualClock clock_{Timestamp::from_unix_nanos(1'700'000'000'000'000'000)};
  FakeClient client_;
  FakeExecutor executor_;
  Agent agent_{client_, executor_, clock_,
               // clock_ never moves: a zero batch window sends each change at once.
               AgentOptions{.node_id = "n1",
                            .worker = {.threads = 2},
                            .reporter = {.batch_window = 0ms},
                            .reconnect = {1ms, 5ms, 2.0, 0.0}}};
};

TEST_F(AgentTest, RegistersWithItsDescriptionAndRunsAssignments) {
  start();
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return !c.streams_.empty(); }));
  EXPECT_EQ(client_.session_requests_.front().NodeID, "n1");
  EXPECT_EQ(client_.session_requests_.front().Description.Hostname, "fake");
  EXPECT_FALSE(client_.session_requests_.front().Description.Engine.EngineVersion.empty());
  EXPECT_EQ(client_.stream_sessions_.front(), "session-1");
  client_.stream(0)->push(message(protocol::AssignmentsType::kComplete, "", "1", {task("a")}));
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return reported(c, "a", TaskState::kRunning); }));
  EXPECT_EQ(agent_.session_id(), "session-1");
  agent_.stop();
  agent_.stop();
}

TEST_F(AgentTest, RetriesRegistrationWithBackoff) {
  client_.fail_sessions(Status(Code::kUnavailable, "manager unreachable"), 3);
  start();
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return !c.streams_.empty(); }));
  EXPECT_EQ(client_.session_requests_.size(), 4u);
  EXPECT_EQ(agent_.sessions_opened(), 1u);
}

TEST_F(AgentTest, FailedHeartbeatStartsANewSessionAndReportsAgain) {
  client_.set_period(2ms);
  client_.fail_heartbeats(Status(Code::kNotFound, "node not registered"));
  start();
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return !c.streams_.empty(); }));
  client_.stream(0)->push(message(protocol::AssignmentsType::kComplete, "", "1", {task("a")}));
  ASSERT_TRUE(client_.wait(
      [](FakeClient& c) { return c.session_requests_.size() >= 2 && c.streams_.size() >= 2; }));
  EXPECT_TRUE(client_.stream(0)->cancelled());
  // The new session re-reports what the worker knows, under the new session ID.
  ASSERT_TRUE(client_.wait([](FakeClient& c) {
    for (const auto& r : c.reports_) {
      if (r.SessionID != "session-1" && !r.Updates.empty()) return true;
    }
    return false;
  }));
}

TEST_F(AgentTest, BrokenChainReopensTheStream) {
  start();
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return !c.streams_.empty(); }));
  client_.stream(0)->push(message(protocol::AssignmentsType::kComplete, "", "1", {task("a")}));
  client_.stream(0)->push(
      message(protocol::AssignmentsType::kIncremental, "7", "8", {task("b")}));  // gap
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return c.streams_.size() == 2; }));
  EXPECT_EQ(client_.stream_sessions_[1], "session-1");  // same session, new stream
  EXPECT_EQ(client_.session_requests_.size(), 1u);
  client_.stream(1)->push(
      message(protocol::AssignmentsType::kComplete, "", "1", {task("a"), task("b")}));
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return reported(c, "b", TaskState::kRunning); }));
}

TEST_F(AgentTest, EndedStreamStartsANewSession) {
  start();
  ASSERT_TRUE(client_.wait([](FakeClient& c) { return !c.streams_.empty(); }));
  client_.stream(0)->end();
  ASSERT_TRUE(client_.wait(
      [](FakeClient& c) { return c.session_requests_.size() == 2 && c.streams_.size() == 2; }));
  EXPECT_EQ(client_.stream_sessions_[1], "session-2");
}

TEST(AgentLifecycleTest, StopWithoutStartReturnsAndStartsNothing) {
  ManualClock clock(Timestamp::from_unix_nanos(1));
  FakeClient client;
  FakeExecutor executor;
  Agent agent(client, executor, clock, AgentOptions{.node_id = "n1"});
  agent.stop();  // returns: no thread to join
  agent.stop();
  // Nothing was started: no session, no report, no task touched.
  EXPECT_EQ(agent.session_id(), "");
  EXPECT_EQ(agent.sessions_opened(), 0u);
  EXPECT_TRUE(client.session_requests_.empty());  // no thread ever ran to send one
  EXPECT_EQ(client.report_attempts(), 0);
  EXPECT_EQ(agent.worker().task_count(), 0u);
  EXPECT_EQ(agent.reporter().unacknowledged(), 0u);
}

}  // namespace
}  // namespace shoal::agent
