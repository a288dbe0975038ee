#include "manager/orchestrator/plan.h"

#include <algorithm>

namespace shoal::manager::orchestrator {

Plan::Plan(std::string service_id, uint64_t service_version, std::vector<TaskPtr> tasks)
    : service_id_(std::move(service_id)),
      service_version_(service_version),
      tasks_(std::move(tasks)),
      unit_ids_(1) {
  index_.reserve(tasks_.size());
  for (size_t i = 0; i < tasks_.size(); ++i) index_.emplace(key(tasks_[i]->ID), i);
}

TaskPtr Plan::get(const std::string& id) const {
  auto it = index_.find(key(id));
  return it == index_.end() ? nullptr : tasks_[it->second];
}

void Plan::begin_unit() {
  if (unit_ids_[current_unit_].empty() && current_unit_ + 1 == unit_ids_.size()) return;
  unit_ids_.emplace_back();
  current_unit_ = unit_ids_.size() - 1;
}

Plan::Touched& Plan::touch(std::string_view id, bool created) {
  // Keyed by the index's view of the task's own ID (never the caller's string).
  auto position = index_.find(key(id));
  auto [it, inserted] = touched_.try_emplace(position->first);
  Touched& t = it->second;
  if (inserted) {
    t.unit = current_unit_;
    t.created = created;
    if (!created) t.version = tasks_[position->second]->Version;
    unit_ids_[current_unit_].push_back(it->first);
    return t;
  }
  if (t.unit != current_unit_) {
    // Join the current unit to the earlier one that already holds this task.
    size_t into = t.unit;
    for (absl::string_view moved : unit_ids_[current_unit_]) {
      touched_[moved].unit = into;
      unit_ids_[into].push_back(moved);
    }
    unit_ids_[current_unit_].clear();
    current_unit_ = into;
  }
  return t;
}

void Plan::replace(std::string_view id, TaskPtr task) {
  TaskPtr& slot = tasks_[index_.at(key(id))];
  retired_.push_back(std::move(slot));
  slot = std::move(task);
}

void Plan::create(api::Task task) {
  auto created = std::make_shared<const api::Task>(std::move(task));
  // Keys view the ID inside the shared task, which lives as long as the plan.
  index_.emplace(key(created->ID), tasks_.size());
  tasks_.push_back(created);
  touch(created->ID, /*created=*/true);
}

bool Plan::set_desired(const std::string& id, api::TaskState state) {
  TaskPtr current = get(id);
  if (current == nullptr || current->DesiredState >= state) return false;
  touch(id, false);
  auto changed = std::make_shared<api::Task>(*current);
  changed->DesiredState = state;
  replace(id, std::move(changed));
  return true;
}

void Plan::remove(const std::string& id) {
  auto it = index_.find(key(id));
  if (it == index_.end()) return;
  touch(id, false).removed = true;
  auto position = tasks_.begin() + static_cast<std::ptrdiff_t>(it->second);
  retired_.push_back(std::move(*position));
  tasks_.erase(position);
  index_.clear();
  for (size_t i = 0; i < tasks_.size(); ++i) index_.emplace(key(tasks_[i]->ID), i);
}

void Plan::update_service(api::Service service) { service_update_ = std::move(service); }

void Plan::follow_up(Timestamp at) {
  if (!follow_up_ || at < *follow_up_) follow_up_ = at;
}

std::vector<Unit> Plan::units() const {
  std::vector<Unit> out;
  for_each_unit([&](Unit&& unit) { out.push_back(std::move(unit)); });
  return out;
}

void Plan::for_each_unit(const std::function<void(Unit&&)>& fn) const {
  for (const auto& ids : unit_ids_) {
    Unit unit;
    for (absl::string_view id : ids) {
      const Touched& t = touched_.at(id);
      if (t.created && t.removed) continue;
      if (t.removed) {
        unit.deletes.push_back({std::string(id), t.version});
      } else if (t.created) {
        unit.creates.push_back(tasks_[index_.at(id)]);
      } else {
        unit.updates.push_back(tasks_[index_.at(id)]);
      }
    }
    if (!unit.empty()) fn(std::move(unit));
  }
}

bool Plan::empty() const { return touched_.empty() && !service_update_; }

size_t Plan::creates() const {
  return std::count_if(touched_.begin(), touched_.end(),
                       [](const auto& e) { return e.second.created && !e.second.removed; });
}

size_t Plan::updates() const {
  return std::count_if(touched_.begin(), touched_.end(),
                       [](const auto& e) { return !e.second.created && !e.second.removed; });
}

size_t Plan::deletes() const {
  return std::count_if(touched_.begin(), touched_.end(),
                       [](const auto& e) { return !e.second.created && e.second.removed; });
}

}  // namespace shoal::manager::orchestrator
