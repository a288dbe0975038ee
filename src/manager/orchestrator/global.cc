#include "manager/orchestrator/global.h"

#include <algorithm>
#include <map>

#include "manager/orchestrator/restart.h"
#include "manager/orchestrator/updater.h"

namespace shoal::manager::orchestrator {

namespace {

bool paused(const api::Node& node) {
  return node.Spec.Availability == api::NodeAvailability::kPause;
}

// Steps 1 and 2.
void plan_node_tasks(Plan& plan, const ServiceInputs& in, SpecKeys& keys) {
  for (const SlotGroup& group : group_by_slot(plan.tasks(), true)) {
    const api::Node* node = in.node(group.node_id);
    for (const TaskPtr& t : group.tasks) {
      if (node == nullptr) {
        plan.begin_unit();
        plan.remove(t->ID);
        continue;
      }
      if (t->DesiredState > api::TaskState::kRunning) continue;
      if (node_invalid(node) ||
          (api::is_terminal(t->Status.State) && (paused(*node) || !in.tmpl->node_fits(*node)))) {
        plan.begin_unit();
        plan.set_desired(t->ID, api::TaskState::kShutdown);
      } else if (api::is_terminal(t->Status.State)) {
        plan_restart(plan, in, *t, group.tasks, keys);
      }
    }
  }
}

// Step 3: returns the slots the update may work on.
std::vector<UpdateSlot> plan_nodes(Plan& plan, const ServiceInputs& in, SpecKeys& keys) {
  std::map<std::string, SlotGroup> groups;
  for (SlotGroup& g : group_by_slot(plan.tasks(), true)) groups.emplace(g.node_id, std::move(g));
  std::vector<const api::Node*> nodes;
  for (const auto& [id, node] : *in.nodes) nodes.push_back(node.get());
  std::sort(nodes.begin(), nodes.end(),
            [](const api::Node* a, const api::Node* b) { return a->ID < b->ID; });

  std::vector<UpdateSlot> slots;
  for (const api::Node* node : nodes) {
    if (node_invalid(node)) continue;
    auto it = groups.find(node->ID);
    std::vector<TaskPtr> all = it != groups.end() ? it->second.tasks : std::vector<TaskPtr>{};
    std::vector<TaskPtr> occupying = occupying_tasks(in, all, keys);
    if (!in.tmpl->node_fits(*node)) {
      plan.begin_unit();
      for (const TaskPtr& t : occupying) plan.set_desired(t->ID, api::TaskState::kShutdown);
      continue;
    }
    if (paused(*node)) continue;
    if (occupying.empty()) {
      if (node_accepts_tasks(*node)) {
        plan.begin_unit();
        plan.create(new_task(in, 0, node->ID));
      }
      continue;
    }
    slots.push_back({0, node->ID, std::move(occupying), std::move(all)});
  }
  return slots;
}

}  // namespace

std::vector<const api::Node*> eligible_nodes(const NodeMap& nodes, const ServiceTemplate& tmpl) {
  std::vector<const api::Node*> out;
  for (const auto& [id, node] : nodes) {
    if (node_accepts_tasks(*node) && tmpl.node_fits(*node)) out.push_back(node.get());
  }
  std::sort(out.begin(), out.end(),
            [](const api::Node* a, const api::Node* b) { return a->ID < b->ID; });
  return out;
}

Plan plan_global(const ServiceInputs& in) {
  Plan plan(in.service->ID, in.service->Version.Index, in.tasks);
  SpecKeys keys;
  plan_node_tasks(plan, in, keys);
  std::vector<UpdateSlot> slots = plan_nodes(plan, in, keys);
  plan_update(plan, in, slots);
  plan_starts(plan, in, keys);
  return plan;
}

}  // namespace shoal::manager::orchestrator
