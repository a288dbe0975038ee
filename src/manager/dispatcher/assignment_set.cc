#include "manager/dispatcher/assignment_set.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace shoal::manager::dispatcher {

using api::TaskState;

bool agent_visible_change(const api::Task& sent, const api::Task& now) {
  return sent.DesiredState != now.DesiredState || sent.Spec != now.Spec ||
         sent.NodeID != now.NodeID || sent.ServiceID != now.ServiceID || sent.Slot != now.Slot ||
         sent.Name != now.Name || sent.Labels != now.Labels ||
         sent.NetworksAttachments.size() != now.NetworksAttachments.size();
}

namespace {

protocol::AssignmentChange update_of(protocol::Assignment item) {
  return protocol::AssignmentChange{protocol::AssignmentAction::kUpdate, std::move(item)};
}

// A removal names the object by ID alone.
protocol::AssignmentChange removal_of(ItemKind kind, const std::string& id) {
  protocol::Assignment item;
  switch (kind) {
    case ItemKind::kSecret: {
      auto secret = std::make_shared<api::Secret>();
      secret->ID = id;
      item = std::shared_ptr<const api::Secret>(std::move(secret));
      break;
    }
    case ItemKind::kConfig: {
      auto config = std::make_shared<api::Config>();
      config->ID = id;
      item = std::shared_ptr<const api::Config>(std::move(config));
      break;
    }
    case ItemKind::kTask: {
      auto task = std::make_shared<api::Task>();
      task->ID = id;
      item = std::shared_ptr<const api::Task>(std::move(task));
      break;
    }
  }
  return protocol::AssignmentChange{protocol::AssignmentAction::kRemove, std::move(item)};
}

// The secrets and configs `task` references.
std::vector<ItemKey> dependencies_of(const api::Task& task) {
  std::vector<ItemKey> keys;
  if (!task.Spec->ContainerSpec) return keys;
  for (const api::SecretReference& ref : task.Spec->ContainerSpec->Secrets) {
    keys.emplace_back(ItemKind::kSecret, ref.SecretID);
  }
  for (const api::ConfigReference& ref : task.Spec->ContainerSpec->Configs) {
    keys.emplace_back(ItemKind::kConfig, ref.ConfigID);
  }
  return keys;
}

}  // namespace

void AssignmentSet::build(const store::ReadTxn& snapshot, ChangeMap& out) {
  snapshot.for_each<api::Task>(
      store::by::Node{node_id_},
      [&](const std::shared_ptr<const api::Task>& task) { add_or_update(snapshot, task, out); });
}

bool AssignmentSet::sync_task(const store::ReadTxn& snapshot, std::string_view id, ChangeMap& out) {
  auto task = snapshot.get<api::Task>(id);
  if (!task || task->NodeID != node_id_) return remove(std::string(id), out);
  return add_or_update(snapshot, task, out);
}

bool AssignmentSet::resync(const store::ReadTxn& snapshot, ChangeMap& out) {
  bool changed = false;
  std::unordered_set<std::string> seen;
  snapshot.for_each<api::Task>(store::by::Node{node_id_},
                               [&](const std::shared_ptr<const api::Task>& task) {
                                 seen.insert(task->ID);
                                 changed |= add_or_update(snapshot, task, out);
                               });
  std::vector<std::string> gone;
  for (const auto& [id, entry] : tasks_) {
    if (!seen.contains(id)) gone.push_back(id);
  }
  for (const std::string& id : gone) changed |= remove(id, out);
  return changed;
}

bool AssignmentSet::add_or_update(const store::ReadTxn& snapshot,
                                  const std::shared_ptr<const api::Task>& task, ChangeMap& out) {
  if (task->Status.State < TaskState::kAssigned) return false;
  auto [it, inserted] = tasks_.try_emplace(task->ID);
  Entry& entry = it->second;
  bool ended = task->Status.State > TaskState::kRunning;
  if (inserted) {
    if (!ended) {
      acquire(snapshot, *task, out);
      entry.holds_dependencies = true;
    }
  } else {
    if (entry.task == task) return false;
    bool quiet =
        !agent_visible_change(*entry.task, *task) && task->Status.State > TaskState::kAssigned;
    entry.task = task;
    bool released = false;
    if (ended && entry.holds_dependencies) {
      released = release(*task, out);
      entry.holds_dependencies = false;
    }
    if (quiet) return released;
  }
  entry.task = task;
  out.insert_or_assign(ItemKey{ItemKind::kTask, task->ID}, update_of(task));
  return true;
}

bool AssignmentSet::remove(const std::string& id, ChangeMap& out) {
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return false;
  if (it->second.holds_dependencies) release(*it->second.task, out);
  tasks_.erase(it);
  out.insert_or_assign(ItemKey{ItemKind::kTask, id}, removal_of(ItemKind::kTask, id));
  return true;
}

void AssignmentSet::acquire(const store::ReadTxn& snapshot, const api::Task& task, ChangeMap& out) {
  for (ItemKey& key : dependencies_of(task)) {
    auto& users = users_[key];
    bool first = users.empty();
    users.insert(task.ID);
    if (!first) continue;
    protocol::Assignment item;
    if (key.first == ItemKind::kSecret) {
      auto secret = snapshot.get<api::Secret>(key.second);
      if (!secret) {
        spdlog::debug("dispatcher: task {} uses secret {}, which does not exist", task.ID,
                      key.second);
        continue;
      }
      item = secret;
    } else {
      auto config = snapshot.get<api::Config>(key.second);
      if (!config) {
        spdlog::debug("dispatcher: task {} uses config {}, which does not exist", task.ID,
                      key.second);
        continue;
      }
      item = config;
    }
    out.insert_or_assign(std::move(key), update_of(std::move(item)));
  }
}

bool AssignmentSet::release(const api::Task& task, ChangeMap& out) {
  bool changed = false;
  for (ItemKey& key : dependencies_of(task)) {
    auto it = users_.find(key);
    if (it == users_.end()) continue;
    it->second.erase(task.ID);
    if (!it->second.empty()) continue;
    users_.erase(it);
    out.insert_or_assign(key, removal_of(key.first, key.second));
    changed = true;
  }
  return changed;
}

}  // namespace shoal::manager::dispatcher
