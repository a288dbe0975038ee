#include "manager/orchestrator/restart.h"

#include <algorithm>
#include <map>

#include "manager/orchestrator/defaults.h"

namespace shoal::manager::orchestrator {

namespace {

// Creation time for ordering; a task this plan creates has none yet and is the newest.
Timestamp created_at(const api::Task& task, Timestamp now) {
  return task.CreatedAt.is_zero() ? now : task.CreatedAt;
}

bool created_before(const api::Task* a, const api::Task* b) {
  if (a->CreatedAt.is_zero() != b->CreatedAt.is_zero()) return b->CreatedAt.is_zero();
  if (a->CreatedAt != b->CreatedAt) return a->CreatedAt < b->CreatedAt;
  return a->ID < b->ID;
}

std::string slot_key(const api::Task& task, bool per_node) {
  return per_node ? task.NodeID : std::to_string(task.Slot);
}

}  // namespace

RestartPolicyValues restart_policy(const api::TaskSpec& spec) {
  RestartPolicyValues p;
  p.condition = kDefaultRestartCondition;
  p.delay = kDefaultRestartDelay;
  if (const auto& given = spec.RestartPolicy) {
    if (given->Condition != api::RestartPolicyCondition::kUnset) p.condition = given->Condition;
    if (given->Delay) p.delay = std::max(*given->Delay, std::chrono::nanoseconds::zero());
    if (given->MaxAttempts) p.max_attempts = *given->MaxAttempts;
    if (given->Window) p.window = std::max(*given->Window, std::chrono::nanoseconds::zero());
  }
  return p;
}

bool should_restart(const api::Task& ended, const std::vector<TaskPtr>& slot_tasks, bool job,
                    SpecKeys& keys) {
  RestartPolicyValues p = restart_policy(*ended.Spec);
  bool clean_exit = ended.Status.State == api::TaskState::kComplete;
  switch (p.condition) {
    case api::RestartPolicyCondition::kNone:
      return false;
    case api::RestartPolicyCondition::kOnFailure:
      if (clean_exit) return false;
      break;
    default:
      if (job && clean_exit) return false;  // a job's completed task is done
      break;
  }
  if (p.max_attempts == 0) return true;

  // The slot's tasks of this spec, oldest first: the first is the original, the rest are
  // restarts.
  std::vector<const api::Task*> same;
  for (const TaskPtr& t : slot_tasks) {
    if (keys.same(t->Spec, ended.Spec)) same.push_back(t.get());
  }
  if (same.size() <= 1) return true;
  std::sort(same.begin(), same.end(), created_before);
  uint64_t restarts = same.size() - 1;
  Timestamp ended_at = ended.Status.Timestamp;
  if (p.window == std::chrono::nanoseconds::zero() || ended_at.is_zero()) {
    return restarts < p.max_attempts;
  }
  Timestamp lookback = ended_at - p.window;
  uint64_t in_window = 0;
  for (size_t i = 1; i < same.size(); ++i) {
    Timestamp t = same[i]->CreatedAt;
    if (!t.is_zero() && t > lookback && t < ended_at) in_window++;
  }
  return in_window < p.max_attempts;
}

void plan_restart(Plan& plan, const ServiceInputs& in, const api::Task& ended,
                  const std::vector<TaskPtr>& slot_tasks, SpecKeys& keys) {
  bool restart = should_restart(ended, slot_tasks, is_job(*in.service), keys);
  plan.begin_unit();
  plan.set_desired(ended.ID, api::TaskState::kShutdown);
  if (!restart) return;
  api::Task replacement =
      new_task(in, ended.Slot, is_per_node(*in.service) ? ended.NodeID : std::string());
  replacement.DesiredState = api::TaskState::kReady;
  plan.create(std::move(replacement));
}

void plan_starts(Plan& plan, const ServiceInputs& in, SpecKeys& keys) {
  const api::TaskState limit = active_desired_limit(*in.service);
  const bool per_node = is_per_node(*in.service);
  std::vector<TaskPtr> ready;
  std::map<std::string, std::vector<const api::Task*>> slots;
  for (const TaskPtr& t : plan.tasks()) {
    if (t->DesiredState == api::TaskState::kReady && !api::is_terminal(t->Status.State)) {
      ready.push_back(t);
    }
  }
  if (ready.empty()) return;
  for (const TaskPtr& t : plan.tasks()) slots[slot_key(*t, per_node)].push_back(t.get());

  for (const TaskPtr& r : ready) {
    Timestamp created = created_at(*r, in.now);
    const api::Task* replaced = nullptr;
    bool waiting = false;
    for (const api::Task* t : slots[slot_key(*r, per_node)]) {
      if (t->ID == r->ID || t->DesiredState <= limit) continue;  // not being stopped
      if (task_live(*t, *in.nodes)) waiting = true;
      Timestamp t_created = created_at(*t, in.now);
      if (t_created <= created && (replaced == nullptr || created_before(replaced, t)))
        replaced = t;
    }
    std::chrono::nanoseconds delay = restart_policy(*r->Spec).delay;
    if (replaced != nullptr) {
      const api::Node* node = in.node(replaced->NodeID);
      bool drained = node != nullptr && node->Spec.Availability == api::NodeAvailability::kDrain;
      if (drained || !keys.same(replaced->Spec, r->Spec)) delay = std::chrono::nanoseconds::zero();
    }
    Timestamp start_at = created + delay;
    Timestamp give_up_waiting = created + std::max(delay, kOldTaskTimeout);
    if (in.now >= start_at && (!waiting || in.now >= give_up_waiting)) {
      plan.begin_unit();
      plan.set_desired(r->ID, limit);
    } else {
      plan.follow_up(in.now < start_at ? start_at : give_up_waiting);
    }
  }
}

std::vector<TaskPtr> occupying_tasks(const ServiceInputs& in,
                                     const std::vector<TaskPtr>& slot_tasks, SpecKeys& keys) {
  const api::TaskState limit = active_desired_limit(*in.service);
  std::vector<TaskPtr> out;
  for (const TaskPtr& t : slot_tasks) {
    if (t->DesiredState <= limit) out.push_back(t);
  }
  if (!out.empty() || slot_tasks.empty()) return out;
  const auto& status = in.service->UpdateStatus;
  if (status && status->State == api::UpdateState::kRollbackStarted) return out;
  const TaskPtr& newest =
      *std::max_element(slot_tasks.begin(), slot_tasks.end(),
                        [](const TaskPtr& a, const TaskPtr& b) { return older(*a, *b); });
  if (newest->DesiredState >= api::TaskState::kRemove) return out;
  if (!should_restart(*newest, slot_tasks, is_job(*in.service), keys)) out.push_back(newest);
  return out;
}

}  // namespace shoal::manager::orchestrator
