// The job orchestrators' planners (swarmkit manager/orchestrator/jobs): services that run to
// completion, replicated-job and global-job.
//
// A job runs in iterations: the control API sets JobStatus.JobIteration when the job is
// created or updated; each task carries the iteration it belongs to (Task.JobIteration), and
// only tasks of the current iteration count. Tasks are created with DesiredState complete.
//
// Replicated job (Mode.ReplicatedJob: MaxConcurrent default 1, TotalCompletions default
// MaxConcurrent): slots 0..TotalCompletions-1, each ends with one completed task. A pass:
//   - tasks of older iterations still running get DesiredState remove (completed ones stay);
//   - a task of this iteration that ended without completing, whose node is gone, down or
//     drained, or whose node no longer fits its constraints (replicated.h), is restarted per its
//     RestartPolicy (restart.h; Condition any acts as on-failure: a completed task is done);
//   - new tasks, in the lowest free slots: min(MaxConcurrent - running,
//     TotalCompletions - completed - running);
//   - `ready` replacements start when due.
// Global job (Mode.GlobalJob): one task of the iteration on every node that takes tasks
// (global.h eligible_nodes); a task that failed is restarted on its node; tasks on nodes
// that are down, drained or no longer fit are shut down; older iterations as above.
// A completed job's tasks stay (the reaper keeps history as for other services).
// Differences from swarmkit: a replicated job's task on a node that went down is restarted
// (swarmkit waits for the agent); old iterations' completed tasks of a global job are kept,
// as for replicated jobs (swarmkit marks them for removal).
#pragma once

#include "manager/orchestrator/inputs.h"

namespace shoal::manager::orchestrator {

// REQUIRES: in.service is a replicated job.
Plan plan_replicated_job(const ServiceInputs& in);
// REQUIRES: in.service is a global job.
Plan plan_global_job(const ServiceInputs& in);

}  // namespace shoal::manager::orchestrator
