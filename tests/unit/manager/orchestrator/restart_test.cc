#include "manager/orchestrator/restart.h"

#include <gtest/gtest.h>

#include "world.h"

namespace shoal::manager::orchestrator {
namespace {

using namespace testing;
using api::RestartPolicyCondition;
using api::TaskState;

api::Service with_policy(RestartPolicyCondition condition,
                         std::optional<uint64_t> max_attempts = {},
                         std::optional<std::chrono::nanoseconds> window = {},
                         std::optional<std::chrono::nanoseconds> delay = {}) {
  api::Service s = replicated_service(1);
  auto& p = s.Spec.TaskTemplate.RestartPolicy.emplace();
  p.Condition = condition;
  p.MaxAttempts = max_attempts;
  p.Window = window;
  p.Delay = delay;
  return s;
}

TEST(RestartPolicy, Defaults) {
  RestartPolicyValues p = restart_policy(api::TaskSpec{});
  EXPECT_EQ(p.condition, RestartPolicyCondition::kAny);
  EXPECT_EQ(p.delay, 5s);
  EXPECT_EQ(p.max_attempts, 0u);
  EXPECT_EQ(p.window, 0s);
}

struct ConditionCase {
  RestartPolicyCondition condition;
  TaskState ended;
  bool job;
  bool restart;
};

TEST(ShouldRestart, Conditions) {
  const std::vector<ConditionCase> cases = {
      {RestartPolicyCondition::kAny, TaskState::kFailed, false, true},
      {RestartPolicyCondition::kAny, TaskState::kComplete, false, true},
      {RestartPolicyCondition::kAny, TaskState::kComplete, true, false},  // a job is done
      {RestartPolicyCondition::kAny, TaskState::kFailed, true, true},
      {RestartPolicyCondition::kUnset, TaskState::kComplete, false, true},  // default any
      {RestartPolicyCondition::kOnFailure, TaskState::kFailed, false, true},
      {RestartPolicyCondition::kOnFailure, TaskState::kRejected, false, true},
      {RestartPolicyCondition::kOnFailure, TaskState::kComplete, false, false},
      {RestartPolicyCondition::kOnFailure, TaskState::kRunning, false, true},  // lost its node
      {RestartPolicyCondition::kNone, TaskState::kFailed, false, false},
      {RestartPolicyCondition::kNone, TaskState::kRunning, false, false},
  };
  for (const ConditionCase& c : cases) {
    SCOPED_TRACE(::testing::Message() << api::to_string(c.condition) << " "
                                      << api::to_string(c.ended) << (c.job ? " job" : ""));
    World w(with_policy(c.condition));
    api::Task& t = w.put_task("a", 1, "n1", c.ended);
    SpecKeys keys;
    std::vector<TaskPtr> slot{std::make_shared<const api::Task>(t)};
    EXPECT_EQ(should_restart(t, slot, c.job, keys), c.restart);
  }
}

// A slot with `restarts` earlier restarts of the same spec, created 10 s apart, then the
// task that just ended; returns should_restart for it.
bool restart_after(World& w, int restarts, std::optional<Timestamp> other_spec_at = {}) {
  Timestamp start = w.now;
  std::vector<TaskPtr> slot;
  for (int i = 0; i <= restarts; ++i) {
    api::Task& t =
        w.put_task("t" + std::to_string(i), 1, "n1", TaskState::kFailed, TaskState::kShutdown);
    t.CreatedAt = start + std::chrono::seconds(10 * i);
    t.Status.Timestamp = t.CreatedAt + 5s;
    slot.push_back(std::make_shared<const api::Task>(t));
  }
  if (other_spec_at) {
    api::Task other = *slot.front();
    other.ID = "other";
    auto spec = std::make_shared<api::TaskSpec>(*other.Spec);
    spec->ForceUpdate++;
    other.Spec = spec;
    other.CreatedAt = *other_spec_at;
    slot.push_back(std::make_shared<const api::Task>(other));
  }
  const api::Task& ended = *slot[restarts];
  SpecKeys keys;
  return should_restart(ended, slot, false, keys);
}

TEST(ShouldRestart, MaxAttemptsCountsTheSlotsRestartsOfTheSameSpec) {
  for (int restarts = 0; restarts <= 3; ++restarts) {
    SCOPED_TRACE(restarts);
    World w(with_policy(RestartPolicyCondition::kAny, 2));
    EXPECT_EQ(restart_after(w, restarts), restarts < 2);
  }
  World w(with_policy(RestartPolicyCondition::kAny, 2));
  EXPECT_FALSE(restart_after(w, 2, w.now + 1s)) << "tasks of another spec do not count, nor help";
  World unlimited(with_policy(RestartPolicyCondition::kAny, 0));
  EXPECT_TRUE(restart_after(unlimited, 10));
}

TEST(ShouldRestart, WindowCountsOnlyRecentRestarts) {
  // Restarts created at +10 s, +20 s, +30 s; the last task ends at +35 s.
  struct Case {
    std::chrono::seconds window;
    uint64_t max;
    bool restart;
  };
  const std::vector<Case> cases = {
      {60s, 3, false},                  // all three restarts are within the window
      {60s, 4, true},  {20s, 3, true},  // only +20 s and +30 s are after +15 s
      {20s, 2, false}, {6s, 1, false},  // +30 s only
      {4s, 1, true},                    // none
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.window.count() << "s max " << c.max);
    World w(with_policy(RestartPolicyCondition::kAny, c.max, c.window));
    EXPECT_EQ(restart_after(w, 3), c.restart);
  }
}

TEST(PlanStarts, WaitsForTheDelayThenStarts) {
  World w(with_policy(RestartPolicyCondition::kAny, {}, {}, 3s));
  w.add_node(make_node("n1"));
  w.put_task("old", 1, "n1", TaskState::kFailed, TaskState::kShutdown);
  w.put_task("new", 1, "", TaskState::kNew, TaskState::kReady);
  Plan p = w.step();
  EXPECT_TRUE(p.units().empty());
  EXPECT_EQ(p.next_follow_up(), w.now + 3s);
  w.now = w.now + 3s;
  w.step();
  EXPECT_EQ(w.tasks.at("new").DesiredState, TaskState::kRunning);
}

TEST(PlanStarts, WaitsForTheReplacedTaskToStopUntilTheTimeout) {
  World w(with_policy(RestartPolicyCondition::kAny, {}, {}, 0s));
  w.add_node(make_node("n1"));
  w.put_task("old", 1, "n1", TaskState::kRunning, TaskState::kShutdown);
  w.put_task("new", 1, "", TaskState::kNew, TaskState::kReady);
  Plan p = w.step();
  EXPECT_EQ(p.next_follow_up(), w.now + 1min);
  EXPECT_EQ(w.tasks.at("new").DesiredState, TaskState::kReady);
  w.now = w.now + 1min;
  w.step();
  EXPECT_EQ(w.tasks.at("new").DesiredState, TaskState::kRunning) << "started anyway";
}

TEST(PlanStarts, NoDelayWhenReplacingAnotherSpec) {
  World w(with_policy(RestartPolicyCondition::kAny, {}, {}, 30s));
  w.add_node(make_node("n1"));
  api::Task& old = w.put_task("old", 1, "n1", TaskState::kShutdown, TaskState::kShutdown);
  auto spec = std::make_shared<api::TaskSpec>(*old.Spec);
  spec->ContainerSpec->Image = "busybox:old";
  old.Spec = spec;
  w.put_task("new", 1, "", TaskState::kNew, TaskState::kReady);
  w.step();
  EXPECT_EQ(w.tasks.at("new").DesiredState, TaskState::kRunning);
}

TEST(PlanStarts, JobTasksStartTowardsComplete) {
  api::Service s = with_policy(RestartPolicyCondition::kOnFailure, {}, {}, 0s);
  s.Spec.Mode = {};
  s.Spec.Mode.ReplicatedJob.emplace();
  s.JobStatus.emplace();
  World w(s);
  w.add_node(make_node("n1"));
  api::Task& t = w.put_task("new", 0, "", TaskState::kNew, TaskState::kReady);
  t.JobIteration = api::Version{};
  w.step();
  EXPECT_EQ(w.tasks.at("new").DesiredState, TaskState::kComplete);
}

TEST(OccupyingTasks, Rules) {
  World w(with_policy(RestartPolicyCondition::kNone));
  SpecKeys keys;
  auto ptr = [&](const std::string& id) {
    return std::make_shared<const api::Task>(w.tasks.at(id));
  };
  w.put_task("a", 1, "n1", TaskState::kFailed, TaskState::kShutdown);
  ServiceInputs in;
  in.service = std::make_shared<api::Service>(w.service());
  EXPECT_EQ(occupying_tasks(in, {ptr("a")}, keys).size(), 1u) << "Condition none keeps the slot";
  w.tasks.at("a").DesiredState = TaskState::kRemove;
  EXPECT_TRUE(occupying_tasks(in, {ptr("a")}, keys).empty()) << "removed slots are free";

  World any(replicated_service(1));
  any.put_task("b", 1, "n1", TaskState::kFailed, TaskState::kShutdown);
  in.service = std::make_shared<api::Service>(any.service());
  auto b = std::make_shared<const api::Task>(any.tasks.at("b"));
  EXPECT_TRUE(occupying_tasks(in, {b}, keys).empty()) << "it will be restarted: the slot is free";
}

}  // namespace
}  // namespace shoal::manager::orchestrator
