#include "manager/orchestrator/updater.h"

#include <gtest/gtest.h>

#include "world.h"

namespace shoal::manager::orchestrator {
namespace {

using namespace testing;
using api::TaskState;
using api::UpdateState;

// A replicated service with `replicas` tasks running on n1 and an update config.
World running_service(uint64_t replicas, api::UpdateConfig config = {}, bool with_config = false) {
  api::Service s = replicated_service(replicas, "busybox:1");
  if (with_config) s.Spec.UpdateConfig = config;
  World w(s);
  w.add_node(make_node("n1"));
  w.settle();
  EXPECT_EQ(w.running_count(), replicas);
  return w;
}

void change_image(World& w, const std::string& image) {
  w.edit_service([&](api::Service& s) {
    s.PreviousSpec = s.Spec;
    s.Spec.TaskTemplate.ContainerSpec->Image = image;
    s.UpdateStatus.reset();  // the control API clears it on every update
  });
}

size_t count_image(const World& w, const std::string& image) {
  size_t n = 0;
  for (const api::Task* t : w.active()) n += t->Spec->ContainerSpec->Image == image ? 1 : 0;
  return n;
}

UpdateState state(const World& w) {
  return w.service().UpdateStatus ? w.service().UpdateStatus->State : UpdateState::kUnset;
}

// Plans, lets the agent act, advances 1 s; until the update leaves `updating`/`rollback_started`
// or `rounds` pass. Returns the rounds used.
int drive(World& w, int rounds = 100) {
  for (int i = 0; i < rounds; ++i) {
    w.step();
    w.agent();
    UpdateState s = state(w);
    if (s != UpdateState::kUpdating && s != UpdateState::kRollbackStarted &&
        s != UpdateState::kUnset) {
      return i;
    }
    w.now = w.now + 1s;
  }
  ADD_FAILURE() << "update did not finish";
  return rounds;
}

TEST(Updater, NoUpdateStatusWhenNothingIsDirty) {
  World w = running_service(2);
  w.edit_service([](api::Service& s) { s.Spec.Labels["new"] = "label"; });
  EXPECT_TRUE(w.step().empty());
  EXPECT_FALSE(w.service().UpdateStatus.has_value());
}

TEST(Updater, RollsOneSlotAtATimeStopFirstByDefault) {
  World w = running_service(3);
  change_image(w, "busybox:2");
  Plan p = w.step();
  ASSERT_TRUE(w.service().UpdateStatus);
  EXPECT_EQ(state(w), UpdateState::kUpdating);
  EXPECT_EQ(w.service().UpdateStatus->Message, "update in progress");
  EXPECT_EQ(w.service().UpdateStatus->StartedAt, w.now);
  EXPECT_FALSE(w.service().UpdateStatus->CompletedAt);
  EXPECT_EQ(p.creates(), 1u) << "parallelism 1";
  // Slot 1: its old task is told to stop, the new one waits, ready.
  int shut = 0, ready = 0;
  for (const auto& [id, t] : w.tasks) {
    if (t.Slot != 1) continue;
    if (t.DesiredState == TaskState::kShutdown) shut++;
    if (t.DesiredState == TaskState::kReady) ready++;
  }
  EXPECT_EQ(shut, 1);
  EXPECT_EQ(ready, 1);
  EXPECT_TRUE(w.step().empty()) << "the batch is in flight";

  w.agent();  // the old task stops
  w.step();   // the new one may start now
  EXPECT_EQ(count_image(w, "busybox:2"), 1u);
  for (const api::Task* t : w.active()) {
    if (t->Slot == 1) {
      EXPECT_EQ(t->DesiredState, TaskState::kRunning);
    }
  }
  drive(w);
  EXPECT_EQ(state(w), UpdateState::kCompleted);
  EXPECT_EQ(w.service().UpdateStatus->Message, "update completed");
  EXPECT_EQ(w.service().UpdateStatus->CompletedAt, w.now);
  EXPECT_EQ(count_image(w, "busybox:2"), 3u);
  EXPECT_EQ(w.active().size(), 3u);
}

TEST(Updater, CompletesOnlyAfterTheMonitorPeriod) {
  api::UpdateConfig config;
  config.Parallelism = 0;  // all at once
  config.Monitor = 10s;
  World w = running_service(2, config, true);
  change_image(w, "busybox:2");
  w.step();
  w.agent();
  w.step();
  w.agent();  // both new tasks run now
  EXPECT_EQ(count_image(w, "busybox:2"), 2u);
  Timestamp running_at = w.now;
  Plan p = w.step();
  EXPECT_EQ(state(w), UpdateState::kUpdating);
  EXPECT_EQ(p.next_follow_up(), running_at + 10s);
  w.now = running_at + 9s;
  w.step();
  EXPECT_EQ(state(w), UpdateState::kUpdating);
  w.now = running_at + 10s;
  w.step();
  EXPECT_EQ(state(w), UpdateState::kCompleted);
}

TEST(Updater, ParallelismAndDelayMakeBatches) {
  api::UpdateConfig config;
  config.Parallelism = 2;
  config.Delay = 30s;
  World w = running_service(5, config, true);
  change_image(w, "busybox:2");
  std::vector<size_t> updated_at_round;
  for (int round = 0; round < 200 && state(w) != UpdateState::kCompleted; ++round) {
    w.step();
    w.agent();
    updated_at_round.push_back(count_image(w, "busybox:2"));
    w.now = w.now + 1s;
  }
  ASSERT_EQ(state(w), UpdateState::kCompleted);
  // 2 at once, then a 30 s pause, then 2 more, then 1.
  EXPECT_EQ(updated_at_round[3], 2u);
  EXPECT_EQ(updated_at_round[25], 2u);
  EXPECT_EQ(updated_at_round[40], 4u);
  EXPECT_EQ(updated_at_round.back(), 5u);
  for (size_t i = 1; i < updated_at_round.size(); ++i) {
    EXPECT_LE(updated_at_round[i] - updated_at_round[i - 1], 2u) << "never more than a batch";
  }
}

TEST(Updater, StartFirstKeepsTheOldTaskUntilTheNewOneRuns) {
  api::UpdateConfig config;
  config.Order = api::UpdateOrder::kStartFirst;
  World w = running_service(1, config, true);
  std::string old_id = w.active().at(0)->ID;
  change_image(w, "busybox:2");
  w.step();
  ASSERT_EQ(w.active().size(), 2u) << "new and old both desired running";
  EXPECT_EQ(w.tasks.at(old_id).DesiredState, TaskState::kRunning);
  w.step();
  EXPECT_EQ(w.tasks.at(old_id).DesiredState, TaskState::kRunning) << "new one not running yet";
  w.agent();
  w.step();
  EXPECT_EQ(w.tasks.at(old_id).DesiredState, TaskState::kShutdown);
  drive(w);
  EXPECT_EQ(state(w), UpdateState::kCompleted);
}

// Starts an update of 4 replicas to a bad image whose first new task fails.
World failing_update(api::UpdateConfig config) {
  World w = running_service(4, config, true);
  change_image(w, "busybox:bad");
  w.step();
  w.agent();
  w.step();
  w.agent();  // the first new task runs
  for (const api::Task* t : w.active()) {
    if (t->Spec->ContainerSpec->Image == "busybox:bad") {
      w.now = w.now + 1s;
      w.report(t->ID, TaskState::kFailed);
      break;
    }
  }
  return w;
}

std::string failed_task(const World& w) {
  for (const auto& [id, t] : w.tasks) {
    if (t.Status.State == TaskState::kFailed) return id;
  }
  return {};
}

TEST(Updater, FailureActionPause) {
  api::UpdateConfig config;
  config.Parallelism = 1;  // FailureAction defaults to pause
  World w = failing_update(config);
  std::string failed = failed_task(w);
  w.step();
  EXPECT_EQ(state(w), UpdateState::kPaused);
  EXPECT_EQ(w.service().UpdateStatus->Message,
            "update paused due to failure or early termination of task " + failed);
  for (int i = 0; i < 20; ++i) {
    w.agent();
    w.step();
    w.now = w.now + 10s;
  }
  EXPECT_EQ(state(w), UpdateState::kPaused);
  EXPECT_EQ(count_image(w, "busybox:1"), 3u) << "no further slot was touched";
}

TEST(Updater, FailureActionContinue) {
  api::UpdateConfig config;
  config.Parallelism = 1;
  config.FailureAction = api::UpdateFailureAction::kContinue;
  World w = failing_update(config);
  drive(w, 200);
  EXPECT_EQ(state(w), UpdateState::kCompleted);
  EXPECT_EQ(count_image(w, "busybox:bad"), 4u);
}

TEST(Updater, ContinueMovesOnWhenNewTasksNeverStart) {
  api::UpdateConfig config;
  config.Parallelism = 1;
  config.FailureAction = api::UpdateFailureAction::kContinue;
  World w = running_service(3, config, true);
  change_image(w, "busybox:bad");
  for (int i = 0; i < 300 && state(w) != UpdateState::kCompleted; ++i) {
    w.step();
    for (auto& [id, t] : w.tasks) {  // the image cannot be pulled: every new task is rejected
      if (t.Spec->ContainerSpec->Image == "busybox:bad" && !api::is_terminal(t.Status.State)) {
        w.report(id, TaskState::kRejected);
      }
    }
    w.agent();
    w.now = w.now + 1s;
  }
  EXPECT_EQ(state(w), UpdateState::kCompleted)
      << "restarts of a failed task do not hold the update";
  size_t old_left = 0;
  for (const auto& [id, t] : w.tasks) {
    old_left +=
        t.Spec->ContainerSpec->Image == "busybox:1" && t.DesiredState <= TaskState::kRunning;
  }
  EXPECT_EQ(old_left, 0u);
}

TEST(Updater, MaxFailureRatioToleratesSomeFailures) {
  api::UpdateConfig config;
  config.Parallelism = 1;
  config.MaxFailureRatio = 0.5;
  World w = failing_update(config);
  drive(w, 200);
  EXPECT_EQ(state(w), UpdateState::kCompleted) << "1 failure out of 4 slots is under 0.5";
}

TEST(Updater, FailureActionRollbackThenRollbackCompletes) {
  api::UpdateConfig config;
  config.Parallelism = 1;
  config.FailureAction = api::UpdateFailureAction::kRollback;
  World w = failing_update(config);
  std::string failed = failed_task(w);
  w.step();
  ASSERT_EQ(state(w), UpdateState::kRollbackStarted);
  EXPECT_EQ(w.service().UpdateStatus->Message,
            "update rolled back due to failure or early termination of task " + failed);
  EXPECT_EQ(w.service().Spec.TaskTemplate.ContainerSpec->Image, "busybox:1");
  EXPECT_FALSE(w.service().PreviousSpec.has_value());
  drive(w, 200);
  EXPECT_EQ(state(w), UpdateState::kRollbackCompleted);
  EXPECT_EQ(w.service().UpdateStatus->Message, "rollback completed");
  EXPECT_EQ(count_image(w, "busybox:1"), 4u);
}

TEST(Updater, FailureLongAfterReachingRunningIsNotAnUpdateFailure) {
  api::UpdateConfig config;
  config.Parallelism = 1;
  config.Delay = 60s;  // keeps the update going while the first task ages
  World w = running_service(2, config, true);
  change_image(w, "busybox:2");
  w.step();
  w.agent();
  w.step();
  w.agent();
  w.now = w.now + 6s;  // past the 5 s monitor
  for (const api::Task* t : w.active()) {
    if (t->Spec->ContainerSpec->Image == "busybox:2") {
      w.report(t->ID, TaskState::kFailed);
      break;
    }
  }
  w.step();
  EXPECT_EQ(state(w), UpdateState::kUpdating);
}

TEST(Updater, ManualRollbackRunsWithTheRollbackConfig) {
  World w = running_service(2);
  change_image(w, "busybox:2");
  drive(w);
  ASSERT_EQ(state(w), UpdateState::kCompleted);
  // What the control API does for `docker service rollback`.
  w.edit_service([&](api::Service& s) {
    std::swap(s.Spec, *s.PreviousSpec);
    s.UpdateStatus = api::UpdateStatus{UpdateState::kRollbackStarted, w.now, std::nullopt,
                                       "manually requested rollback"};
  });
  w.step();
  EXPECT_EQ(state(w), UpdateState::kRollbackStarted);
  drive(w);
  EXPECT_EQ(state(w), UpdateState::kRollbackCompleted);
  EXPECT_EQ(count_image(w, "busybox:1"), 2u);
}

TEST(Updater, ForceUpdateRedeploys) {
  World w = running_service(2);
  w.edit_service([](api::Service& s) {
    s.Spec.TaskTemplate.ForceUpdate++;
    s.UpdateStatus.reset();
  });
  w.step();
  EXPECT_EQ(state(w), UpdateState::kUpdating);
  drive(w);
  EXPECT_EQ(state(w), UpdateState::kCompleted);
  for (const api::Task* t : w.active()) EXPECT_EQ(t->Spec->ForceUpdate, 1u);
}

TEST(Updater, ConstraintChangeMovesOnlyTasksThatNoLongerFit) {
  api::Service s = replicated_service(2);
  World w(s);
  w.add_node(
      make_node("n1", api::NodeState::kReady, api::NodeAvailability::kActive, {{"zone", "a"}}));
  w.settle();
  w.edit_service([](api::Service& s) {
    s.Spec.TaskTemplate.Placement.emplace().Constraints = {"node.labels.zone==a"};
    s.UpdateStatus.reset();
  });
  EXPECT_TRUE(w.step().empty()) << "n1 still fits: nothing to do";
  w.edit_service([](api::Service& s) {
    s.Spec.TaskTemplate.Placement->Constraints = {"node.labels.zone==b"};
  });
  w.step();
  EXPECT_EQ(state(w), UpdateState::kUpdating);
}

TEST(Updater, PausedUpdateDoesNothing) {
  World w = running_service(2);
  change_image(w, "busybox:2");
  w.edit_service([&](api::Service& s) {
    s.UpdateStatus = api::UpdateStatus{UpdateState::kPaused, w.now, std::nullopt, "paused"};
  });
  EXPECT_TRUE(w.step().empty());
}

TEST(Updater, GlobalServiceUpdatesNodeByNode) {
  World w(global_service("busybox:1"));
  for (const char* n : {"n1", "n2", "n3"}) w.add_node(make_node(n));
  w.settle();
  ASSERT_EQ(w.active().size(), 3u);
  change_image(w, "busybox:2");
  w.step();
  EXPECT_EQ(state(w), UpdateState::kUpdating);
  drive(w);
  EXPECT_EQ(state(w), UpdateState::kCompleted);
  std::set<std::string> nodes;
  for (const api::Task* t : w.active()) {
    EXPECT_EQ(t->Spec->ContainerSpec->Image, "busybox:2");
    nodes.insert(t->NodeID);
  }
  EXPECT_EQ(nodes, (std::set<std::string>{"n1", "n2", "n3"}));
}

}  // namespace
}  // namespace shoal::manager::orchestrator
