#include "manager/scheduler/scheduler.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "api/task_lifecycle.h"

namespace shoal::manager::scheduler {

namespace {

using TaskPtr = std::shared_ptr<const api::Task>;

bool node_takes_tasks(const api::Node* node) {
  return node != nullptr && node->Status.State == api::NodeState::kReady &&
         node->Spec.Availability == api::NodeAvailability::kActive;
}

// A task the tick decided about but did not write, with what the store holds now (null: the
// task is gone).
struct Skipped {
  std::string id;
  TaskPtr current;
};

// One assignment, if the task is still pending as planned and its node still takes tasks.
Status write_assignment(store::WriteTxn& tx, const Assignment& a, Timestamp now,
                        std::vector<Skipped>& skipped) {
  auto current = tx.get<api::Task>(a.task->ID);
  bool still = current && current->Status.State == api::TaskState::kPending &&
               current->DesiredState <= api::TaskState::kComplete &&
               current->NodeID == (a.preassigned ? a.node_id : std::string());
  if (!still || !node_takes_tasks(tx.get<api::Node>(a.node_id).get())) {
    skipped.push_back({a.task->ID, current});
    return Status::ok();
  }
  api::Task task = *current;
  task.NodeID = a.node_id;
  task.GenericResources = a.generic;
  SHOAL_RETURN_IF_ERROR(
      api::advance_task(task, api::TaskState::kAssigned,
                        std::string(a.preassigned ? kPreassignedMessage : kAssignedMessage), now));
  return tx.update(std::move(task));
}

// The "no suitable node" error, if the task is still pending and shows another one.
Status write_unplaced(store::WriteTxn& tx, const Unplaced& u, Timestamp now) {
  auto current = tx.get<api::Task>(u.task->ID);
  if (!current || current->Status.State != api::TaskState::kPending ||
      current->NodeID != u.task->NodeID || current->Status.Err == u.err) {
    return Status::ok();
  }
  api::Task task = *current;
  SHOAL_RETURN_IF_ERROR(
      api::advance_task(task, api::TaskState::kPending, task.Status.Message, now, u.err));
  return tx.update(std::move(task));
}

// A pending task that will never run: shut down.
Status write_shutdown(store::WriteTxn& tx, const TaskPtr& planned, Timestamp now) {
  auto current = tx.get<api::Task>(planned->ID);
  if (!current || current->Status.State != api::TaskState::kPending ||
      current->DesiredState <= api::TaskState::kComplete) {
    return Status::ok();
  }
  api::Task task = *current;
  SHOAL_RETURN_IF_ERROR(
      api::advance_task(task, api::TaskState::kShutdown, std::string(kShutdownMessage), now));
  return tx.update(std::move(task));
}

}  // namespace

store::WatchFilter Scheduler::filter() const {
  return store::WatchFilter::of({store::Kind::kNode, store::Kind::kService, store::Kind::kTask});
}

void Scheduler::on_snapshot(const store::ReadTxn& snapshot) {
  state_ = ClusterState();
  pending_.clear();
  fresh_.clear();
  snapshot.for_each<api::Node>(store::by::All{}, [&](const std::shared_ptr<const api::Node>& node) {
    state_.upsert_node(node);
  });
  snapshot.for_each<api::Service>(
      store::by::All{},
      [&](const std::shared_ptr<const api::Service>& service) { state_.upsert_service(*service); });
  snapshot.for_each<api::Task>(store::by::All{}, [&](const TaskPtr& task) { observe(task); });
  retry_all_ = true;
}

void Scheduler::on_event(const store::Event& event) {
  bool deleted = event.action == store::Action::kDelete;
  switch (event.kind) {
    case store::Kind::kNode:
      if (deleted) {
        state_.remove_node(event.id());
      } else if (state_.upsert_node(event.new_as<api::Node>())) {
        retry_all_ = true;
      }
      break;
    case store::Kind::kService:
      // A deleted service's host ports stay with its tasks until they leave their nodes.
      if (!deleted && state_.upsert_service(*event.new_as<api::Service>())) retry_all_ = true;
      break;
    case store::Kind::kTask:
      if (deleted) {
        forget(event.id());
      } else {
        observe(event.new_as<api::Task>());
      }
      break;
    default:
      break;
  }
}

void Scheduler::observe(const TaskPtr& task) {
  if (state_.track(*task)) retry_all_ = true;
  if (task->Status.State != api::TaskState::kPending) {
    if (pending_.erase(task->ID) > 0) fresh_.erase(task->ID);
    return;
  }
  auto [it, inserted] = pending_.try_emplace(task->ID, task);
  if (!inserted) {
    // Something the plan depends on changed: plan the task again.
    if (it->second->DesiredState != task->DesiredState || it->second->NodeID != task->NodeID) {
      fresh_.insert(task->ID);
    }
    it->second = task;
    return;
  }
  fresh_.insert(task->ID);
}

void Scheduler::forget(std::string_view task_id) {
  if (state_.untrack(task_id)) retry_all_ = true;
  auto it = pending_.find(akey(task_id));
  if (it == pending_.end()) return;
  fresh_.erase(it->first);
  pending_.erase(it);
}

std::optional<Timestamp> Scheduler::tick(Timestamp now) {
  if (!retry_all_ && fresh_.empty()) return std::nullopt;
  std::vector<TaskPtr> tasks;
  if (retry_all_) {
    tasks.reserve(pending_.size());
    for (const auto& [id, task] : pending_) tasks.push_back(task);
  } else {
    tasks.reserve(fresh_.size());
    for (const std::string& id : fresh_) tasks.push_back(pending_.at(id));
  }
  retry_all_ = false;
  fresh_.clear();

  Plan plan = plan_placements(state_, std::move(tasks));
  for (const Assignment& a : plan.assigned) pending_.erase(a.task->ID);
  for (const TaskPtr& t : plan.shut_down) pending_.erase(t->ID);
  if (commit(plan, now)) return std::nullopt;
  retry_all_ = true;
  return now + kRetryDelay;
}

void Scheduler::revert(const Assignment& a) {
  state_.untrack(a.task->ID);
  pending_.try_emplace(a.task->ID, a.task);
}

bool Scheduler::commit(const Plan& plan, Timestamp now) {
  std::vector<Skipped> skipped;
  Status status = store_.batch([&](store::Batch& batch) {
    for (const Assignment& a : plan.assigned) {
      SHOAL_RETURN_IF_ERROR(
          batch.update([&](store::WriteTxn& tx) { return write_assignment(tx, a, now, skipped); }));
    }
    for (const Unplaced& u : plan.unplaced) {
      if (u.err == u.task->Status.Err) continue;
      SHOAL_RETURN_IF_ERROR(
          batch.update([&](store::WriteTxn& tx) { return write_unplaced(tx, u, now); }));
    }
    for (const TaskPtr& t : plan.shut_down) {
      SHOAL_RETURN_IF_ERROR(
          batch.update([&](store::WriteTxn& tx) { return write_shutdown(tx, t, now); }));
    }
    return Status::ok();
  });
  if (!status.is_ok()) {
    // Which units reached the datastore is unknown: undo every decision; the committed ones
    // come back as events (queued before the next tick) and are counted again then.
    spdlog::warn("scheduler: commit failed, retrying in {} ms: {}", kRetryDelay.count(),
                 status.to_string());
    for (const Assignment& a : plan.assigned) revert(a);
    for (const TaskPtr& t : plan.shut_down) pending_.try_emplace(t->ID, t);
    return false;
  }
  for (const Skipped& s : skipped) {
    state_.untrack(s.id);
    if (s.current) {
      observe(s.current);
    } else {
      forget(s.id);
    }
  }
  if (!skipped.empty())
    spdlog::debug("scheduler: {} placements skipped (tasks or nodes changed)", skipped.size());
  return true;
}

std::unique_ptr<Reconciler> make_scheduler(SchedulerDeps deps) {
  return std::make_unique<Scheduler>(deps.store);
}

}  // namespace shoal::manager::scheduler
