// The replicated orchestrator's planner (swarmkit manager/orchestrator/replicated): keeps
// Spec.Mode.Replicated.Replicas (default 1) tasks in slots 1..Replicas.
//
// One pass over a service:
//   1. restarts (restart.h): a task desired running that ended, whose node is gone, down or
//      drained, or whose active node no longer satisfies the constraints the task was placed
//      with (swarmkit's constraint enforcer; a changed service constraint is the updater's
//      business instead), is shut down and replaced per its RestartPolicy;
//   2. scaling over the occupied slots (restart.h occupying_tasks):
//      - too few: new tasks (DesiredState running, State new) in the lowest free slots,
//        kCreatesPerUnit to a unit and at most kMaxCreatesPerPass in one pass (the plan
//        then follows up at once), so a huge count is made in bounded steps;
//      - too many: the slots to stop are chosen as swarmkit does — slots are ordered
//        running-first (then by slot number), each gets its rank among the service's tasks on
//        its node (1st, 2nd, ... copy; slots with several tasks or no node rank last), and the
//        first Replicas slots by rank are kept; the others' tasks get DesiredState remove
//        (the reaper deletes them once stopped);
//   3. the rolling update (updater.h) over the kept slots;
//   4. starting `ready` replacements whose time has come (restart.h plan_starts).
// Differences from swarmkit: slots whose tasks all have DesiredState remove are free (swarmkit
// may count such a slot as occupied under Condition none); tasks of a "dead" slot are left to
// the reaper instead of being deleted at once; the slot order is fully deterministic; the
// constraint enforcement leaves Status alone (swarmkit marks the task rejected) and does not
// check resources (the scheduler's business).
#pragma once

#include "manager/orchestrator/inputs.h"

namespace shoal::manager::orchestrator {

// New tasks in fresh slots commit together in units of this many.
inline constexpr size_t kCreatesPerUnit = 256;

// REQUIRES: in.service is a replicated service.
Plan plan_replicated(const ServiceInputs& in);

// For a deleted service: every task not yet desired `remove` gets it, one unit per task.
Plan plan_service_removal(const std::string& service_id, std::vector<TaskPtr> tasks);

}  // namespace shoal::manager::orchestrator
