// Store + dispatcher + in-process client + agent + hollow executor, as `shoal daemon
// --executor=hollow` wires them on a single node.
#include "daemon/in_process_node.h"

#include <gtest/gtest.h>

#include "agent/agent.h"
#include "agent/executors.h"
#include "agent/hollow/hollow_executor.h"
#include "manager/dispatcher/dispatcher.h"
#include "manager/dispatcher/fixture.h"
#include "protocol/local_client.h"

namespace shoal::daemon {
namespace {

using manager::dispatcher::Dispatcher;
using manager::dispatcher::DispatcherOptions;
using manager::dispatcher::testing::StoreFixture;
using protocol::LocalDispatcherClient;
using protocol::Peer;

using namespace std::chrono_literals;

using api::TaskState;
using shoal::testing::eventually;

class EndToEndTest : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    add_node("n1");
    dispatcher_ =
        std::make_unique<Dispatcher>(*store_, *clock_, ids_, DispatcherOptions{.seed = 1});
    ASSERT_TRUE(dispatcher_->start().is_ok());
    client_ = std::make_unique<LocalDispatcherClient>(*dispatcher_, Peer{"n1", "127.0.0.1"});
    start_agent();
  }
  void TearDown() override {
    agent_.reset();
    dispatcher_->stop();
  }

  void start_agent() {
    // The batch window is measured on clock_, which these tests move only to expire
    // heartbeats: a zero window sends each status change at once.
    agent_ = std::make_unique<agent::Agent>(
        *client_, executor_, *clock_,
        agent::AgentOptions{.node_id = "n1", .reporter = {.batch_window = 0s}});
    ASSERT_TRUE(agent_->start().is_ok());
  }

  size_t count(TaskState state) {
    size_t n = 0;
    store_->view().for_each<api::Task>(
        store::by::Node{"n1"},
        [&](const std::shared_ptr<const api::Task>& t) { n += t->Status.State == state; });
    return n;
  }

  void add_tasks(int n, std::shared_ptr<const api::TaskSpec> s = spec()) {
    write([&](store::WriteTxn& tx) {
      for (int i = 0; i < n; ++i) {
        SHOAL_RETURN_IF_ERROR(
            tx.create(make_task("task" + std::to_string(i), "n1", TaskState::kAssigned, s)));
      }
      return Status::ok();
    });
  }

  IdGenerator ids_{11};
  agent::hollow::HollowExecutor executor_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<LocalDispatcherClient> client_;
  std::unique_ptr<agent::Agent> agent_;
};

TEST_F(EndToEndTest, NodeBecomesReadyWithTheHostsDescription) {
  ASSERT_TRUE(
      eventually([&] { return get<api::Node>("n1")->Status.State == api::NodeState::kReady; }));
  auto node = get<api::Node>("n1");
  EXPECT_FALSE(node->Description.Hostname.empty());
  EXPECT_GT(node->Description.Resources.NanoCPUs, 0);
  EXPECT_EQ(node->Status.Addr, "127.0.0.1");
}

TEST_F(EndToEndTest, HundredTasksRunThenShutDown) {
  add_tasks(100);
  ASSERT_TRUE(eventually([&] { return count(TaskState::kRunning) == 100; }))
      << count(TaskState::kRunning);
  EXPECT_EQ(executor_.running_count(), 100u);
  auto one = get<api::Task>("task7");
  ASSERT_TRUE(one->Status.ContainerStatus);
  EXPECT_EQ(one->Status.ContainerStatus->ContainerID, "hollow-task7");
  EXPECT_EQ(one->Status.Message, "started");

  write([&](store::WriteTxn& tx) {
    for (int i = 0; i < 100; ++i) {
      auto t = *tx.get<api::Task>("task" + std::to_string(i));
      t.DesiredState = TaskState::kShutdown;
      SHOAL_RETURN_IF_ERROR(tx.update(t));
    }
    return Status::ok();
  });
  ASSERT_TRUE(eventually([&] { return count(TaskState::kShutdown) == 100; }))
      << count(TaskState::kShutdown);
  EXPECT_EQ(executor_.running_count(), 0u);
  EXPECT_EQ(get<api::Task>("task7")->DesiredState, TaskState::kShutdown);

  // The reaper deletes them: the agent removes their containers.
  write([&](store::WriteTxn& tx) {
    for (int i = 0; i < 100; ++i)
      SHOAL_RETURN_IF_ERROR(tx.remove<api::Task>("task" + std::to_string(i)));
    return Status::ok();
  });
  ASSERT_TRUE(eventually([&] { return executor_.task_count() == 0; })) << executor_.task_count();
}

