#include "manager/dispatcher/dispatcher.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "fixture.h"
#include "support/next_assignment.h"

namespace shoal::manager::dispatcher {
namespace {

using namespace std::chrono_literals;

using api::TaskState;
using testing::eventually;

api::NodeDescription description(const std::string& hostname) {
  api::NodeDescription d;
  d.Hostname = hostname;
  d.Platform = {"x86_64", "linux"};
  d.Resources.NanoCPUs = 2'000'000'000;
  d.Resources.MemoryBytes = 1 << 30;
  d.Engine.EngineVersion = "0.1.0";
  return d;
}

// The IDs a message updates and removes, as "+id" / "-id".
std::set<std::string> ids(const protocol::AssignmentsMessage& m) {
  std::set<std::string> out;
  for (const auto& c : m.Changes) {
    out.insert((c.Action == protocol::AssignmentAction::kUpdate ? "+" : "-") +
               protocol::assignment_id(c.Item));
  }
  return out;
}

class DispatcherTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    add_node("n1", api::NodeState::kReady);
    add_node("n2", api::NodeState::kDown);
  }
  void TearDown() override {
    if (dispatcher_) dispatcher_->stop();
  }

  void start(DispatcherOptions options = {.seed = 1}) {
    dispatcher_ = std::make_unique<Dispatcher>(*store_, *clock_, ids_, options);
    ASSERT_TRUE(dispatcher_->start().is_ok());
  }

  Result<protocol::SessionMessage> open(const Peer& peer, std::string resume = "") {
    return dispatcher_->session(
        peer, protocol::SessionRequest{peer.NodeID, description("host-" + peer.NodeID), resume});
  }

  // The next message within 10 s, or nullopt.
  static std::optional<protocol::AssignmentsMessage> next(protocol::AssignmentStream& stream) {
    return ::shoal::testing::next_assignment(stream);
  }

  api::NodeState node_state(const std::string& id) { return get<api::Node>(id)->Status.State; }

  IdGenerator ids_{7};
  Peer n1_{"n1", "10.0.0.1"};
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, StartMarksLiveNodesUnknown) {
  start();
  EXPECT_EQ(node_state("n1"), api::NodeState::kUnknown);
  EXPECT_EQ(get<api::Node>("n1")->Status.Message, kMovedToUnknown);
  EXPECT_EQ(node_state("n2"), api::NodeState::kDown);
}

