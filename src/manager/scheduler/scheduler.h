// The scheduler: places pending tasks on nodes (docs/control-plane.md, step "place").
//
// It runs inside a manager::ReconcileLoop. From store events it keeps, incrementally:
//   - a ClusterState (cluster_state.h): nodes with per-node counters of what assigned tasks
//     use, and the services' host ports;
//   - the pending tasks (Status.State == pending), and which of them are new since the last
//     tick.
// A tick plans (placement.h) either the new pending tasks only, or — when capacity may have
// appeared (a node changed, a task left a node or stopped being active, a commit failed) —
// every pending task, and commits the plan with Store::batch (many assignments per datastore
// commit):
//   - placed: NodeID, GenericResources, Status.State = assigned with "scheduler assigned task
//     to node" (through api::advance_task);
//   - not placed: stays pending, Status.Err = "no suitable node (...)", written only when the
//     text changes, so an unschedulable task is not rewritten every tick;
//   - pending but desired shutdown/remove: Status.State = shutdown (it will never run).
// Each write re-reads the task in its transaction and is skipped if the task is no longer
// pending as planned (or its node went away); the skipped task is re-planned on a later tick.
// If a datastore commit fails, every decision of the tick is undone in memory and retried
// after kRetryDelay (the committed ones come back as events and are counted then).
//
// Level-triggered: on_snapshot() rebuilds everything from the store; nothing else survives a
// restart, nor needs to.
//
// Thread safety: as Reconciler (loop thread only).
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "manager/reconcile_loop.h"
#include "manager/scheduler/cluster_state.h"
#include "manager/scheduler/placement.h"
#include "store/store.h"

namespace shoal::manager::scheduler {

// How long after a failed commit the scheduler tries again.
inline constexpr std::chrono::milliseconds kRetryDelay{500};
// Pending tasks arriving within 50 ms are placed by one tick (swarmkit's commitDebounceGap):
// fewer, bigger plans and commits when tasks arrive in a stream of commits.
inline constexpr LoopOptions kLoopOptions{std::chrono::milliseconds(50)};

class Scheduler final : public Reconciler {
 public:
  // `store` must outlive the scheduler.
  explicit Scheduler(store::Store& store) : store_(store) {}

  std::string name() const override { return "scheduler"; }
  store::WatchFilter filter() const override;
  void on_snapshot(const store::ReadTxn& snapshot) override;
  void on_event(const store::Event& event) override;
  std::optional<Timestamp> tick(Timestamp now) override;
  LoopOptions loop_options() const override { return kLoopOptions; }

  // For tests and benchmarks (loop thread only).
  const ClusterState& state() const { return state_; }
  size_t pending_tasks() const { return pending_.size(); }

 private:
  using TaskPtr = std::shared_ptr<const api::Task>;

  // Brings what is known of one task in line with `task` (its current version).
  void observe(const TaskPtr& task);
  void forget(std::string_view task_id);
  // Commits `plan`. Returns false when a datastore commit failed (the plan is undone then).
  bool commit(const Plan& plan, Timestamp now);
  // Undoes the in-memory effect of a planned assignment that was not committed.
  void revert(const Assignment& assignment);

  store::Store& store_;
  ClusterState state_;
  absl::flat_hash_map<std::string, TaskPtr> pending_;  // Status.State == pending
  absl::flat_hash_set<std::string> fresh_;             // pending tasks not planned yet
  bool retry_all_ = false;  // capacity may have appeared: plan every pending task
};

struct SchedulerDeps {
  store::Store& store;
};

// The scheduler as the daemon runs it (in a ReconcileLoop).
std::unique_ptr<Reconciler> make_scheduler(SchedulerDeps deps);

}  // namespace shoal::manager::scheduler
