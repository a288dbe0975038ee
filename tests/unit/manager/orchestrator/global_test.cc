#include "manager/orchestrator/global.h"

#include <gtest/gtest.h>

#include <set>

#include "world.h"

namespace shoal::manager::orchestrator {
namespace {

using namespace testing;
using api::NodeAvailability;
using api::NodeState;
using api::TaskState;

std::set<std::string> active_nodes(const World& w) {
  std::set<std::string> out;
  for (const api::Task* t : w.active()) out.insert(t->NodeID);
  return out;
}

TEST(Global, OneTaskPerEligibleNode) {
  World w(global_service());
  w.add_node(make_node("ready"));
  w.add_node(make_node("down", NodeState::kDown));
  w.add_node(make_node("unknown", NodeState::kUnknown));
  w.add_node(make_node("paused", NodeState::kReady, NodeAvailability::kPause));
  w.add_node(make_node("drained", NodeState::kReady, NodeAvailability::kDrain));
  w.add_node(make_node("ready2"));
  Plan p = w.step();
  EXPECT_EQ(p.creates(), 2u);
  EXPECT_EQ(active_nodes(w), (std::set<std::string>{"ready", "ready2"}));
  for (const auto& [id, t] : w.tasks) {
    EXPECT_EQ(t.Slot, 0);
    EXPECT_EQ(t.DesiredState, TaskState::kRunning);
    EXPECT_EQ(t.Status.State, TaskState::kNew);
  }
  EXPECT_EQ(w.settle(), 0);
}

TEST(Global, ConstraintsChooseTheNodes) {
  api::Service s = global_service();
  s.Spec.TaskTemplate.Placement.emplace().Constraints = {"node.labels.gpu==yes",
                                                         "node.role!=manager"};
  World w(s);
  w.add_node(make_node("gpu", NodeState::kReady, NodeAvailability::kActive, {{"gpu", "yes"}}));
  w.add_node(make_node("plain"));
  w.step();
  EXPECT_EQ(active_nodes(w), (std::set<std::string>{"gpu"}));
  // The label goes away: the task is shut down and not replaced.
  w.nodes["gpu"] = make_node("gpu");
  w.step();
  EXPECT_TRUE(w.active().empty());
}

TEST(Global, FollowsNodesJoiningAndLeaving) {
  World w(global_service());
  w.add_node(make_node("n1"));
  w.settle();
  w.add_node(make_node("n2"));
  w.settle();
  EXPECT_EQ(active_nodes(w), (std::set<std::string>{"n1", "n2"}));
  EXPECT_EQ(w.running_count(), 2u);

  w.nodes.erase("n2");  // node removed: its tasks go
  w.step();
  for (const auto& [id, t] : w.tasks) EXPECT_EQ(t.NodeID, "n1");
}

TEST(Global, DrainShutsDownPauseKeeps) {
  World w(global_service());
  w.add_node(make_node("n1"));
  w.add_node(make_node("n2"));
  w.settle();
  w.nodes["n1"] = make_node("n1", NodeState::kReady, NodeAvailability::kPause);
  EXPECT_TRUE(w.step().empty()) << "pause keeps the task";
  w.nodes["n1"] = make_node("n1", NodeState::kReady, NodeAvailability::kDrain);
  w.step();
  EXPECT_EQ(active_nodes(w), (std::set<std::string>{"n2"}));
  w.nodes["n1"] = make_node("n1");
  w.step();
  EXPECT_EQ(active_nodes(w), (std::set<std::string>{"n1", "n2"})) << "active again: a new task";
}

TEST(Global, FailedTaskRestartsOnItsNodeButNotOnAPausedOne) {
  api::Service s = global_service();
  s.Spec.TaskTemplate.RestartPolicy.emplace().Delay = std::chrono::nanoseconds(0);
  World w(s);
  w.add_node(make_node("n1"));
  w.add_node(make_node("n2"));
  w.settle();
  std::string on_n1, on_n2;
  for (const api::Task* t : w.active()) (t->NodeID == "n1" ? on_n1 : on_n2) = t->ID;
  w.report(on_n1, TaskState::kFailed);
  w.nodes["n2"] = make_node("n2", NodeState::kReady, NodeAvailability::kPause);
  w.report(on_n2, TaskState::kFailed);
  w.step();
  EXPECT_EQ(w.tasks.at(on_n1).DesiredState, TaskState::kShutdown);
  EXPECT_EQ(w.tasks.at(on_n2).DesiredState, TaskState::kShutdown);
  ASSERT_EQ(w.active().size(), 1u);
  EXPECT_EQ(w.active()[0]->NodeID, "n1");
  EXPECT_EQ(w.active()[0]->Slot, 0);
}

TEST(Global, DownNodeTasksAreShutDownNotMoved) {
  World w(global_service());
  w.add_node(make_node("n1"));
  w.settle();
  w.nodes["n1"] = make_node("n1", NodeState::kDown);
  w.step();
  EXPECT_TRUE(w.active().empty());
  EXPECT_TRUE(w.step().empty());
}

}  // namespace
}  // namespace shoal::manager::orchestrator