TEST_F(EndToEndTest, ScriptedFailureAndCompletionReachTheStore) {
  write([&](store::WriteTxn& tx) {
    SHOAL_RETURN_IF_ERROR(tx.create(make_task("fails", "n1", TaskState::kAssigned,
                                              spec({}, {}, {{"shoal.hollow.fail", "3"}}))));
    auto job = make_task("job", "n1", TaskState::kAssigned,
                         spec({}, {}, {{"shoal.hollow.complete-after", "0s"}}));
    job.DesiredState = TaskState::kComplete;
    return tx.create(job);
  });
  ASSERT_TRUE(
      eventually([&] { return get<api::Task>("fails")->Status.State == TaskState::kFailed; }));
  auto failed = get<api::Task>("fails");
  EXPECT_EQ(failed->Status.Err, "task: non-zero exit (3)");
  ASSERT_TRUE(failed->Status.ContainerStatus);
  EXPECT_EQ(failed->Status.ContainerStatus->ExitCode, 3);
  ASSERT_TRUE(
      eventually([&] { return get<api::Task>("job")->Status.State == TaskState::kComplete; }));
  EXPECT_EQ(get<api::Task>("job")->Status.Message, "finished");
}

TEST_F(EndToEndTest, SecretsReachOnlyTheTasksNode) {
  add_secret("s1");
  add_task(make_task("uses-secret", "n1", TaskState::kAssigned, spec({"s1"})));
  add_task(make_task("missing-secret", "n1", TaskState::kAssigned, spec({"nope"})));
  ASSERT_TRUE(eventually(
      [&] { return get<api::Task>("uses-secret")->Status.State == TaskState::kRunning; }));
  ASSERT_TRUE(eventually(
      [&] { return get<api::Task>("missing-secret")->Status.State == TaskState::kRejected; }));
  EXPECT_EQ(get<api::Task>("missing-secret")->Status.Err,
            "secret secret-nope (nope) is not available on this node");
}

TEST_F(EndToEndTest, AgentRestartAdoptsRunningTasks) {
  add_tasks(20);
  ASSERT_TRUE(eventually([&] { return count(TaskState::kRunning) == 20; }));
  uint64_t versions_before = store_->revision();
  agent_->stop();
  agent_.reset();
  EXPECT_EQ(executor_.running_count(), 20u);  // tasks outlive the agent

  start_agent();
  ASSERT_TRUE(eventually(
      [&] { return agent_->sessions_opened() == 1 && agent_->worker().task_count() == 20; }));
  // Nothing restarted: still 20 running hollow tasks, all RUNNING in the store.
  EXPECT_EQ(executor_.running_count(), 20u);
  EXPECT_EQ(count(TaskState::kRunning), 20u);
  EXPECT_GT(store_->revision(), versions_before);  // the node registered again

  // And they still obey the manager.
  write([&](store::WriteTxn& tx) {
    auto t = *tx.get<api::Task>("task3");
    t.DesiredState = TaskState::kShutdown;
    return tx.update(t);
  });
  ASSERT_TRUE(
      eventually([&] { return get<api::Task>("task3")->Status.State == TaskState::kShutdown; }));
}

TEST_F(EndToEndTest, LostSessionReconnects) {
  ASSERT_TRUE(
      eventually([&] { return agent_->sessions_opened() == 1 && !agent_->session_id().empty(); }));
  // The dispatcher forgets the node (as after a missed heartbeat): the agent registers again.
  clock_->advance(60s);
  ASSERT_TRUE(eventually([&] { return agent_->sessions_opened() >= 2; }));
  add_tasks(5);
  ASSERT_TRUE(eventually([&] { return count(TaskState::kRunning) == 5; }));
}

class InProcessNodeTest : public StoreFixture {};

TEST_F(InProcessNodeTest, WiresDispatcherAndAgentForOneNode) {
  add_node("self");
  auto executor = agent::make_executor("hollow");
  ASSERT_TRUE(executor.is_ok());
  IdGenerator ids(3);
  InProcessNode node(
      *store_, *clock_, ids, **executor,
      InProcessNodeOptions{
          .node_id = "self", .addr = "192.0.2.1", .agent = {.reporter = {.batch_window = 0s}}});
  ASSERT_TRUE(node.start().is_ok());
  ASSERT_TRUE(
      eventually([&] { return get<api::Node>("self")->Status.State == api::NodeState::kReady; }));
  EXPECT_EQ(get<api::Node>("self")->Status.Addr, "192.0.2.1");
  add_task(make_task("t1", "self"));
  ASSERT_TRUE(
      eventually([&] { return get<api::Task>("t1")->Status.State == TaskState::kRunning; }));
  node.stop();
  node.stop();
  EXPECT_EQ(node.dispatcher().session_count(), 0u);
}

}  // namespace
}  // namespace shoal::daemon
