// The updater (swarmkit manager/orchestrator/update): replaces the tasks of a service whose
// spec changed, slot by slot, and keeps Service.UpdateStatus as Docker reports it.
//
// It is a planning step the replicated and global orchestrators call on every pass, after
// restarts and scaling; it keeps no state between passes. Where swarmkit's updater remembers
// things in a goroutine, this one reads them from the store:
//   - the update in progress is UpdateStatus (updating / rollback_started) with StartedAt;
//   - the task the update created for a slot is the slot's first task running the current
//     spec created at or after StartedAt (later ones are its restarts: like swarmkit, the
//     update neither waits for them nor counts their failures);
//   - a batch place is taken while such a task has not reached running (or ended), and for
//     Delay after it did (Parallelism places; 0 = every dirty slot at once);
//   - a failure is such a task that ended on its own (complete, failed, rejected, orphaned)
//     within Monitor of reaching running, or without reaching it as far as this manager saw
//     (soft state: after a leader change, a task that ran under the old leader and then
//     fails counts as a failure).
//
// A pass:
//   1. UpdateStatus paused or rollback_paused: nothing.
//   2. Failures: if failures / slots in the update > MaxFailureRatio, FailureAction applies
//      (continue: nothing) —
//        pause:    paused (rollback_paused during a rollback),
//                  "update paused due to failure or early termination of task <id>"
//        rollback: rollback_started, "update rolled back due to failure or early termination
//                  of task <id>", Spec = PreviousSpec, PreviousSpec cleared (during a rollback:
//                  rollback_paused, "rollback paused due to failure or early termination of
//                  task <id>"; without a PreviousSpec: pause)
//   3. Dirty slots (a slot is dirty when it holds more than one task or its task is dirty,
//      spec.h): with none left, the update completes once every slot's update task reached
//      running (or ended) and the monitor period passed after the last one (plus Delay; Monitor
//      becomes Delay+1s when Delay >= Monitor, as in swarmkit): updating → completed "update
//      completed", rollback_started → rollback_completed "rollback completed", with CompletedAt.
//      With dirty slots and no UpdateStatus, the update starts: updating "update in
//      progress", StartedAt = now.
//   4. A dirty slot that already holds an up-to-date task finishes: the other tasks are shut
//      down (start-first: once the new task runs). Then free batch places take the next dirty
//      slots in slot (global: node ID) order: a new task is created; stop-first (default) shuts
//      the old tasks down in the same unit and creates the new one `ready` (started by
//      plan_starts once the old ones stopped), start-first creates it `running` and stops the
//      old ones once it runs.
// The rollback itself (control API: swap Spec and PreviousSpec, rollback_started "manually
// requested rollback") runs the same way with RollbackConfig.
#pragma once

#include <string>
#include <vector>

#include "manager/orchestrator/inputs.h"

namespace shoal::manager::orchestrator {

// One slot the update may touch: its occupying tasks (restart.h occupying_tasks) and every
// task it holds (history included).
struct UpdateSlot {
  int64_t slot = 0;     // replicated
  std::string node_id;  // per-node services
  std::vector<TaskPtr> occupying;
  std::vector<TaskPtr> all;
};

void plan_update(Plan& plan, const ServiceInputs& in, const std::vector<UpdateSlot>& slots);

// The messages Docker shows.
std::string update_paused_message(const std::string& task_id);
std::string update_rolled_back_message(const std::string& task_id);
std::string rollback_paused_message(const std::string& task_id);

}  // namespace shoal::manager::orchestrator