TEST_F(DispatcherTest, SessionMarksNodeReadyWithItsDescription) {
  start();
  auto session = open(n1_);
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  EXPECT_EQ(session->NodeID, "n1");
  EXPECT_EQ(session->SessionID.size(), kIdLength);
  EXPECT_GE(session->HeartbeatPeriod, 4500ms);
  EXPECT_LE(session->HeartbeatPeriod, 5500ms);
  auto node = get<api::Node>("n1");
  EXPECT_EQ(node->Status.State, api::NodeState::kReady);
  EXPECT_EQ(node->Status.Message, "");
  EXPECT_EQ(node->Status.Addr, "10.0.0.1");
  EXPECT_EQ(node->Description.Hostname, "host-n1");
  EXPECT_EQ(node->Description.Resources.NanoCPUs, 2'000'000'000);
  EXPECT_EQ(node->Description.Engine.EngineVersion, "0.1.0");
  EXPECT_EQ(node->Spec.Availability, api::NodeAvailability::kActive);  // the user's part stays
  EXPECT_EQ(dispatcher_->session_count(), 1u);

  auto resumed = open(n1_, session->SessionID);
  ASSERT_TRUE(resumed.is_ok());
  EXPECT_EQ(resumed->SessionID, session->SessionID);
}

TEST_F(DispatcherTest, SessionKeepsTheTLSInfoTheCARecorded) {
  write([&](store::WriteTxn& tx) {
    api::Node node = *tx.get<api::Node>("n1");
    node.Description.TLSInfo.TrustRoot = "ROOT";
    node.Description.TLSInfo.CertIssuerSubject = api::Bytes(std::string("subject"));
    return tx.update(std::move(node));
  });
  start();
  ASSERT_TRUE(open(n1_).is_ok());
  auto node = get<api::Node>("n1");
  EXPECT_EQ(node->Description.Hostname, "host-n1");
  EXPECT_EQ(node->Description.TLSInfo.TrustRoot, "ROOT");
  EXPECT_EQ(node->Description.TLSInfo.CertIssuerSubject, "subject");
}

TEST_F(DispatcherTest, SessionErrors) {
  start();
  EXPECT_EQ(open(Peer{"ghost", ""}).status().code(), Code::kNotFound);
  EXPECT_EQ(open(Peer{"ghost", ""}).status().message(), "node ghost not found");
  auto spoofed = dispatcher_->session(n1_, protocol::SessionRequest{"n2", description("x"), ""});
  EXPECT_EQ(spoofed.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(dispatcher_->heartbeat(n1_, {"nope"}).status().code(), Code::kNotFound);
  ASSERT_TRUE(open(n1_).is_ok());
  auto bad = dispatcher_->heartbeat(n1_, {"nope"});
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "session invalid");
  dispatcher_->stop();
  dispatcher_->stop();
  EXPECT_EQ(open(n1_).status().code(), Code::kUnavailable);
}

TEST_F(DispatcherTest, MissedHeartbeatMarksNodeDown) {
  start();
  auto session = open(n1_);
  ASSERT_TRUE(session.is_ok());
  // 3 × (5 s ± 0.5 s) ≥ 13.5 s: 10 s later the node is alive, and a heartbeat extends it.
  clock_->advance(10s);
  auto beat = dispatcher_->heartbeat(n1_, {session->SessionID});
  ASSERT_TRUE(beat.is_ok());
  EXPECT_GE(beat->Period, 4500ms);
  EXPECT_LE(beat->Period, 5500ms);
  clock_->advance(10s);
  ASSERT_TRUE(dispatcher_->heartbeat(n1_, {session->SessionID}).is_ok());
  EXPECT_EQ(node_state("n1"), api::NodeState::kReady);

  auto stream = dispatcher_->assignments(n1_, {session->SessionID});
  ASSERT_TRUE(stream.is_ok());
  clock_->advance(20s);  // no heartbeat
  ASSERT_TRUE(eventually([&] { return node_state("n1") == api::NodeState::kDown; }));
  EXPECT_EQ(get<api::Node>("n1")->Status.Message, kHeartbeatFailure);
  EXPECT_EQ(dispatcher_->session_count(), 0u);
  EXPECT_EQ(dispatcher_->heartbeat(n1_, {session->SessionID}).status().code(), Code::kNotFound);
  EXPECT_EQ((*stream)->recv(0s).status().code(), Code::kUnavailable);

  // The agent comes back: ready again.
  ASSERT_TRUE(open(n1_).is_ok());
  EXPECT_EQ(node_state("n1"), api::NodeState::kReady);
}

TEST_F(DispatcherTest, AManagerWhoseNodeGoesDownIsUnreachableUntilItReportsAgain) {
  write([](store::WriteTxn& tx) {
    api::Node n1 = *tx.get<api::Node>("n1");
    n1.ManagerStatus = api::ManagerStatus{false, api::Reachability::kReachable, "10.0.0.1:2377"};
    return tx.update(std::move(n1));
  });
  start();
  auto session = open(n1_);
  ASSERT_TRUE(session.is_ok());
  EXPECT_EQ(session->Managers, (std::vector<std::string>{"10.0.0.1:2377"}));
  clock_->advance(20s);  // no heartbeat
  ASSERT_TRUE(eventually([&] { return node_state("n1") == api::NodeState::kDown; }));
  EXPECT_EQ(get<api::Node>("n1")->ManagerStatus->Reachability, api::Reachability::kUnreachable);
  ASSERT_TRUE(open(n1_).is_ok());
  EXPECT_EQ(get<api::Node>("n1")->ManagerStatus->Reachability, api::Reachability::kReachable);
}

TEST_F(DispatcherTest, UnknownNodeThatNeverComesBackGoesDownAtItsDeadlineAndNotBefore) {
  const Timestamp started = clock_->now();
  start();
  // The dispatcher's loop sleeps on the clock until n1's deadline: twice the usual grace,
  // 2 × 3 × (5 s ± 10%).
  ASSERT_TRUE(eventually([&] {
    auto sleeps_until = clock_->earliest_deadline();
    return sleeps_until && *sleeps_until < Timestamp::max();
  }));
  const Timestamp deadline = *clock_->earliest_deadline();
  EXPECT_GE(deadline - started, 27s);
  EXPECT_LE(deadline - started, 33s);
  clock_->set(deadline - 1ns);
  EXPECT_EQ(clock_->earliest_deadline(), deadline);  // the loop was not woken
  EXPECT_EQ(node_state("n1"), api::NodeState::kUnknown);
  clock_->advance(1ns);
  ASSERT_TRUE(eventually([&] { return node_state("n1") == api::NodeState::kDown; }));
  EXPECT_EQ(get<api::Node>("n1")->Status.Message, kUnknownHeartbeatFailure);
}

TEST_F(DispatcherTest, HeartbeatPeriodComesFromTheCluster) {
  write([](store::WriteTxn& tx) {
    api::Swarm cluster;
    cluster.ID = "cluster";
    cluster.Spec.Name = "default";
    cluster.Spec.Dispatcher.HeartbeatPeriod = 2s;
    return tx.create(cluster);
  });
  start();
  auto session = open(n1_);
  ASSERT_TRUE(session.is_ok());
  EXPECT_GE(session->HeartbeatPeriod, 1500ms);
  EXPECT_LE(session->HeartbeatPeriod, 2500ms);
}

TEST_F(DispatcherTest, CompleteSetThenIncrementalChanges) {
  add_secret("s1");
  add_secret("s2");
  add_task(make_task("a", "n1", TaskState::kAssigned, spec({"s1"})));
  add_task(make_task("b", "n1", TaskState::kRunning));
  add_task(make_task("c", "n2", TaskState::kAssigned, spec({"s2"})));
  start();
  auto session = open(n1_);
  ASSERT_TRUE(session.is_ok());
  auto stream = dispatcher_->assignments(n1_, {session->SessionID});
  ASSERT_TRUE(stream.is_ok());

  auto first = next(**stream);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->Type, protocol::AssignmentsType::kComplete);
  EXPECT_EQ(first->AppliesTo, "");
  EXPECT_EQ(first->ResultsIn, "1");
  EXPECT_EQ(ids(*first), (std::set<std::string>{"+s1", "+a", "+b"}));
  EXPECT_TRUE(
      std::holds_alternative<std::shared_ptr<const api::Secret>>(first->Changes.front().Item));

  add_task(make_task("d", "n1"));
  change_task("a", [](api::Task& t) { t.DesiredState = TaskState::kShutdown; });
  std::set<std::string> seen;
  std::string last = "1";
  while (seen.size() < 2) {
    auto m = next(**stream);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->Type, protocol::AssignmentsType::kIncremental);
    EXPECT_EQ(m->AppliesTo, last);
    last = m->ResultsIn;
    for (const auto& id : ids(*m)) seen.insert(id);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"+a", "+d"}));

  write([](store::WriteTxn& tx) { return tx.remove<api::Task>("a"); });
  auto removal = next(**stream);
  ASSERT_TRUE(removal);
  EXPECT_EQ(ids(*removal), (std::set<std::string>{"-a", "-s1"}));
}

