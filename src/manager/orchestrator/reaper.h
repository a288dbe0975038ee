// The task reaper (swarmkit manager/orchestrator/taskreaper): deletes tasks nobody needs.
//
//   - History: a slot of a service (per node for global and global-job services) keeps at
//     most TaskHistoryRetentionLimit tasks (cluster Spec.Orchestration; default 5; negative:
//     keep everything). When a service's RestartPolicy.MaxAttempts is set, at least
//     MaxAttempts + 1 are kept, since restart counting reads them (restart.h). The oldest
//     (by Status.Timestamp) stopped tasks go first: stopped = ended, or never assigned and no
//     longer wanted, or no longer wanted on a node that does not exist any more.
//   - Removal: a task desired `remove` is deleted once it is not running: never assigned,
//     ended, or on a node that does not exist any more.
//   - Start-up (every fresh snapshot): tasks whose service no longer exists are deleted
//     (swarmkit taskinit), and every slot is checked.
//
// The reaper only deletes; it never changes a task. It runs as its own Reconciler
// (TaskReaper), marking slots dirty when a task is created or ends.
//
// Differences from swarmkit: MaxAttempts + 1 is a floor, not a replacement, for the limit;
// job services' slots are cleaned too; a task on a deleted node counts as stopped.
#pragma once

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "manager/orchestrator/inputs.h"
#include "manager/reconcile_loop.h"
#include "store/store.h"

namespace shoal::manager::orchestrator {

// How many tasks a slot of `service` keeps; negative = all. `cluster` may be null.
int64_t history_limit(const api::Swarm* cluster, const api::Service& service);

// A task desired `remove` that may be deleted now.
bool removable(const api::Task& task, const NodeMap& nodes);

// The tasks of one slot (or node) to delete so that at most `limit` remain, oldest first.
// `active_limit` is the service's active_desired_limit (inputs.h): a task desired beyond it
// is no longer wanted.
std::vector<TaskPtr> plan_history(std::vector<TaskPtr> slot_tasks, int64_t limit,
                                  api::TaskState active_limit, const NodeMap& nodes);

class TaskReaper : public Reconciler {
 public:
  explicit TaskReaper(store::Store& store) : store_(store) {}

  std::string name() const override { return "task reaper"; }
  store::WatchFilter filter() const override;
  void on_snapshot(const store::ReadTxn& snapshot) override;
  void on_event(const store::Event& event) override;
  std::optional<Timestamp> tick(Timestamp now) override;

 private:
  // A slot (service, slot) or, for per-node services, (service, node).
  using SlotKey = std::tuple<std::string, int64_t, std::string>;

  // Collects the deletions (inside a snapshot).
  std::vector<Deletion> plan(const store::ReadTxn& snapshot);

  store::Store& store_;
  bool full_scan_ = false;
  std::set<SlotKey> dirty_slots_;
  std::set<std::string> removals_;  // task IDs desired remove that may have stopped
};

}  // namespace shoal::manager::orchestrator
