#include "manager/orchestrator/reaper.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>

#include "manager/orchestrator/commit.h"
#include "manager/orchestrator/defaults.h"
#include "manager/orchestrator/snapshot_reads.h"

namespace shoal::manager::orchestrator {

namespace {

bool node_gone(const api::Task& task, const NodeMap& nodes) {
  return !task.NodeID.empty() && nodes.find(task.NodeID) == nodes.end();
}

bool stopped(const api::Task& t, api::TaskState active_limit, const NodeMap& nodes) {
  if (api::is_terminal(t.Status.State)) return true;
  if (t.DesiredState <= active_limit) return false;
  return t.Status.State < api::TaskState::kAssigned || node_gone(t, nodes);
}

std::shared_ptr<const api::Swarm> the_cluster(const store::ReadTxn& snapshot) {
  std::shared_ptr<const api::Swarm> cluster;
  snapshot.for_each<api::Swarm>(store::by::All{}, [&](const std::shared_ptr<const api::Swarm>& c) {
    cluster = c;
    return false;
  });
  return cluster;
}

}  // namespace

int64_t history_limit(const api::Swarm* cluster, const api::Service& service) {
  int64_t limit = kDefaultTaskHistoryRetentionLimit;
  if (cluster != nullptr && cluster->Spec.Orchestration.TaskHistoryRetentionLimit) {
    limit = *cluster->Spec.Orchestration.TaskHistoryRetentionLimit;
  }
  if (limit < 0) return limit;
  const auto& policy = service.Spec.TaskTemplate.RestartPolicy;
  if (policy && policy->MaxAttempts && *policy->MaxAttempts > 0) {
    limit = std::max<int64_t>(limit, static_cast<int64_t>(*policy->MaxAttempts) + 1);
  }
  return limit;
}

bool removable(const api::Task& task, const NodeMap& nodes) {
  if (task.DesiredState != api::TaskState::kRemove) return false;
  return task.Status.State < api::TaskState::kAssigned || api::is_terminal(task.Status.State) ||
         node_gone(task, nodes);
}

std::vector<TaskPtr> plan_history(std::vector<TaskPtr> slot_tasks, int64_t limit,
                                  api::TaskState active_limit, const NodeMap& nodes) {
  std::vector<TaskPtr> out;
  if (limit < 0 || static_cast<int64_t>(slot_tasks.size()) <= limit) return out;
  std::sort(slot_tasks.begin(), slot_tasks.end(),
            [](const TaskPtr& a, const TaskPtr& b) { return older(*a, *b); });
  int64_t remaining = static_cast<int64_t>(slot_tasks.size());
  for (const TaskPtr& t : slot_tasks) {
    if (remaining <= limit) break;
    if (!stopped(*t, active_limit, nodes)) continue;
    out.push_back(t);
    remaining--;
  }
  return out;
}

store::WatchFilter TaskReaper::filter() const {
  return store::WatchFilter::of({store::Kind::kTask, store::Kind::kCluster, store::Kind::kNode});
}

void TaskReaper::on_snapshot(const store::ReadTxn&) {
  full_scan_ = true;
  dirty_slots_.clear();
  removals_.clear();
}

void TaskReaper::on_event(const store::Event& event) {
  switch (event.kind) {
    case store::Kind::kCluster:
      full_scan_ = true;  // the retention limit may have changed
      return;
    case store::Kind::kNode:
      if (event.action == store::Action::kDelete) full_scan_ = true;
      return;
    case store::Kind::kTask:
      break;
    default:
      return;
  }
  const auto& task = event.new_as<api::Task>();
  if (task == nullptr) return;
  if (task->DesiredState == api::TaskState::kRemove) removals_.insert(task->ID);
  const auto& old = event.old_as<api::Task>();
  bool ended = old != nullptr && !api::is_terminal(old->Status.State) &&
               api::is_terminal(task->Status.State);
  if (old == nullptr || ended) dirty_slots_.emplace(task->ServiceID, task->Slot, task->NodeID);
}

std::vector<Deletion> TaskReaper::plan(const store::ReadTxn& snapshot) {
  // Every node, read only when a decision needs them: most ticks (a slot's first task was
  // created) decide nothing, and 10,000 nodes cost more than the rest of such a tick.
  std::optional<NodeMap> node_map;
  auto nodes = [&]() -> const NodeMap& {
    if (!node_map) node_map = all_nodes(snapshot);
    return *node_map;
  };
  auto cluster = the_cluster(snapshot);
  std::map<std::string, Deletion> out;
  auto drop = [&](const TaskPtr& t) { out.try_emplace(t->ID, Deletion{t->ID, t->Version}); };
  auto reap_slot = [&](const api::Service& service, std::vector<TaskPtr> tasks) {
    int64_t limit = history_limit(cluster.get(), service);
    if (limit < 0 || static_cast<int64_t>(tasks.size()) <= limit) return;  // within the limit
    for (const TaskPtr& t :
         plan_history(std::move(tasks), limit, active_desired_limit(service), nodes())) {
      drop(t);
    }
  };

  if (full_scan_) {
    std::map<SlotKey, std::vector<TaskPtr>> slots;
    std::map<std::string, std::shared_ptr<const api::Service>> services;
    snapshot.for_each<api::Task>(store::by::All{}, [&](const TaskPtr& t) {
      auto [it, inserted] = services.try_emplace(t->ServiceID);
      if (inserted) it->second = snapshot.get<api::Service>(t->ServiceID);
      bool remove = t->DesiredState == api::TaskState::kRemove && removable(*t, nodes());
      if (it->second == nullptr || remove) {
        drop(t);  // its service is gone (a crash between the delete and the orchestrator)
        return;
      }
      bool per_node = is_per_node(*it->second);
      slots[{t->ServiceID, per_node ? 0 : t->Slot, per_node ? t->NodeID : ""}].push_back(t);
    });
    for (auto& [key, tasks] : slots) reap_slot(*services.at(std::get<0>(key)), std::move(tasks));
  } else {
    for (const std::string& id : removals_) {
      auto t = snapshot.get<api::Task>(id);
      if (t != nullptr && t->DesiredState == api::TaskState::kRemove && removable(*t, nodes())) {
        drop(t);
      }
    }
    for (const auto& [dirty_service, slot, dirty_node] : dirty_slots_) {
      // Variables the lambda can capture (not bindings).
      const auto& service_id = dirty_service;
      const auto& node_id = dirty_node;
      auto service = snapshot.get<api::Service>(service_id);
      if (service == nullptr) continue;
      std::vector<TaskPtr> tasks;
      if (is_per_node(*service)) {
        snapshot.for_each<api::Task>(store::by::Node{node_id}, [&](const TaskPtr& t) {
          if (t->ServiceID == service_id) tasks.push_back(t);
        });
      } else {
        tasks = snapshot.find<api::Task>(store::by::Slot{service_id, slot});
      }
      reap_slot(*service, std::move(tasks));
    }
  }
  std::vector<Deletion> deletions;
  for (auto& [id, d] : out) deletions.push_back(std::move(d));
  return deletions;
}

std::optional<Timestamp> TaskReaper::tick(Timestamp now) {
  if (!full_scan_ && dirty_slots_.empty() && removals_.empty()) return std::nullopt;
  std::vector<Deletion> deletions;
  {
    store::ReadTxn snapshot = store_.view();
    deletions = plan(snapshot);
  }
  full_scan_ = false;
  dirty_slots_.clear();
  removals_.clear();
  if (deletions.empty()) return std::nullopt;

  CommitOutcome outcome;
  Status s = store_.batch([&](store::Batch& batch) {
    for (const Deletion& d : deletions) {
      Status unit = batch.update([&](store::WriteTxn& tx) {
        auto current = tx.get<api::Task>(d.id);
        if (current == nullptr) return Status::ok();
        if (current->Version != d.version) return Status(Code::kOutOfSequence, "task changed");
        return tx.remove<api::Task>(d.id);
      });
      if (unit.code() == Code::kOutOfSequence) {
        outcome.conflicts++;
      } else if (!unit.is_ok() && outcome.error.is_ok()) {
        outcome.error = unit;
      }
    }
    return Status::ok();
  });
  if (!s.is_ok() && outcome.error.is_ok()) outcome.error = s;
  if (!outcome.error.is_ok()) {
    spdlog::warn("task reaper: deleting {} tasks failed: {}", deletions.size(),
                 outcome.error.to_string());
  }
  if (outcome.complete()) return std::nullopt;
  full_scan_ = true;  // look again at everything: cheap next to a lost deletion
  return now + (outcome.error.is_ok() ? std::chrono::nanoseconds(0) : std::chrono::seconds(1));
}

}  // namespace shoal::manager::orchestrator