TEST_F(DispatcherTest, ManyChangesInOneCommitMakeOneMessage) {
  start();
  auto session = open(n1_);
  auto stream = dispatcher_->assignments(n1_, {session->SessionID});
  ASSERT_TRUE(stream.is_ok());
  ASSERT_TRUE(next(**stream));  // the (empty) complete set
  write([&](store::WriteTxn& tx) {
    for (int i = 0; i < 200; ++i)
      SHOAL_RETURN_IF_ERROR(tx.create(make_task("t" + std::to_string(i), "n1")));
    return Status::ok();
  });
  auto m = next(**stream);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Changes.size(), 200u);
}

TEST_F(DispatcherTest, StatusReportsApplyForwardOnly) {
  add_task(make_task("a", "n1"));
  add_task(make_task("other", "n2"));
  start();
  auto session = open(n1_);
  ASSERT_TRUE(session.is_ok());
  api::TaskStatus running;
  running.State = TaskState::kRunning;
  running.Message = "started";
  running.Timestamp = clock_->now();
  ASSERT_TRUE(dispatcher_->update_task_status(n1_, {session->SessionID, {{"a", running}}}).is_ok());
  EXPECT_EQ(get<api::Task>("a")->Status.State, TaskState::kRunning);
  EXPECT_EQ(get<api::Task>("a")->DesiredState, TaskState::kRunning);

  api::TaskStatus stale;
  stale.State = TaskState::kPreparing;
  stale.Message = "preparing";
  ASSERT_TRUE(
      dispatcher_->update_task_status(n1_, {session->SessionID, {{"a", stale}, {"gone", stale}}})
          .is_ok());
  EXPECT_EQ(get<api::Task>("a")->Status.State, TaskState::kRunning);

  Status foreign = dispatcher_->update_task_status(n1_, {session->SessionID, {{"other", running}}});
  EXPECT_EQ(foreign.code(), Code::kPermissionDenied);
  EXPECT_EQ(foreign.message(), "cannot update a task not assigned this node");
  EXPECT_EQ(dispatcher_->update_task_status(n1_, {"old-session", {{"a", running}}}).code(),
            Code::kInvalidArgument);
}

