// The task state machine: the one function that moves a task's observed state
// (Status.State), and the predicates the reconcilers share.
//
// States only move forward (NEW → ALLOCATED → PENDING → ASSIGNED → ACCEPTED → PREPARING →
// READY → STARTING → RUNNING → COMPLETE | SHUTDOWN | FAILED | REJECTED, then ORPHANED /
// REMOVE); any earlier state may jump to a later one (a task can fail while PREPARING).
// A report that would move a task backwards is refused, so a late or duplicated status
// report from an agent can never resurrect a finished task.
#pragma once

#include <string>

#include "api/task.h"
#include "common/status.h"
#include "common/time.h"

namespace shoal::api {

// True once the task has stopped for good (COMPLETE, SHUTDOWN, FAILED, REJECTED and later).
inline bool is_terminal(TaskState state) { return state > TaskState::kRunning; }

// Moves task.Status to `state` with `message` (and `err` for failures), stamping
// Status.Timestamp = now. Moving to the state it already has only refreshes message and err
// (no new timestamp unless they changed).
// Returns OK, or kFailedPrecondition "task <id>: cannot move from <old> to <new>" for a
// backward move (task unchanged).
Status advance_task(Task& task, TaskState state, std::string message, Timestamp now,
                    std::string err = {});

}  // namespace shoal::api
