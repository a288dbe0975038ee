// The restart supervisor (swarmkit manager/orchestrator/restart): what happens to a task that
// ended or lost its node while it was still wanted, and when a replacement may start.
//
// It is not a loop of its own: the orchestrators call these planning steps in every pass over
// a service, so one plan decides restarts, scaling and updates of a slot together.
//
// Restart (plan_restart): the ended task gets DesiredState shutdown; if the policy allows, a
// replacement is created in the same slot (global: on the same node) with DesiredState
// `ready`. Policy (RestartPolicy, defaults.h):
//   Condition none: never; on-failure: not after a clean exit (complete); any (default):
//   always, except that a job's completed task is done.
//   MaxAttempts (0 = unlimited): restarts of the slot for the task's spec so far are counted
//   from the store: every task of the slot with the same spec, except the first created, is
//   a restart (swarmkit reconstructs its history the same way at leader start-up). With a
//   Window, only restarts created within Window before the ended task's status time count.
// Start (plan_starts): a `ready` task is raised to `running` (jobs: `complete`) once
//   - `Delay` (default 5 s) has passed since it was created, when it replaces a task of the
//     same spec that was not on a drained node (a restart); no delay when it replaces a task
//     of another spec (a stop-first update), and
//   - no task it replaces (a task of the slot desired to stop) is still live on its node,
//     or kOldTaskTimeout has passed (then it starts anyway).
// Delays are follow-up times on the plan: nothing sleeps.
//
// Differences from swarmkit: history lives in the store, not in memory, so it survives a
// leader change unchanged; global jobs count restarts per node (swarmkit counts them per
// service).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "manager/orchestrator/inputs.h"

namespace shoal::manager::orchestrator {

struct RestartPolicyValues {
  api::RestartPolicyCondition condition = api::RestartPolicyCondition::kAny;
  std::chrono::nanoseconds delay{0};
  uint64_t max_attempts = 0;           // 0 = unlimited
  std::chrono::nanoseconds window{0};  // 0 = attempts counted forever
};

// The task spec's RestartPolicy with swarmkit's defaults filled in.
RestartPolicyValues restart_policy(const api::TaskSpec& spec);

// Whether `ended` (a task that stopped, or whose node is gone) gets a replacement.
// `slot_tasks` are the tasks of its slot (or node, for per-node services), `ended` included.
bool should_restart(const api::Task& ended, const std::vector<TaskPtr>& slot_tasks, bool job,
                    SpecKeys& keys);

// Stops `ended` (DesiredState shutdown) and, if should_restart, creates its replacement
// (DesiredState ready) in one unit. `slot_tasks` as above.
void plan_restart(Plan& plan, const ServiceInputs& in, const api::Task& ended,
                  const std::vector<TaskPtr>& slot_tasks, SpecKeys& keys);

// Starts the `ready` tasks of plan.tasks() whose time has come; asks for a follow-up when the
// next one is due.
void plan_starts(Plan& plan, const ServiceInputs& in, SpecKeys& keys);

// A slot's tasks that still occupy it (swarmkit UpdatableTasksInSlot): those desired at most
// running (jobs: complete); if none, the newest task when it will not be restarted (so a task
// that ended under Condition none keeps its slot), unless a rollback is in progress or the
// task was removed. Empty: the slot is free.
std::vector<TaskPtr> occupying_tasks(const ServiceInputs& in,
                                     const std::vector<TaskPtr>& slot_tasks, SpecKeys& keys);

}  // namespace shoal::manager::orchestrator
