// The orchestrators as reconcilers (manager/reconcile_loop.h), and the factory the daemon
// starts them with.
//
//   ServiceOrchestrator(kReplicated)  replicated services   replicated.h
//   ServiceOrchestrator(kGlobal)      global services       global.h
//   ServiceOrchestrator(kJobs)        replicated and global jobs   jobs.h
//   TaskReaper                        every service         reaper.h
// The restart supervisor (restart.h) and the updater (updater.h) are planning steps inside
// the replicated and global passes, so one plan decides everything about a slot.
//
// A ServiceOrchestrator marks services dirty from store events (service changes; task
// creations, deletions, desired-state changes, moves off a node and ends; tasks coming up
// while their service is being updated; node changes that matter to placement) and, on
// tick, reads each dirty service's inputs from one snapshot, plans them after releasing it,
// then commits the plans (commit.h). A plan refused because the store moved on is planned again at
// once; other failures are retried after kRetryDelay. Delays the plans ask for (restart delays,
// update delays, monitor periods) come back as the tick's follow-up time.
//
// Soft state (lost on restart, rebuilt or approximated from the store): the dirty sets, the
// follow-up times, a cache of service templates, the services being updated, and when the
// tasks of those services were seen reaching running (the updater's monitor window; see
// updater.h).
//
// Thread safety: as Reconciler (one loop thread).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/id.h"
#include "common/time.h"
#include "manager/orchestrator/inputs.h"
#include "manager/orchestrator/plan.h"
#include "manager/orchestrator/spec.h"
#include "manager/reconcile_loop.h"
#include "store/store.h"

namespace shoal::manager::orchestrator {

inline constexpr std::chrono::seconds kRetryDelay{1};
// Loop options the orchestrators are meant to run with: events within 10 ms share one pass.
inline constexpr LoopOptions kLoopOptions{std::chrono::milliseconds(10)};

enum class Family { kReplicated, kGlobal, kJobs };

// Whether a task change (old → now; null = created / deleted) may change its service's plan,
// i.e. marks the service dirty. `updating`: the service has an update or rollback under way.
// It does when the task appeared or went, its desired state changed, it moved off a node
// (not the scheduler's first placement: the scheduler places only on nodes that take tasks,
// and a node that later stops taking them is a node event), or it ended — or it came up
// while its service is being updated (the updater waits for that). Placements and tasks
// coming up otherwise change no plan: at a million tasks, replanning every service for
// each of them was most of the orchestrators' work.
bool task_change_matters(const api::Task* old, const api::Task* now, bool updating);

class ServiceOrchestrator : public Reconciler {
 public:
  // `store` and `ids` must outlive this object.
  ServiceOrchestrator(Family family, store::Store& store, IdGenerator& ids);

  std::string name() const override;
  store::WatchFilter filter() const override;
  void on_snapshot(const store::ReadTxn& snapshot) override;
  void on_event(const store::Event& event) override;
  std::optional<Timestamp> tick(Timestamp now) override;

  // Whether this orchestrator drives `service` (by its mode).
  bool handles(const api::Service& service) const;

 private:
  void on_task_event(const store::Event& event);
  // Expands the marks (everything, nodes) into service IDs. Inside a snapshot.
  void collect_work(const store::ReadTxn& snapshot);
  // What a pass plans from, read from one snapshot; planned after the snapshot is released
  // (objects are immutable), so that readers and writers do not wait for the planning.
  struct Pass {
    NodeMap nodes;
    std::vector<ServiceInputs> services;
    std::vector<std::pair<std::string, std::vector<TaskPtr>>> removals;  // deleted services
  };
  void read_dirty(const store::ReadTxn& snapshot, Timestamp now, Pass& pass);
  // Plans and commits each service of the pass in turn (no snapshot held).
  void plan_and_commit(Pass& pass, Timestamp now);
  Plan plan_service(const ServiceInputs& in) const;
  // Commits one plan and records its follow-up (or its retry).
  void commit(const Plan& plan, Timestamp now);
  std::optional<Timestamp> next_follow_up() const;

  const Family family_;
  store::Store& store_;
  IdGenerator& ids_;

  bool all_dirty_ = false;
  std::set<std::string> dirty_;        // service IDs to plan
  std::set<std::string> removed_;      // deleted services of this family: tasks → remove
  std::set<std::string> dirty_nodes_;  // nodes whose change may move tasks
  std::set<std::string> updating_;     // services with an update or rollback under way
  std::map<std::string, Timestamp> follow_ups_;
  RunningSince running_since_;
  TemplateCache templates_;
};

struct OrchestratorDeps {
  store::Store& store;
  // The clock the loops run on; the store must stamp times with the same clock (the updater
  // compares task creation times with UpdateStatus.StartedAt).
  const Clock& clock;
  IdGenerator& ids;
};

// The replicated, global and job orchestrators and the task reaper.
std::vector<std::unique_ptr<Reconciler>> make_orchestrators(const OrchestratorDeps& deps);

// All of them, each in its own ReconcileLoop with kLoopOptions.
class Orchestrators {
 public:
  explicit Orchestrators(const OrchestratorDeps& deps);
  ~Orchestrators();  // stop()
  // REQUIRES: not started before.
  void start();
  // Stops every loop and waits for it. Idempotent.
  void stop();

 private:
  std::vector<std::unique_ptr<Reconciler>> reconcilers_;
  std::vector<std::unique_ptr<ReconcileLoop>> loops_;
};

}  // namespace shoal::manager::orchestrator