TEST_F(DispatcherTest, AsyncStatusReportsCheckLikeBlockingOnes) {
  add_task(make_task("a", "n1"));
  add_task(make_task("other", "n2"));
  start();
  auto session = open(n1_);
  ASSERT_TRUE(session.is_ok());
  api::TaskStatus running;
  running.State = TaskState::kRunning;
  running.Message = "started";
  running.Timestamp = clock_->now();
  auto call = [&](const std::string& session_id, const std::string& task) {
    std::optional<Status> result;
    dispatcher_->update_task_status_async(n1_, {session_id, {{task, running}}},
                                          [&](Status s) { result = std::move(s); });
    // Nothing else reports here, so this thread commits and `done` has run.
    EXPECT_TRUE(result.has_value());
    return result.value_or(Status(Code::kInternal, "done not called"));
  };
  EXPECT_TRUE(call(session->SessionID, "a").is_ok());
  EXPECT_EQ(get<api::Task>("a")->Status.State, TaskState::kRunning);
  EXPECT_EQ(call(session->SessionID, "other").code(), Code::kPermissionDenied);
  EXPECT_EQ(call("old-session", "a").code(), Code::kInvalidArgument);
  EXPECT_EQ(get<api::Task>("other")->Status.State, TaskState::kAssigned);
}

TEST_F(DispatcherTest, ReconnectGetsTheCompleteSetAgain) {
  add_task(make_task("a", "n1"));
  start();
  auto first = open(n1_);
  ASSERT_TRUE(first.is_ok());
  auto stream1 = dispatcher_->assignments(n1_, {first->SessionID});
  ASSERT_TRUE(stream1.is_ok());
  ASSERT_TRUE(next(**stream1));

  // A new stream on the same session starts over with a complete set.
  auto stream2 = dispatcher_->assignments(n1_, {first->SessionID});
  ASSERT_TRUE(stream2.is_ok());
  EXPECT_EQ((*stream1)->recv(0s).status().code(), Code::kUnavailable);
  auto again = next(**stream2);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->Type, protocol::AssignmentsType::kComplete);
  EXPECT_EQ(ids(*again), (std::set<std::string>{"+a"}));

  // A new session replaces the old one and its stream.
  auto second = open(n1_);
  ASSERT_TRUE(second.is_ok());
  EXPECT_NE(second->SessionID, first->SessionID);
  auto closed = (*stream2)->recv(0s);
  EXPECT_EQ(closed.status().code(), Code::kUnavailable);
  EXPECT_EQ(closed.status().message(), "session replaced");
  EXPECT_EQ(dispatcher_->heartbeat(n1_, {first->SessionID}).status().code(),
            Code::kInvalidArgument);
  auto stream3 = dispatcher_->assignments(n1_, {second->SessionID});
  ASSERT_TRUE(stream3.is_ok());
  auto complete = next(**stream3);
  ASSERT_TRUE(complete);
  EXPECT_EQ(complete->Type, protocol::AssignmentsType::kComplete);
  EXPECT_EQ(ids(*complete), (std::set<std::string>{"+a"}));
}

TEST_F(DispatcherTest, DeletedNodeLosesItsSession) {
  start();
  auto session = open(n1_);
  ASSERT_TRUE(session.is_ok());
  write([](store::WriteTxn& tx) { return tx.remove<api::Node>("n1"); });
  ASSERT_TRUE(eventually([&] { return dispatcher_->session_count() == 0; }));
  EXPECT_EQ(open(n1_).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace shoal::manager::dispatcher
