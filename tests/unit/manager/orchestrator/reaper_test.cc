#include "manager/orchestrator/reaper.h"

#include <gtest/gtest.h>

#include "world.h"

namespace shoal::manager::orchestrator {
namespace {

using namespace testing;
using api::TaskState;

TaskPtr task(const std::string& id, TaskState state, TaskState desired, int seconds,
             const std::string& node = "n1") {
  api::Task t;
  t.ID = id;
  t.NodeID = node;
  t.Status.State = state;
  t.DesiredState = desired;
  t.Status.Timestamp = t0() + std::chrono::seconds(seconds);
  return std::make_shared<const api::Task>(std::move(t));
}

std::vector<std::string> ids(const std::vector<TaskPtr>& tasks) {
  std::vector<std::string> out;
  for (const TaskPtr& t : tasks) out.push_back(t->ID);
  return out;
}

TEST(HistoryLimit, DefaultsClusterSettingAndMaxAttemptsFloor) {
  api::Service s = replicated_service(1);
  EXPECT_EQ(history_limit(nullptr, s), 5);
  api::Swarm cluster;
  cluster.Spec.Orchestration.TaskHistoryRetentionLimit = 2;
  EXPECT_EQ(history_limit(&cluster, s), 2);
  s.Spec.TaskTemplate.RestartPolicy.emplace().MaxAttempts = 4;
  EXPECT_EQ(history_limit(&cluster, s), 5) << "MaxAttempts + 1 tasks are kept for restart counting";
  cluster.Spec.Orchestration.TaskHistoryRetentionLimit = -1;
  EXPECT_EQ(history_limit(&cluster, s), -1) << "negative: keep everything";
}

struct HistoryCase {
  std::string name;
  std::vector<TaskPtr> tasks;
  int64_t limit;
  std::vector<std::string> deleted;
};

TEST(PlanHistory, Table) {
  NodeMap nodes{{"n1", make_node("n1")}};
  const TaskState run = TaskState::kRunning, shut = TaskState::kShutdown;
  const std::vector<HistoryCase> cases = {
      {"under the limit", {task("a", TaskState::kFailed, shut, 1), task("b", run, run, 2)}, 5, {}},
      {"oldest stopped first",
       {task("c", TaskState::kFailed, shut, 3), task("a", TaskState::kFailed, shut, 1),
        task("b", TaskState::kComplete, shut, 2), task("d", run, run, 4)},
       2,
       {"a", "b"}},
      {"running tasks are never deleted",
       {task("a", run, shut, 1), task("b", TaskState::kFailed, shut, 2), task("c", run, run, 3)},
       1,
       {"b"}},
      {"never assigned and no longer wanted counts as stopped",
       {task("a", TaskState::kPending, shut, 1, ""), task("b", run, run, 2)},
       1,
       {"a"}},
      {"pending but still wanted is kept",
       {task("a", TaskState::kPending, run, 1, ""), task("b", run, run, 2)},
       1,
       {}},
      {"on a deleted node counts as stopped",
       {task("a", run, shut, 1, "gone"), task("b", run, run, 2)},
       1,
       {"a"}},
      {"limit zero keeps only what runs",
       {task("a", TaskState::kFailed, shut, 1), task("b", TaskState::kFailed, shut, 2)},
       0,
       {"a", "b"}},
      {"negative keeps everything",
       {task("a", TaskState::kFailed, shut, 1), task("b", TaskState::kFailed, shut, 2)},
       -1,
       {}},
  };
  for (const HistoryCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ids(plan_history(c.tasks, c.limit, TaskState::kRunning, nodes)), c.deleted);
  }
}

TEST(PlanHistory, JobTaskDesiredCompleteIsStillWanted) {
  NodeMap nodes;
  std::vector<TaskPtr> tasks{task("a", TaskState::kPending, TaskState::kComplete, 1, ""),
                             task("b", TaskState::kFailed, TaskState::kShutdown, 0)};
  EXPECT_EQ(ids(plan_history(tasks, 0, TaskState::kComplete, nodes)),
            std::vector<std::string>{"b"});
}

TEST(Removable, Table) {
  NodeMap nodes{{"n1", make_node("n1")}};
  const TaskState rm = TaskState::kRemove;
  EXPECT_TRUE(removable(*task("a", TaskState::kNew, rm, 0, ""), nodes));
  EXPECT_TRUE(removable(*task("a", TaskState::kPending, rm, 0, ""), nodes));
  EXPECT_FALSE(removable(*task("a", TaskState::kAssigned, rm, 0), nodes));
  EXPECT_FALSE(removable(*task("a", TaskState::kRunning, rm, 0), nodes));
  EXPECT_TRUE(removable(*task("a", TaskState::kRunning, rm, 0, "gone"), nodes));
  EXPECT_TRUE(removable(*task("a", TaskState::kShutdown, rm, 0), nodes));
  EXPECT_TRUE(removable(*task("a", TaskState::kFailed, rm, 0), nodes));
  EXPECT_FALSE(removable(*task("a", TaskState::kFailed, TaskState::kShutdown, 0), nodes));
}

}  // namespace
}  // namespace shoal::manager::orchestrator
