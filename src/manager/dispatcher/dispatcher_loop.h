// The dispatcher's reconciler (internal to dispatcher/): routes task changes to the nodes'
// subscriptions and expires missed heartbeats, on the dispatcher's ReconcileLoop thread.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <memory>
#include <string>
#include <vector>

#include "manager/dispatcher/dispatcher.h"

namespace shoal::manager::dispatcher {

class Dispatcher::Loop final : public Reconciler {
 public:
  explicit Loop(Dispatcher& dispatcher) : d_(dispatcher) {}

  std::string name() const override { return "dispatcher"; }
  store::WatchFilter filter() const override;
  void on_snapshot(const store::ReadTxn& snapshot) override;
  void on_event(const store::Event& event) override;
  std::optional<Timestamp> tick(Timestamp now) override;
  LoopOptions loop_options() const override { return {d_.options_.assignment_batch_wait}; }

 private:
  void read_heartbeat_period();
  void route_changes();
  // Routes the dirty tasks of dirty_ (no resync), kTasksPerChunk tasks per lock hold.
  void route_dirty();
  static constexpr size_t kTasksPerChunk = 2048;
  void drop_deleted_nodes();
  // Marks nodes past their deadline DOWN; returns the earliest deadline left.
  std::optional<Timestamp> expire(Timestamp now);

  Dispatcher& d_;
  // Loop-thread state (on_snapshot, on_event and tick never run concurrently).
  bool resync_all_ = true;
  bool cluster_dirty_ = true;
  // Node → the task versions whose events named it (old and new); keys view the NodeID of
  // the vector's first task, which the vector keeps alive. No string is copied per event.
  absl::flat_hash_map<absl::string_view, std::vector<std::shared_ptr<const api::Task>>> dirty_;
  std::vector<std::string> deleted_nodes_;
  // Nodes whose deadline passed but whose DOWN state is not written yet (node ID, whether it
  // was "unknown"); retried every kDownRetry until the store takes it.
  std::vector<std::pair<std::string, bool>> down_pending_;
  static constexpr std::chrono::seconds kDownRetry{1};
};

}  // namespace shoal::manager::dispatcher
