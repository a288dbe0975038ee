#include "manager/orchestrator/jobs.h"

#include <gtest/gtest.h>

#include <set>

#include "world.h"

namespace shoal::manager::orchestrator {
namespace {

using namespace testing;
using api::TaskState;

api::Service replicated_job(std::optional<uint64_t> max_concurrent, std::optional<uint64_t> total,
                            uint64_t iteration = 1) {
  api::Service s = replicated_service(0);
  s.Spec.Mode = {};
  s.Spec.Mode.ReplicatedJob.emplace();
  s.Spec.Mode.ReplicatedJob->MaxConcurrent = max_concurrent;
  s.Spec.Mode.ReplicatedJob->TotalCompletions = total;
  s.Spec.TaskTemplate.RestartPolicy.emplace();
  s.Spec.TaskTemplate.RestartPolicy->Condition = api::RestartPolicyCondition::kOnFailure;
  s.Spec.TaskTemplate.RestartPolicy->Delay = std::chrono::nanoseconds(0);
  s.JobStatus.emplace().JobIteration.Index = iteration;
  return s;
}

// Completes every running task of the job.
void complete_running(World& w) {
  for (auto& [id, t] : w.tasks) {
    if (t.Status.State == TaskState::kRunning && t.DesiredState == TaskState::kComplete) {
      w.report(id, TaskState::kComplete);
    }
  }
}

size_t count(const World& w, TaskState state) {
  size_t n = 0;
  for (const auto& [id, t] : w.tasks) n += t.Status.State == state ? 1 : 0;
  return n;
}

TEST(ReplicatedJob, RunsTotalCompletionsAtMostMaxConcurrentAtOnce) {
  World w(replicated_job(2, 5));
  w.add_node(make_node("n1"));
  std::set<int64_t> slots;
  for (int round = 0; round < 10 && count(w, TaskState::kComplete) < 5; ++round) {
    w.step();
    size_t active = 0;
    for (const auto& [id, t] : w.tasks) {
      EXPECT_EQ(t.DesiredState, TaskState::kComplete);
      ASSERT_TRUE(t.JobIteration);
      EXPECT_EQ(t.JobIteration->Index, 1u);
      slots.insert(t.Slot);
      active += t.Status.State != TaskState::kComplete ? 1 : 0;
    }
    EXPECT_LE(active, 2u);
    w.agent();
    complete_running(w);
  }
  EXPECT_EQ(count(w, TaskState::kComplete), 5u);
  EXPECT_EQ(slots, (std::set<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(w.step().empty()) << "a completed job's tasks stay; nothing more to do";
  EXPECT_EQ(w.tasks.size(), 5u);
}

TEST(ReplicatedJob, DefaultsAreOneAtATimeOnce) {
  World w(replicated_job(std::nullopt, std::nullopt));
  w.step();
  EXPECT_EQ(w.tasks.size(), 1u);
  EXPECT_EQ(w.tasks.begin()->second.Slot, 0);
}

TEST(ReplicatedJob, FailedTaskIsRetriedInItsSlot) {
  World w(replicated_job(1, 1));
  w.add_node(make_node("n1"));
  w.step();
  w.agent();
  std::string first = w.tasks.begin()->first;
  w.report(first, TaskState::kFailed);
  Plan p = w.step();
  EXPECT_EQ(p.creates(), 1u);
  EXPECT_EQ(w.tasks.at(first).DesiredState, TaskState::kShutdown);
  for (const auto& [id, t] : w.tasks) {
    EXPECT_EQ(t.Slot, 0);
    if (id != first) {
      EXPECT_EQ(t.DesiredState, TaskState::kComplete) << "no delay: started at once";
    }
  }
}

TEST(ReplicatedJob, ConditionNoneGivesUpTheSlot) {
  api::Service s = replicated_job(1, 2);
  s.Spec.TaskTemplate.RestartPolicy->Condition = api::RestartPolicyCondition::kNone;
  World w(s);
  w.add_node(make_node("n1"));
  w.step();
  w.agent();
  w.report(w.tasks.begin()->first, TaskState::kFailed);
  w.step();
  w.agent();
  EXPECT_EQ(w.tasks.size(), 2u) << "slot 0 given up, slot 1 runs";
  complete_running(w);
  EXPECT_TRUE(w.step().empty());
}

TEST(ReplicatedJob, NewIterationRemovesTheOldRunningTasksAndStartsOver) {
  World w(replicated_job(2, 2));
  w.add_node(make_node("n1"));
  w.step();
  w.agent();
  std::string done = w.tasks.begin()->first;
  w.report(done, TaskState::kComplete);
  w.edit_service([](api::Service& s) { s.JobStatus->JobIteration.Index = 2; });
  w.step();
  size_t removed = 0, fresh = 0;
  for (const auto& [id, t] : w.tasks) {
    if (t.JobIteration->Index == 1) {
      removed += t.DesiredState == TaskState::kRemove ? 1 : 0;
    } else {
      fresh++;
    }
  }
  EXPECT_EQ(removed, 1u) << "the running one; the completed one stays";
  EXPECT_EQ(w.tasks.at(done).DesiredState, TaskState::kComplete);
  EXPECT_EQ(fresh, 2u);
}

TEST(GlobalJob, OneCompletionPerEligibleNode) {
  api::Service s = replicated_job(1, 1);
  s.Spec.Mode = {};
  s.Spec.Mode.GlobalJob.emplace();
  World w(s);
  w.add_node(make_node("n1"));
  w.add_node(make_node("n2"));
  w.add_node(make_node("n3", api::NodeState::kDown));
  w.step();
  std::set<std::string> nodes;
  for (const auto& [id, t] : w.tasks) {
    nodes.insert(t.NodeID);
    EXPECT_EQ(t.DesiredState, TaskState::kComplete);
    EXPECT_EQ(t.Slot, 0);
  }
  EXPECT_EQ(nodes, (std::set<std::string>{"n1", "n2"}));
  w.agent();
  complete_running(w);
  EXPECT_TRUE(w.step().empty());
  w.add_node(make_node("n4"));
  Plan p = w.step();
  EXPECT_EQ(p.creates(), 1u) << "a node that joins later runs the job too";
}

}  // namespace
}  // namespace shoal::manager::orchestrator
