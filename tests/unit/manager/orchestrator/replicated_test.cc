#include "manager/orchestrator/replicated.h"

#include <gtest/gtest.h>

#include <set>

#include "world.h"

namespace shoal::manager::orchestrator {
namespace {

using namespace testing;
using api::TaskState;

std::set<int64_t> active_slots(const World& w) {
  std::set<int64_t> out;
  for (const api::Task* t : w.active()) out.insert(t->Slot);
  return out;
}

TEST(Replicated, CreatesOneTaskPerSlotWithTheSharedTemplate) {
  World w(replicated_service(3));
  Plan p = w.step();
  EXPECT_EQ(p.creates(), 3u);
  EXPECT_EQ(active_slots(w), (std::set<int64_t>{1, 2, 3}));
  const api::TaskSpec* spec = nullptr;
  for (const auto& [id, t] : w.tasks) {
    EXPECT_EQ(t.ServiceID, "svc1");
    EXPECT_EQ(t.Status.State, TaskState::kNew);
    EXPECT_EQ(t.Status.Message, "created");
    EXPECT_EQ(t.Status.Timestamp, w.now);
    EXPECT_EQ(t.DesiredState, TaskState::kRunning);
    EXPECT_TRUE(t.Name.empty());
    EXPECT_TRUE(t.Labels.empty());  // the service's labels are not copied
    EXPECT_TRUE(t.NodeID.empty());
    EXPECT_FALSE(t.JobIteration.has_value());
    EXPECT_EQ(t.Spec->ContainerSpec->Image, "busybox");
    if (spec == nullptr) spec = t.Spec.get();
    EXPECT_EQ(t.Spec.get(), spec) << "tasks of one service version share one spec";
  }
  EXPECT_EQ(w.settle(), 0) << "a second pass has nothing to do";
}

TEST(Replicated, DefaultsToOneReplica) {
  api::Service s = replicated_service(0);
  s.Spec.Mode.Replicated->Replicas.reset();
  World w(s);
  w.step();
  EXPECT_EQ(w.active().size(), 1u);
}

TEST(Replicated, ScaleUpFillsTheLowestFreeSlots) {
  World w(replicated_service(2));
  w.add_node(make_node("n1"));
  w.put_task("a", 2, "n1", TaskState::kRunning);
  w.put_task("b", 4, "n1", TaskState::kRunning);
  w.edit_service([](api::Service& s) { s.Spec.Mode.Replicated->Replicas = 4; });
  Plan p = w.step();
  EXPECT_EQ(p.creates(), 2u);
  EXPECT_EQ(active_slots(w), (std::set<int64_t>{1, 2, 3, 4}));
}

TEST(Replicated, HugeReplicaCountIsCreatedInBoundedPassesThatFollowUpAtOnce) {
  World w(replicated_service(uint64_t{1} << 63));
  Plan first = w.step();
  EXPECT_EQ(first.creates(), kMaxCreatesPerPass);
  ASSERT_TRUE(first.next_follow_up().has_value());
  EXPECT_EQ(*first.next_follow_up(), w.now);
  Plan second = w.plan();
  EXPECT_EQ(second.creates(), kMaxCreatesPerPass);
  EXPECT_EQ(active_slots(w).size(), kMaxCreatesPerPass);
  EXPECT_EQ(*active_slots(w).rbegin(), static_cast<int64_t>(kMaxCreatesPerPass));
}

TEST(Replicated, CountWithinOnePassAsksForNoFollowUp) {
  World w(replicated_service(kMaxCreatesPerPass));
  Plan p = w.step();
  EXPECT_EQ(p.creates(), kMaxCreatesPerPass);
  EXPECT_FALSE(p.next_follow_up().has_value());
}

struct ScaleDownCase {
  std::string name;
  uint64_t replicas;
  // slot → (node, state)
  std::vector<std::tuple<int64_t, std::string, TaskState>> tasks;
  std::set<int64_t> kept;
};

TEST(Replicated, ScaleDownChoosesSlotsAsSwarmkit) {
  const std::vector<ScaleDownCase> cases = {
      {"highest slots go first",
       2,
       {{1, "n1", TaskState::kRunning},
        {2, "n2", TaskState::kRunning},
        {3, "n3", TaskState::kRunning}},
       {1, 2}},
      {"busiest node loses first",
       2,
       {{1, "n1", TaskState::kRunning},
        {2, "n1", TaskState::kRunning},
        {3, "n2", TaskState::kRunning}},
       {1, 3}},
      {"not running goes before running",
       2,
       {{1, "n1", TaskState::kPreparing},
        {2, "n2", TaskState::kRunning},
        {3, "n3", TaskState::kRunning}},
       {2, 3}},
      {"unassigned ranks last",
       2,
       {{1, "", TaskState::kPending},
        {2, "n1", TaskState::kRunning},
        {3, "n2", TaskState::kRunning}},
       {2, 3}},
      {"three on one node, one on another",
       2,
       {{1, "n1", TaskState::kRunning},
        {2, "n1", TaskState::kRunning},
        {3, "n1", TaskState::kRunning},
        {4, "n2", TaskState::kRunning}},
       {1, 4}},
      {"to zero", 0, {{1, "n1", TaskState::kRunning}, {2, "n2", TaskState::kRunning}}, {}},
  };
  for (const ScaleDownCase& c : cases) {
    SCOPED_TRACE(c.name);
    World w(replicated_service(c.tasks.size()));
    for (const auto& node : {"n1", "n2", "n3"}) w.add_node(make_node(node));
    for (const auto& [slot, node, state] : c.tasks) {
      w.put_task("t" + std::to_string(slot), slot, node, state);
    }
    w.edit_service([&](api::Service& s) { s.Spec.Mode.Replicated->Replicas = c.replicas; });
    w.step();
    EXPECT_EQ(active_slots(w), c.kept);
    for (const auto& [id, t] : w.tasks) {
      EXPECT_EQ(t.DesiredState, c.kept.count(t.Slot) ? TaskState::kRunning : TaskState::kRemove)
          << id;
    }
  }
}

TEST(Replicated, FailedTaskIsReplacedInItsSlotAfterTheRestartDelay) {
  World w(replicated_service(1));
  w.add_node(make_node("n1"));
  w.put_task("a", 1, "n1", TaskState::kRunning);
  w.now = w.now + 1s;
  w.report("a", TaskState::kFailed);
  Plan p = w.step();
  ASSERT_EQ(p.creates(), 1u);
  EXPECT_EQ(w.tasks.at("a").DesiredState, TaskState::kShutdown);
  const api::Task* r = w.active().at(0);
  EXPECT_EQ(r->Slot, 1);
  EXPECT_EQ(r->DesiredState, TaskState::kReady);
  EXPECT_EQ(p.next_follow_up(), w.now + 5s);  // the default delay

  w.now = w.now + 4s;
  EXPECT_TRUE(w.step().empty());
  w.now = w.now + 1s;
  w.step();
  EXPECT_EQ(w.tasks.at(r->ID).DesiredState, TaskState::kRunning);
}

TEST(Replicated, TaskOnADownNodeIsReplacedWithoutWaitingForIt) {
  api::Service s = replicated_service(1);
  s.Spec.TaskTemplate.RestartPolicy.emplace();
  s.Spec.TaskTemplate.RestartPolicy->Delay = 0s;
  World w(s);
  w.add_node(make_node("n1"));
  w.put_task("a", 1, "n1", TaskState::kRunning);
  w.nodes["n1"] = make_node("n1", api::NodeState::kDown);
  w.step();
  EXPECT_EQ(w.tasks.at("a").DesiredState, TaskState::kShutdown);
  ASSERT_EQ(w.active().size(), 1u);
  EXPECT_EQ(w.active()[0]->DesiredState, TaskState::kRunning)
      << "started at once: old node is down";
}

TEST(Replicated, DrainedNodeTaskWaitsForTheOldOneToStopWithoutDelay) {
  World w(replicated_service(1));
  w.add_node(make_node("n1", api::NodeState::kReady, api::NodeAvailability::kDrain));
  w.put_task("a", 1, "n1", TaskState::kRunning);
  Plan p = w.step();
  const api::Task* r = w.active().at(0);
  EXPECT_EQ(r->DesiredState, TaskState::kReady) << "the old task still runs";
  EXPECT_EQ(p.next_follow_up(), w.now + 1min) << "the old-task timeout";
  std::string rid = r->ID;
  w.report("a", TaskState::kShutdown);
  w.step();
  EXPECT_EQ(w.tasks.at(rid).DesiredState, TaskState::kRunning) << "no restart delay after a drain";
}

TEST(Replicated, NodeThatNoLongerFitsLosesItsTaskButAConstraintUpdateRolls) {
  api::Service s = replicated_service(2);
  s.Spec.TaskTemplate.Placement.emplace().Constraints = {"node.labels.zone==a"};
  World w(s);
  w.add_node(
      make_node("n1", api::NodeState::kReady, api::NodeAvailability::kActive, {{"zone", "a"}}));
  w.add_node(
      make_node("n2", api::NodeState::kReady, api::NodeAvailability::kActive, {{"zone", "a"}}));
  w.put_task("a", 1, "n1", TaskState::kRunning);
  w.put_task("b", 2, "n2", TaskState::kRunning);
  // n1 loses its label: its task moves (the scheduler will place the replacement).
  w.nodes["n1"] = make_node("n1");
  w.step();
  EXPECT_EQ(w.tasks.at("a").DesiredState, TaskState::kShutdown);
  EXPECT_EQ(w.tasks.at("b").DesiredState, TaskState::kRunning);
  EXPECT_EQ(w.active().size(), 2u);
  // The service's constraint changes: n2 no longer fits, but the update replaces its task at
  // the update's pace, not the enforcer's.
  w.edit_service([](api::Service& s) {
    s.Spec.TaskTemplate.Placement->Constraints = {"node.labels.zone==b"};
    s.UpdateStatus.reset();
  });
  w.step();
  ASSERT_TRUE(w.service().UpdateStatus);
  EXPECT_EQ(w.service().UpdateStatus->State, api::UpdateState::kUpdating);
}

TEST(Replicated, DeletedServiceTasksAreMarkedRemove) {
  World w(replicated_service(2));
  w.put_task("a", 1, "n1", TaskState::kRunning);
  w.put_task("b", 2, "n1", TaskState::kFailed, TaskState::kShutdown);
  std::vector<TaskPtr> tasks;
  for (const auto& [id, t] : w.tasks) tasks.push_back(std::make_shared<const api::Task>(t));
  Plan p = plan_service_removal("svc1", tasks);
  EXPECT_EQ(p.service_version(), 0u);
  EXPECT_EQ(p.updates(), 2u);
  for (const TaskPtr& t : p.tasks()) EXPECT_EQ(t->DesiredState, TaskState::kRemove);
}

TEST(Replicated, ConditionNoneKeepsTheEndedTaskInItsSlot) {
  api::Service s = replicated_service(2);
  s.Spec.TaskTemplate.RestartPolicy.emplace();
  s.Spec.TaskTemplate.RestartPolicy->Condition = api::RestartPolicyCondition::kNone;
  World w(s);
  w.add_node(make_node("n1"));
  w.put_task("a", 1, "n1", TaskState::kRunning);
  w.put_task("b", 2, "n1", TaskState::kRunning);
  w.report("a", TaskState::kComplete);
  Plan p = w.step();
  EXPECT_EQ(p.creates(), 0u);
  EXPECT_EQ(w.tasks.at("a").DesiredState, TaskState::kShutdown);
  EXPECT_TRUE(w.step().empty()) << "slot 1 stays taken by its ended task";
}

TEST(Replicated, ConvergesFromAnInterruptedRestartAndUpdateWithoutDuplicates) {
  // A leader restart mid-way: slot 1 has a ready replacement and its failed predecessor,
  // slot 2 is missing, slot 3 has two running tasks (an interrupted start-first update).
  api::Service s = replicated_service(3);
  s.Spec.TaskTemplate.RestartPolicy.emplace();
  s.Spec.TaskTemplate.RestartPolicy->Delay = 0s;
  World w(s);
  w.add_node(make_node("n1"));
  w.put_task("old1", 1, "n1", TaskState::kFailed, TaskState::kShutdown);
  w.put_task("new1", 1, "", TaskState::kNew, TaskState::kReady);
  w.put_task("a3", 3, "n1", TaskState::kRunning);
  w.put_task("b3", 3, "n1", TaskState::kRunning);
  w.settle();
  std::map<int64_t, int> per_slot;
  for (const api::Task* t : w.active()) per_slot[t->Slot]++;
  EXPECT_EQ(per_slot, (std::map<int64_t, int>{{1, 1}, {2, 1}, {3, 1}}));
  EXPECT_EQ(w.running_count(), 3u);
}

}  // namespace
}  // namespace shoal::manager::orchestrator
