#include "manager/orchestrator/orchestrator.h"

#include <spdlog/spdlog.h>

#include "manager/orchestrator/commit.h"
#include "manager/orchestrator/global.h"
#include "manager/orchestrator/jobs.h"
#include "manager/orchestrator/reaper.h"
#include "manager/orchestrator/replicated.h"
#include "manager/orchestrator/snapshot_reads.h"

namespace shoal::manager::orchestrator {

bool task_change_matters(const api::Task* old, const api::Task* now, bool updating) {
  if (old == nullptr || now == nullptr) return true;
  if (old->DesiredState != now->DesiredState) return true;
  if (old->NodeID != now->NodeID && !old->NodeID.empty()) return true;
  if (api::is_terminal(old->Status.State) != api::is_terminal(now->Status.State)) return true;
  bool was_up = old->Status.State >= api::TaskState::kRunning;
  bool is_up = now->Status.State >= api::TaskState::kRunning;
  return updating && was_up != is_up;
}

namespace {

// The updater has work while an update or a rollback is under way (updater.h).
bool update_in_progress(const api::Service& service) {
  return service.UpdateStatus &&
         (service.UpdateStatus->State == api::UpdateState::kUpdating ||
          service.UpdateStatus->State == api::UpdateState::kRollbackStarted);
}

// A node change that may move tasks: availability, state, or anything constraints read.
bool node_change_matters(const api::Node* old, const api::Node* now) {
  if (old == nullptr || now == nullptr) return true;
  return old->Spec.Availability != now->Spec.Availability ||
         old->Status.State != now->Status.State || old->Spec.Role != now->Spec.Role ||
         old->Spec.Labels != now->Spec.Labels || old->Status.Addr != now->Status.Addr ||
         old->Description.Hostname != now->Description.Hostname ||
         old->Description.Platform.OS != now->Description.Platform.OS ||
         old->Description.Platform.Architecture != now->Description.Platform.Architecture ||
         old->Description.Engine.Labels != now->Description.Engine.Labels;
}

}  // namespace

ServiceOrchestrator::ServiceOrchestrator(Family family, store::Store& store, IdGenerator& ids)
    : family_(family), store_(store), ids_(ids) {}

std::string ServiceOrchestrator::name() const {
  switch (family_) {
    case Family::kReplicated:
      return "replicated orchestrator";
    case Family::kGlobal:
      return "global orchestrator";
    case Family::kJobs:
      return "job orchestrator";
  }
  return "orchestrator";
}

bool ServiceOrchestrator::handles(const api::Service& service) const {
  const api::ServiceMode& mode = service.Spec.Mode;
  switch (family_) {
    case Family::kReplicated:
      return mode.Replicated.has_value();
    case Family::kGlobal:
      return mode.Global.has_value();
    case Family::kJobs:
      return mode.ReplicatedJob.has_value() || mode.GlobalJob.has_value();
  }
  return false;
}

store::WatchFilter ServiceOrchestrator::filter() const {
  return store::WatchFilter::of({store::Kind::kService, store::Kind::kTask, store::Kind::kNode});
}

void ServiceOrchestrator::on_snapshot(const store::ReadTxn& snapshot) {
  all_dirty_ = true;
  dirty_.clear();
  dirty_nodes_.clear();
  updating_.clear();
  snapshot.for_each<api::Service>(store::by::All{},
                                  [&](const std::shared_ptr<const api::Service>& s) {
                                    if (handles(*s) && update_in_progress(*s))
                                      updating_.insert(s->ID);
                                  });
  // removed_ stays: a deleted service's tasks still need their desired state.
}

void ServiceOrchestrator::on_event(const store::Event& event) {
  switch (event.kind) {
    case store::Kind::kService: {
      if (event.action == store::Action::kDelete) {
        const auto& old = event.old_as<api::Service>();
        if (old != nullptr && handles(*old)) removed_.insert(old->ID);
        templates_.forget(std::string(event.id()));
        dirty_.erase(std::string(event.id()));
        updating_.erase(std::string(event.id()));
        return;
      }
      const auto& service = event.new_as<api::Service>();
      if (service == nullptr || !handles(*service)) return;
      dirty_.insert(service->ID);
      if (update_in_progress(*service)) {
        updating_.insert(service->ID);
      } else {
        updating_.erase(service->ID);
      }
      return;
    }
    case store::Kind::kTask:
      on_task_event(event);
      return;
    case store::Kind::kNode:
      if (node_change_matters(event.old_as<api::Node>().get(), event.new_as<api::Node>().get())) {
        dirty_nodes_.insert(std::string(event.id()));
      }
      return;
    default:
      return;
  }
}

void ServiceOrchestrator::on_task_event(const store::Event& event) {
  const api::Task* old = event.old_as<api::Task>().get();
  const api::Task* now = event.new_as<api::Task>().get();
  const std::string& service_id = (now != nullptr ? now : old)->ServiceID;
  bool updating = updating_.contains(service_id);
  if (now == nullptr) {
    running_since_.erase(std::string(event.id()));
  } else if (updating && now->Status.State == api::TaskState::kRunning &&
             (old == nullptr || old->Status.State < api::TaskState::kRunning)) {
    // Only an update's tasks are watched for failing within the monitor window.
    running_since_[now->ID] = now->Status.Timestamp;
  } else if (old != nullptr && api::is_terminal(now->Status.State) &&
             !api::is_terminal(old->Status.State) && !updating) {
    running_since_.erase(now->ID);
  }
  if (task_change_matters(old, now, updating)) dirty_.insert(service_id);
}

void ServiceOrchestrator::collect_work(const store::ReadTxn& snapshot) {
  bool all_per_node = false;
  for (const std::string& node_id : dirty_nodes_) {
    snapshot.for_each<api::Task>(store::by::Node{node_id},
                                 [&](const TaskPtr& t) { dirty_.insert(t->ServiceID); });
    all_per_node = true;
  }
  dirty_nodes_.clear();
  if (!all_dirty_ && !(all_per_node && family_ != Family::kReplicated)) return;
  snapshot.for_each<api::Service>(store::by::All{},
                                  [&](const std::shared_ptr<const api::Service>& s) {
                                    if (handles(*s) && (all_dirty_ || is_per_node(*s)))
                                      dirty_.insert(s->ID);
                                  });
  all_dirty_ = false;
}

Plan ServiceOrchestrator::plan_service(const ServiceInputs& in) const {
  const api::ServiceMode& mode = in.service->Spec.Mode;
  if (mode.Global) return plan_global(in);
  if (mode.ReplicatedJob) return plan_replicated_job(in);
  if (mode.GlobalJob) return plan_global_job(in);
  return plan_replicated(in);
}

void ServiceOrchestrator::read_dirty(const store::ReadTxn& snapshot, Timestamp now, Pass& pass) {
  bool have_nodes = false;
  for (const std::string& id : dirty_) {
    auto service = snapshot.get<api::Service>(id);
    if (service == nullptr) {
      if (removed_.count(id) == 0) continue;
      pass.removals.emplace_back(id, snapshot.find<api::Task>(store::by::Service{id}));
      continue;
    }
    if (!handles(*service)) continue;  // another family's (dirty from its task events)
    if (!have_nodes) {
      pass.nodes = all_nodes(snapshot);  // 10,000 nodes: only when some service needs them
      have_nodes = true;
    }
    ServiceInputs& in = pass.services.emplace_back();
    in.service = service;
    in.tmpl = &templates_.get(*service);
    in.tasks = snapshot.find<api::Task>(store::by::Service{id});
    in.nodes = &pass.nodes;
    in.running_since = &running_since_;
    in.now = now;
    in.ids = &ids_;
  }
}

void ServiceOrchestrator::plan_and_commit(Pass& pass, Timestamp now) {
  // One service at a time: only one plan (up to a whole service's new tasks) in memory.
  for (auto& [id, tasks] : pass.removals) {
    commit(plan_service_removal(id, std::move(tasks)), now);
  }
  for (ServiceInputs& in : pass.services) {
    Plan plan = plan_service(in);
    in.tasks.clear();
    commit(plan, now);
  }
}

void ServiceOrchestrator::commit(const Plan& plan, Timestamp now) {
  const std::string& id = plan.service_id();
  follow_ups_.erase(id);
  if (!plan.empty()) {
    spdlog::debug("{}: service {}: {} new, {} changed, {} deleted tasks{}", name(), id,
                  plan.creates(), plan.updates(), plan.deletes(),
                  plan.service_update() ? ", service updated" : "");
    CommitOutcome outcome = commit_plan(store_, plan);
    if (!outcome.complete()) {
      if (plan.service_version() == 0) removed_.insert(id);
      follow_ups_[id] = outcome.error.is_ok() ? now : now + kRetryDelay;
      return;
    }
  }
  if (plan.next_follow_up()) follow_ups_[id] = *plan.next_follow_up();
}

std::optional<Timestamp> ServiceOrchestrator::next_follow_up() const {
  std::optional<Timestamp> next;
  for (const auto& [id, at] : follow_ups_) {
    if (!next || at < *next) next = at;
  }
  return next;
}

std::optional<Timestamp> ServiceOrchestrator::tick(Timestamp now) {
  for (auto it = follow_ups_.begin(); it != follow_ups_.end();) {
    if (it->second <= now) {
      dirty_.insert(it->first);
      it = follow_ups_.erase(it);
    } else {
      ++it;
    }
  }
  dirty_.insert(removed_.begin(), removed_.end());
  Pass pass;
  {
    store::ReadTxn snapshot = store_.view();
    collect_work(snapshot);
    read_dirty(snapshot, now, pass);
  }
  dirty_.clear();
  removed_.clear();
  plan_and_commit(pass, now);
  return next_follow_up();
}

std::vector<std::unique_ptr<Reconciler>> make_orchestrators(const OrchestratorDeps& deps) {
  std::vector<std::unique_ptr<Reconciler>> out;
  out.push_back(std::make_unique<ServiceOrchestrator>(Family::kReplicated, deps.store, deps.ids));
  out.push_back(std::make_unique<ServiceOrchestrator>(Family::kGlobal, deps.store, deps.ids));
  out.push_back(std::make_unique<ServiceOrchestrator>(Family::kJobs, deps.store, deps.ids));
  out.push_back(std::make_unique<TaskReaper>(deps.store));
  return out;
}

Orchestrators::Orchestrators(const OrchestratorDeps& deps)
    : reconcilers_(make_orchestrators(deps)) {
  for (auto& r : reconcilers_) {
    loops_.push_back(std::make_unique<ReconcileLoop>(deps.store, deps.clock, *r, kLoopOptions));
  }
}

Orchestrators::~Orchestrators() { stop(); }

void Orchestrators::start() {
  for (auto& loop : loops_) loop->start();
}

void Orchestrators::stop() {
  for (auto& loop : loops_) loop->stop();
}

}  // namespace shoal::manager::orchestrator
