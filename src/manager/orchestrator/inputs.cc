#include "manager/orchestrator/inputs.h"

#include <algorithm>
#include <map>

namespace shoal::manager::orchestrator {

const api::Node* ServiceInputs::node(const std::string& id) const {
  auto it = nodes->find(id);
  return it == nodes->end() ? nullptr : it->second.get();
}

bool node_invalid(const api::Node* node) {
  return node == nullptr || node->Status.State == api::NodeState::kDown ||
         node->Spec.Availability == api::NodeAvailability::kDrain;
}

bool node_rejects(const api::Task& task, const api::Node& node, TaskConstraints& constraints) {
  return node.Spec.Availability == api::NodeAvailability::kActive &&
         !constraints.node_fits(task.Spec, node);
}

bool node_accepts_tasks(const api::Node& node) {
  return node.Status.State == api::NodeState::kReady &&
         node.Spec.Availability == api::NodeAvailability::kActive;
}

bool task_live(const api::Task& task, const NodeMap& nodes) {
  if (task.Status.State < api::TaskState::kAssigned || api::is_terminal(task.Status.State)) {
    return false;
  }
  auto it = nodes.find(task.NodeID);
  return it != nodes.end() && it->second->Status.State != api::NodeState::kDown;
}

bool is_job(const api::Service& service) {
  return service.Spec.Mode.ReplicatedJob.has_value() || service.Spec.Mode.GlobalJob.has_value();
}

bool is_per_node(const api::Service& service) {
  return service.Spec.Mode.Global.has_value() || service.Spec.Mode.GlobalJob.has_value();
}

api::TaskState active_desired_limit(const api::Service& service) {
  return is_job(service) ? api::TaskState::kComplete : api::TaskState::kRunning;
}

api::Task new_task(const ServiceInputs& in, int64_t slot, std::string node_id) {
  api::Task task;
  task.ID = in.ids->next();
  task.Spec = in.tmpl->spec();
  task.ServiceID = in.service->ID;
  task.Slot = slot;
  task.NodeID = std::move(node_id);
  task.Status.State = api::TaskState::kNew;
  task.Status.Message = "created";
  task.Status.Timestamp = in.now;
  task.DesiredState = api::TaskState::kRunning;
  if (is_job(*in.service)) {
    task.DesiredState = api::TaskState::kComplete;
    task.JobIteration =
        in.service->JobStatus ? in.service->JobStatus->JobIteration : api::Version{};
  }
  return task;
}

bool older(const api::Task& a, const api::Task& b) {
  if (a.Status.Timestamp != b.Status.Timestamp) return a.Status.Timestamp < b.Status.Timestamp;
  return a.ID < b.ID;
}

std::vector<SlotGroup> group_by_slot(const std::vector<TaskPtr>& tasks, bool per_node) {
  std::vector<SlotGroup> out;
  if (per_node) {
    std::map<std::string, std::vector<TaskPtr>> by_node;
    for (const TaskPtr& t : tasks) by_node[t->NodeID].push_back(t);
    for (auto& [node, group] : by_node) out.push_back({0, node, std::move(group)});
  } else {
    std::map<int64_t, std::vector<TaskPtr>> by_slot;
    for (const TaskPtr& t : tasks) by_slot[t->Slot].push_back(t);
    for (auto& [slot, group] : by_slot) out.push_back({slot, {}, std::move(group)});
  }
  for (SlotGroup& g : out) {
    std::sort(g.tasks.begin(), g.tasks.end(),
              [](const TaskPtr& a, const TaskPtr& b) { return older(*a, *b); });
  }
  return out;
}

}  // namespace shoal::manager::orchestrator
