#include "manager/task_order.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <tuple>

namespace shoal::manager {

namespace {

using TaskPtr = std::shared_ptr<const api::Task>;

// The first 8 bytes of `s` as a big-endian integer (zero-padded): a < b ⇒ rank(a) <= rank(b).
uint64_t prefix_rank(std::string_view s) {
  uint64_t r = 0;
  for (size_t i = 0; i < 8; ++i) {
    r = (r << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
  }
  return r;
}

struct Key {
  uint32_t service;  // ordinal of the ServiceID among the distinct ones, in string order
  int64_t slot;
  uint64_t id_rank;
  const api::Task* task;
  uint32_t index;  // position in the input
};

bool key_less(const Key& a, const Key& b) {
  if (std::tie(a.service, a.slot, a.id_rank) != std::tie(b.service, b.slot, b.id_rank)) {
    return std::tie(a.service, a.slot, a.id_rank) < std::tie(b.service, b.slot, b.id_rank);
  }
  return a.task->ID < b.task->ID;
}

// Reorders `tasks` as `keys` (sorted) say.
void apply_order(std::vector<TaskPtr>& tasks, const std::vector<Key>& keys) {
  std::vector<TaskPtr> sorted;
  sorted.reserve(tasks.size());
  for (const Key& k : keys) sorted.push_back(std::move(tasks[k.index]));
  tasks = std::move(sorted);
}

}  // namespace

void sort_by_service_slot_id(std::vector<TaskPtr>& tasks) {
  absl::flat_hash_map<std::string_view, uint32_t> services;
  for (const TaskPtr& t : tasks) services.try_emplace(t->ServiceID, 0);
  std::vector<std::string_view> names;
  names.reserve(services.size());
  for (const auto& [name, ordinal] : services) names.push_back(name);
  std::sort(names.begin(), names.end());
  for (uint32_t i = 0; i < names.size(); ++i) services[names[i]] = i;

  std::vector<Key> keys;
  keys.reserve(tasks.size());
  for (uint32_t i = 0; i < tasks.size(); ++i) {
    const api::Task& t = *tasks[i];
    keys.push_back(Key{services.at(t.ServiceID), t.Slot, prefix_rank(t.ID), &t, i});
  }
  std::sort(keys.begin(), keys.end(), key_less);
  apply_order(tasks, keys);
}

void sort_by_id(std::vector<TaskPtr>& tasks) {
  std::vector<Key> keys;
  keys.reserve(tasks.size());
  for (uint32_t i = 0; i < tasks.size(); ++i) {
    keys.push_back(Key{0, 0, prefix_rank(tasks[i]->ID), tasks[i].get(), i});
  }
  std::sort(keys.begin(), keys.end(), key_less);
  apply_order(tasks, keys);
}

}  // namespace shoal::manager
