// The allocator: network bookkeeping between the orchestrators and the scheduler
// (docs/control-plane.md, step "allocate"). It gives
//   - networks their subnet, gateway, IPAM and driver state (VXLAN ID);
//   - services their Endpoint: published ingress ports (unique cluster-wide, 30000-32767
//     when the spec says 0) and one virtual IP per attached network;
//   - tasks in state new their NetworksAttachments with addresses, then moves them to
//     pending ("pending task scheduling");
// and frees what deleted networks and services, and ended or deleted tasks, held. The plans
// are made by plan.h's pure planners.
//
// It runs inside a manager::ReconcileLoop. Its AllocState (alloc_state.h) is derived from the
// store alone: on_snapshot() rebuilds it, and every event applies unhold(old) + hold(new).
// A tick:
//   1. allocates the networks that are not allocated (one batch);
//   2. from a fresh snapshot, plans the endpoints of changed services and the tasks in state
//      new, and commits them in one Store::batch (services first).
// Each write re-reads its object in the transaction and is skipped when the object changed
// since it was planned (its claims are undone; the change's event brings it back). When a
// datastore commit fails, every claim of the tick is undone and the tick is retried after
// kRetryDelay. The events of its own writes change nothing (the claims are in place already).
//
// Thread safety: as Reconciler (loop thread only).
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "manager/allocator/alloc_state.h"
#include "manager/allocator/plan.h"
#include "manager/reconcile_loop.h"
#include "store/store.h"

namespace shoal::manager::allocator {

// How long after a failed commit the allocator tries again.
inline constexpr std::chrono::milliseconds kRetryDelay{500};

class Allocator final : public Reconciler {
 public:
  // `store` must outlive the allocator.
  explicit Allocator(store::Store& store);

  std::string name() const override { return "allocator"; }
  store::WatchFilter filter() const override;
  void on_snapshot(const store::ReadTxn& snapshot) override;
  void on_event(const store::Event& event) override;
  std::optional<Timestamp> tick(Timestamp now) override;

  // For tests (loop thread only).
  AllocState& state() { return state_; }

 private:
  using NetworkPtr = std::shared_ptr<const api::Network>;
  using ServicePtr = std::shared_ptr<const api::Service>;
  using TaskPtr = std::shared_ptr<const api::Task>;

  void set_pool(const api::Swarm* cluster);
  // True (and forgotten) when `old` is the base of a unit this allocator committed.
  bool own_commit(const store::AnyObject& old);
  void on_network(const NetworkPtr& old, const NetworkPtr& now);
  void on_service(const ServicePtr& old, const ServicePtr& now);
  void on_task(const TaskPtr& old, const TaskPtr& now);

  // What phase 2 plans from, read from one snapshot.
  struct Inputs {
    NetworkIndex networks;
    std::vector<ServicePtr> services;                                // to plan
    absl::flat_hash_map<std::string, ServicePtr> services_of_tasks;  // by ID; null if gone
  };

  // The two phases of a tick; each returns false when its commit failed (claims undone).
  bool allocate_networks(Timestamp now);
  bool allocate_services_and_tasks(Timestamp now);
  Inputs read_inputs(const std::vector<TaskPtr>& tasks);
  // Writes planned units (services first) in one Store::batch and settles their claims.
  // Returns false when a commit failed (every claim undone; services marked dirty again).
  bool write_units(const std::vector<Unit<api::Service>>& service_units,
                   const std::vector<Unit<api::Task>>& task_units);
  static constexpr size_t kTasksPerChunk = 10000;
  void log_errors(const std::vector<PlanError>& errors);

  store::Store& store_;
  AllocState state_;
  std::vector<std::string> pool_config_;  // the cluster's DefaultAddrPool ...
  uint32_t subnet_size_ = 0;              // ... and SubnetSize the pool was made from

  absl::flat_hash_map<std::string, NetworkPtr> networks_;  // every network
  bool networks_dirty_ = false;                            // some network may be allocatable now

  absl::flat_hash_set<std::string> dirty_services_;
  bool all_services_dirty_ = false;
  absl::flat_hash_set<std::string> failed_services_;  // retried on any service change

  absl::flat_hash_map<std::string, TaskPtr> new_tasks_;  // Status.State == new
  absl::flat_hash_set<std::string> fresh_tasks_;         // not planned yet
  bool retry_tasks_ = false;    // plan every new task (networks changed, ...)
  bool tasks_waiting_ = false;  // some task waits for a free address

  // Bases of units committed by the last tick, by address: their events change nothing.
  absl::flat_hash_map<const void*, std::shared_ptr<const void>> own_commits_;
  std::set<std::string> logged_;  // errors logged already (each is logged once)
};

struct AllocatorDeps {
  store::Store& store;
};

// The allocator as the daemon runs it (in a ReconcileLoop).
std::unique_ptr<Reconciler> make_allocator(AllocatorDeps deps);

}  // namespace shoal::manager::allocator
