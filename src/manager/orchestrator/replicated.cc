#include "manager/orchestrator/replicated.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "manager/orchestrator/defaults.h"
#include "manager/orchestrator/restart.h"
#include "manager/orchestrator/updater.h"

namespace shoal::manager::orchestrator {

namespace {

// Step 1: replace what ended, lost its node, or sits on a node that no longer fits it.
void plan_task_restarts(Plan& plan, const ServiceInputs& in, SpecKeys& keys) {
  TaskConstraints constraints;
  for (const SlotGroup& group : group_by_slot(plan.tasks(), false)) {
    for (const TaskPtr& t : group.tasks) {
      if (t->DesiredState > api::TaskState::kRunning) continue;
      const api::Node* node = t->NodeID.empty() ? nullptr : in.node(t->NodeID);
      bool lost_node = !t->NodeID.empty() && node_invalid(node);
      bool rejected = node != nullptr && node_rejects(*t, *node, constraints);
      if (api::is_terminal(t->Status.State) || lost_node || rejected) {
        plan_restart(plan, in, *t, group.tasks, keys);
      }
    }
  }
}

bool slot_running(const UpdateSlot& slot) {
  return std::any_of(slot.occupying.begin(), slot.occupying.end(),
                     [](const TaskPtr& t) { return t->Status.State == api::TaskState::kRunning; });
}

// swarmkit's scale-down order: the slots to keep come first.
std::vector<UpdateSlot> order_for_scale_down(std::vector<UpdateSlot> slots) {
  std::stable_sort(slots.begin(), slots.end(), [](const UpdateSlot& a, const UpdateSlot& b) {
    bool ra = slot_running(a), rb = slot_running(b);
    if (ra != rb) return ra;
    return a.slot < b.slot;
  });
  std::unordered_map<std::string, int> per_node;
  std::vector<std::pair<int, UpdateSlot>> ranked;
  for (UpdateSlot& slot : slots) {
    int rank = -1;
    if (slot.occupying.size() == 1 && !slot.occupying.front()->NodeID.empty()) {
      rank = ++per_node[slot.occupying.front()->NodeID];
    }
    ranked.emplace_back(rank, std::move(slot));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if ((a.first < 0) != (b.first < 0)) return b.first < 0;
    return a.first < b.first;
  });
  std::vector<UpdateSlot> out;
  for (auto& [rank, slot] : ranked) out.push_back(std::move(slot));
  return out;
}

// Step 2: returns the slots the update may work on.
std::vector<UpdateSlot> plan_scale(Plan& plan, const ServiceInputs& in, SpecKeys& keys) {
  std::vector<UpdateSlot> occupied;
  std::set<int64_t> taken;
  for (SlotGroup& group : group_by_slot(plan.tasks(), false)) {
    auto occupying = occupying_tasks(in, group.tasks, keys);
    if (occupying.empty()) continue;
    taken.insert(group.slot);
    occupied.push_back({group.slot, {}, std::move(occupying), std::move(group.tasks)});
  }
  const auto& mode = in.service->Spec.Mode.Replicated;
  uint64_t replicas = mode && mode->Replicas ? *mode->Replicas : kDefaultReplicas;

  if (replicas > occupied.size()) {
    // New slots share units of kCreatesPerUnit: they are independent of each other and of
    // every other change, and a scale-up of 100,000 is 400 units rather than 100,000.
    uint64_t missing = replicas - occupied.size();
    if (missing > kMaxCreatesPerPass) {
      missing = kMaxCreatesPerPass;
      plan.follow_up(in.now);  // the rest in the next pass
    }
    size_t in_unit = 0;
    for (int64_t slot = 1; missing > 0; ++slot) {
      if (taken.count(slot) != 0) continue;
      if (in_unit++ % kCreatesPerUnit == 0) plan.begin_unit();
      plan.create(new_task(in, slot, {}));
      missing--;
    }
    return occupied;
  }
  if (replicas < occupied.size()) {
    std::vector<UpdateSlot> ordered = order_for_scale_down(std::move(occupied));
    for (size_t i = replicas; i < ordered.size(); ++i) {
      plan.begin_unit();
      for (const TaskPtr& t : ordered[i].occupying)
        plan.set_desired(t->ID, api::TaskState::kRemove);
    }
    ordered.resize(replicas);
    std::sort(ordered.begin(), ordered.end(),
              [](const UpdateSlot& a, const UpdateSlot& b) { return a.slot < b.slot; });
    return ordered;
  }
  return occupied;
}

}  // namespace

Plan plan_replicated(const ServiceInputs& in) {
  Plan plan(in.service->ID, in.service->Version.Index, in.tasks);
  SpecKeys keys;
  plan_task_restarts(plan, in, keys);
  std::vector<UpdateSlot> slots = plan_scale(plan, in, keys);
  plan_update(plan, in, slots);
  plan_starts(plan, in, keys);
  return plan;
}

Plan plan_service_removal(const std::string& service_id, std::vector<TaskPtr> tasks) {
  Plan plan(service_id, 0, std::move(tasks));
  std::vector<std::string> ids;
  for (const TaskPtr& t : plan.tasks()) ids.push_back(t->ID);
  for (const std::string& id : ids) {
    plan.begin_unit();
    plan.set_desired(id, api::TaskState::kRemove);
  }
  return plan;
}

}  // namespace shoal::manager::orchestrator
