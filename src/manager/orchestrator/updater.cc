#include "manager/orchestrator/updater.h"

#include <fmt/format.h>

#include <algorithm>

#include "manager/orchestrator/defaults.h"

namespace shoal::manager::orchestrator {

namespace {

using namespace std::chrono_literals;

struct Pass {
  const ServiceInputs& in;
  Plan& plan;
  api::UpdateConfig config;
  bool rollback = false;
  api::TaskState limit = api::TaskState::kRunning;
  std::optional<Timestamp> started_at;  // of the update in progress
};

Timestamp created_at(const Pass& p, const api::Task& t) {
  return t.CreatedAt.is_zero() ? p.in.now : t.CreatedAt;
}

// A task this update created: it runs the current spec and was created since StartedAt.
bool updated_task(const Pass& p, const api::Task& t) {
  return p.started_at && p.in.tmpl->same_spec(t) && created_at(p, t) >= *p.started_at;
}

// When the task was seen reaching running (or its status time once it got there).
Timestamp reached_running_at(const Pass& p, const api::Task& t) {
  if (p.in.running_since != nullptr) {
    auto it = p.in.running_since->find(t.ID);
    if (it != p.in.running_since->end()) return it->second;
  }
  return t.Status.Timestamp;
}

bool ended_on_its_own(api::TaskState s) {
  return s == api::TaskState::kComplete || s == api::TaskState::kFailed ||
         s == api::TaskState::kRejected || s == api::TaskState::kOrphaned;
}

// A failure counts when the task ended within the monitor period after reaching running, or
// never reached running (as far as this manager saw).
bool counts_as_failure(const Pass& p, const api::Task& t) {
  if (!ended_on_its_own(t.Status.State) || !updated_task(p, t)) return false;
  if (p.in.running_since == nullptr) return true;
  auto it = p.in.running_since->find(t.ID);
  if (it == p.in.running_since->end()) return true;
  return t.Status.Timestamp - it->second <= monitor_period(p.config);
}

// The task the update created for this slot: the first updated task (later ones are its
// restarts, which the update does not wait for nor count, as in swarmkit).
const api::Task* first_updated(const Pass& p, const UpdateSlot& slot) {
  const api::Task* first = nullptr;
  for (const TaskPtr& t : slot.all) {
    if (!updated_task(p, *t)) continue;
    if (first == nullptr || created_at(p, *t) < created_at(p, *first) ||
        (created_at(p, *t) == created_at(p, *first) && t->ID < first->ID)) {
      first = t.get();
    }
  }
  return first;
}

// The update's task of the slot reached running (or ended): its batch place is free after
// Delay.
bool reached_running(const api::Task& t) { return t.Status.State >= api::TaskState::kRunning; }

bool slot_dirty(const Pass& p, const UpdateSlot& slot) {
  if (slot.occupying.size() > 1) return true;
  if (slot.occupying.empty()) return false;
  const api::Task& t = *slot.occupying.front();
  return p.in.tmpl->is_dirty(t, p.in.node(t.NodeID));
}

api::Service with_status(const api::Service& service, api::UpdateState state, std::string message) {
  api::Service out = service;
  if (!out.UpdateStatus) out.UpdateStatus.emplace();
  out.UpdateStatus->State = state;
  out.UpdateStatus->Message = std::move(message);
  return out;
}

void apply_failure_action(Pass& p, const api::Task& failed) {
  const api::Service& service = *p.in.service;
  switch (p.config.FailureAction) {
    case api::UpdateFailureAction::kContinue:
      return;
    case api::UpdateFailureAction::kRollback:
      if (p.rollback) {
        p.plan.update_service(with_status(service, api::UpdateState::kRollbackPaused,
                                          rollback_paused_message(failed.ID)));
        return;
      }
      if (service.PreviousSpec) {
        api::Service out = with_status(service, api::UpdateState::kRollbackStarted,
                                       update_rolled_back_message(failed.ID));
        out.Spec = *out.PreviousSpec;
        out.PreviousSpec.reset();
        p.plan.update_service(std::move(out));
        return;
      }
      [[fallthrough]];  // nothing to roll back to: pause
    default:
      p.plan.update_service(with_status(
          service, p.rollback ? api::UpdateState::kRollbackPaused : api::UpdateState::kPaused,
          update_paused_message(failed.ID)));
  }
}

// Applies FailureAction if too many of the update's tasks failed. Returns whether it acted.
bool check_failures(Pass& p, const std::vector<UpdateSlot>& slots, size_t dirty) {
  if (p.config.FailureAction == api::UpdateFailureAction::kContinue) return false;
  const api::Task* last = nullptr;
  size_t failures = 0, updated_slots = 0;
  for (const UpdateSlot& slot : slots) {
    const api::Task* t = first_updated(p, slot);
    if (t == nullptr) continue;
    updated_slots++;
    if (!counts_as_failure(p, *t)) continue;
    failures++;
    if (last == nullptr || older(*last, *t)) last = t;
  }
  if (failures == 0) return false;
  double total = static_cast<double>(std::max<size_t>(1, dirty + updated_slots));
  if (static_cast<double>(failures) / total <= static_cast<double>(p.config.MaxFailureRatio)) {
    return false;
  }
  apply_failure_action(p, *last);
  return true;
}

void maybe_complete(Pass& p, const std::vector<UpdateSlot>& slots) {
  std::optional<Timestamp> last;
  for (const UpdateSlot& slot : slots) {
    const api::Task* t = first_updated(p, slot);
    if (t == nullptr) continue;
    if (!reached_running(*t)) return;  // still coming up
    Timestamp free_at = reached_running_at(p, *t) + p.config.Delay;
    if (!last || free_at > *last) last = free_at;
  }
  std::chrono::nanoseconds monitor = monitor_period(p.config);
  if (p.config.Delay >= monitor) monitor = p.config.Delay + 1s;
  Timestamp done = last ? *last + monitor : p.in.now;
  if (p.in.now < done) {
    p.plan.follow_up(done);
    return;
  }
  api::Service out =
      p.rollback
          ? with_status(*p.in.service, api::UpdateState::kRollbackCompleted, "rollback completed")
          : with_status(*p.in.service, api::UpdateState::kCompleted, "update completed");
  out.UpdateStatus->CompletedAt = p.in.now;
  p.plan.update_service(std::move(out));
}

// Slots whose update task is still coming up, or came up less than Delay ago.
size_t busy_slots(Pass& p, const std::vector<UpdateSlot>& slots) {
  size_t busy = 0;
  for (const UpdateSlot& slot : slots) {
    const api::Task* t = first_updated(p, slot);
    if (t == nullptr) continue;
    if (!reached_running(*t)) {
      busy++;
      continue;
    }
    Timestamp free_at = reached_running_at(p, *t) + p.config.Delay;
    if (p.in.now < free_at) {
      busy++;
      p.plan.follow_up(free_at);
    }
  }
  return busy;
}

// An up-to-date task of the slot to keep, preferring one already desired running.
const api::Task* clean_task(const Pass& p, const UpdateSlot& slot) {
  const api::Task* ready = nullptr;
  for (const TaskPtr& t : slot.occupying) {
    if (p.in.tmpl->is_dirty(*t, p.in.node(t->NodeID))) continue;
    if (t->DesiredState == p.limit) return t.get();
    if (t->DesiredState < p.limit && ready == nullptr) ready = t.get();
  }
  return ready;
}

void finish_slot(Pass& p, const UpdateSlot& slot, const api::Task& clean) {
  bool start_first = p.config.Order == api::UpdateOrder::kStartFirst;
  if (clean.DesiredState == p.limit && start_first &&
      clean.Status.State < api::TaskState::kRunning) {
    return;  // the old tasks run until the new one does
  }
  p.plan.begin_unit();
  for (const TaskPtr& t : slot.occupying) {
    if (t->ID != clean.ID) p.plan.set_desired(t->ID, api::TaskState::kShutdown);
  }
}

void start_slot(Pass& p, const UpdateSlot& slot) {
  p.plan.begin_unit();
  api::Task task = new_task(p.in, slot.slot, slot.node_id);
  if (p.config.Order == api::UpdateOrder::kStartFirst) {
    task.DesiredState = p.limit;
  } else {
    task.DesiredState = api::TaskState::kReady;
    for (const TaskPtr& t : slot.occupying) p.plan.set_desired(t->ID, api::TaskState::kShutdown);
  }
  p.plan.create(std::move(task));
}

}  // namespace

std::string update_paused_message(const std::string& task_id) {
  return fmt::format("update paused due to failure or early termination of task {}", task_id);
}
std::string update_rolled_back_message(const std::string& task_id) {
  return fmt::format("update rolled back due to failure or early termination of task {}", task_id);
}
std::string rollback_paused_message(const std::string& task_id) {
  return fmt::format("rollback paused due to failure or early termination of task {}", task_id);
}

void plan_update(Plan& plan, const ServiceInputs& in, const std::vector<UpdateSlot>& slots) {
  const auto& status = in.service->UpdateStatus;
  using api::UpdateState;
  if (status &&
      (status->State == UpdateState::kPaused || status->State == UpdateState::kRollbackPaused)) {
    return;
  }
  bool rollback = status && status->State == UpdateState::kRollbackStarted;
  Pass p{in,
         plan,
         effective_update_config(in.service->Spec, rollback),
         rollback,
         active_desired_limit(*in.service),
         std::nullopt};
  if (status && status->StartedAt) p.started_at = *status->StartedAt;
  bool in_progress = status && (status->State == UpdateState::kUpdating || rollback);

  std::vector<const UpdateSlot*> dirty;
  for (const UpdateSlot& slot : slots) {
    if (slot_dirty(p, slot)) dirty.push_back(&slot);
  }
  if (in_progress && check_failures(p, slots, dirty.size())) return;
  if (dirty.empty()) {
    if (in_progress) maybe_complete(p, slots);
    return;
  }
  if (!status) {
    api::Service started = with_status(*in.service, UpdateState::kUpdating, "update in progress");
    started.UpdateStatus->StartedAt = in.now;
    plan.update_service(std::move(started));
    p.started_at = in.now;
  }

  size_t parallelism = p.config.Parallelism == 0 ? dirty.size() : p.config.Parallelism;
  size_t busy = busy_slots(p, slots);
  size_t free = parallelism > busy ? parallelism - busy : 0;
  for (const UpdateSlot* slot : dirty) {
    if (const api::Task* clean = clean_task(p, *slot)) {
      finish_slot(p, *slot, *clean);
    } else if (free > 0) {
      start_slot(p, *slot);
      free--;
    }
  }
}

}  // namespace shoal::manager::orchestrator
