#include "manager/orchestrator/jobs.h"

#include <algorithm>
#include <set>

#include "manager/orchestrator/defaults.h"
#include "manager/orchestrator/global.h"
#include "manager/orchestrator/restart.h"

namespace shoal::manager::orchestrator {

namespace {

uint64_t current_iteration(const api::Service& service) {
  return service.JobStatus ? service.JobStatus->JobIteration.Index : 0;
}

bool of_iteration(const api::Task& t, uint64_t iteration) {
  return t.JobIteration && t.JobIteration->Index == iteration;
}

// Older iterations' tasks that still run are removed.
void plan_old_iterations(Plan& plan, uint64_t iteration) {
  std::vector<std::string> ids;
  for (const TaskPtr& t : plan.tasks()) {
    if (t->JobIteration && t->JobIteration->Index != iteration &&
        t->Status.State <= api::TaskState::kRunning && t->DesiredState < api::TaskState::kRemove) {
      ids.push_back(t->ID);
    }
  }
  for (const std::string& id : ids) {
    plan.begin_unit();
    plan.set_desired(id, api::TaskState::kRemove);
  }
}

// Active (wanted, not yet complete) task of this iteration.
bool active(const api::Task& t) {
  return t.Status.State != api::TaskState::kComplete && t.DesiredState <= api::TaskState::kComplete;
}

bool ended_without_completing(const api::Task& t) {
  return t.Status.State > api::TaskState::kComplete;
}

std::vector<TaskPtr> current_tasks(const Plan& plan, uint64_t iteration) {
  std::vector<TaskPtr> out;
  for (const TaskPtr& t : plan.tasks()) {
    if (of_iteration(*t, iteration)) out.push_back(t);
  }
  return out;
}

}  // namespace

Plan plan_replicated_job(const ServiceInputs& in) {
  Plan plan(in.service->ID, in.service->Version.Index, in.tasks);
  SpecKeys keys;
  const uint64_t iteration = current_iteration(*in.service);
  plan_old_iterations(plan, iteration);

  TaskConstraints constraints;
  for (const SlotGroup& group : group_by_slot(current_tasks(plan, iteration), false)) {
    for (const TaskPtr& t : group.tasks) {
      if (!active(*t)) continue;
      const api::Node* node = t->NodeID.empty() ? nullptr : in.node(t->NodeID);
      bool lost_node = !t->NodeID.empty() && node_invalid(node);
      bool rejected = node != nullptr && node_rejects(*t, *node, constraints);
      if (ended_without_completing(*t) || lost_node || rejected) {
        plan_restart(plan, in, *t, group.tasks, keys);
      }
    }
  }

  // Per slot of this iteration: completed, still running, or given up (its last task ended
  // and will not be restarted, e.g. Condition none); any of them takes the slot.
  uint64_t running = 0, completed = 0, given_up = 0;
  std::set<int64_t> taken;
  for (const SlotGroup& group : group_by_slot(current_tasks(plan, iteration), false)) {
    bool done = std::any_of(group.tasks.begin(), group.tasks.end(), [](const TaskPtr& t) {
      return t->Status.State == api::TaskState::kComplete;
    });
    bool occupied = !occupying_tasks(in, group.tasks, keys).empty();
    if (done) {
      completed++;
    } else if (std::any_of(group.tasks.begin(), group.tasks.end(),
                           [](const TaskPtr& t) { return active(*t); })) {
      running++;
    } else if (occupied) {
      given_up++;
    } else {
      continue;
    }
    taken.insert(group.slot);
  }
  const auto& mode = *in.service->Spec.Mode.ReplicatedJob;
  uint64_t max_concurrent = mode.MaxConcurrent.value_or(kDefaultMaxConcurrent);
  uint64_t total = mode.TotalCompletions.value_or(max_concurrent);
  uint64_t room = max_concurrent > running ? max_concurrent - running : 0;
  uint64_t used = completed + running + given_up;
  uint64_t left = total > used ? total - used : 0;
  uint64_t create = std::min(room, left);
  if (create > kMaxCreatesPerPass) {
    create = kMaxCreatesPerPass;
    plan.follow_up(in.now);  // the rest in the next pass
  }
  for (int64_t slot = 0; create > 0 && slot < static_cast<int64_t>(total); ++slot) {
    if (taken.count(slot) != 0) continue;
    plan.begin_unit();
    plan.create(new_task(in, slot, {}));
    create--;
  }
  plan_starts(plan, in, keys);
  return plan;
}

Plan plan_global_job(const ServiceInputs& in) {
  Plan plan(in.service->ID, in.service->Version.Index, in.tasks);
  SpecKeys keys;
  const uint64_t iteration = current_iteration(*in.service);
  plan_old_iterations(plan, iteration);

  std::set<std::string> covered;  // nodes with a task of this iteration (or one given up)
  for (const SlotGroup& group : group_by_slot(current_tasks(plan, iteration), true)) {
    const api::Node* node = in.node(group.node_id);
    bool unfit = node_invalid(node) || !in.tmpl->node_fits(*node);
    for (const TaskPtr& t : group.tasks) {
      if (t->DesiredState > api::TaskState::kComplete) continue;
      if (unfit && (t->Status.State <= api::TaskState::kRunning || ended_without_completing(*t))) {
        plan.begin_unit();
        plan.set_desired(t->ID, api::TaskState::kShutdown);
      } else if (ended_without_completing(*t)) {
        plan_restart(plan, in, *t, group.tasks, keys);
      }
    }
  }
  for (const SlotGroup& group : group_by_slot(current_tasks(plan, iteration), true)) {
    if (!occupying_tasks(in, group.tasks, keys).empty()) covered.insert(group.node_id);
  }
  for (const api::Node* node : eligible_nodes(*in.nodes, *in.tmpl)) {
    if (covered.count(node->ID) != 0) continue;
    plan.begin_unit();
    plan.create(new_task(in, 0, node->ID));
  }
  plan_starts(plan, in, keys);
  return plan;
}

}  // namespace shoal::manager::orchestrator
