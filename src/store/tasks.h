// The task table: api::Task objects, by ID and by the indexes the orchestrators, scheduler
// and dispatcher query: service (tasks in slot order, so it answers (service, slot) too),
// node ("" = unassigned), desired state.
//
// Tasks have no unique name. A lookup by name (ReadTxn::lookup) understands Docker's derived
// task names, "<service name>.<slot>.<task ID>" and, for global tasks,
// "<service name>.<node ID>.<task ID>" (or the task's own Annotations.Name when set).
//
// A task's Spec is shared (spec_pool.h): the store points every committed task at the one
// canonical TaskSpec of its content, so equal specs are held once whatever pointer the writer
// passed, and the task record stores only the spec's reference.
#pragma once

#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "store/codec.h"
#include "store/index.h"
#include "store/object.h"
#include "store/query.h"

namespace shoal::store {

// A slot as an unsigned integer that orders as the signed slot does.
inline uint64_t slot_rank(int64_t slot) {
  return static_cast<uint64_t>(slot) ^ (uint64_t{1} << 63);
}

// Tasks of a service, in slot order; also answers by::Slot (one slot's tasks).
struct TaskByService {
  using Object = api::Task;
  using Query = by::Service;
  using SubQuery = by::Slot;
  static constexpr IndexKind kKind = IndexKind::kHashed;
  static std::string_view key(const api::Task& t) { return t.ServiceID; }
  static std::string_view key(const by::Service& q) { return q.id; }
  static std::string_view key(const by::Slot& q) { return q.service_id; }
  static uint64_t within(const api::Task& t) { return slot_rank(t.Slot); }
  static uint64_t within(const by::Slot& q) { return slot_rank(q.slot); }
};

struct TaskByNode {
  using Object = api::Task;
  using Query = by::Node;
  static constexpr IndexKind kKind = IndexKind::kHashed;
  static std::string_view key(const api::Task& t) { return t.NodeID; }
  static std::string_view key(const by::Node& q) { return q.id; }
  static uint64_t within(const api::Task& t) { return prefix_rank(t.ID); }
};

struct TaskByDesiredState {
  using Object = api::Task;
  using Query = by::DesiredState;
  static constexpr IndexKind kKind = IndexKind::kHashed;
  static api::TaskState key(const api::Task& t) { return t.DesiredState; }
  static api::TaskState key(const by::DesiredState& q) { return q.state; }
  static uint64_t within(const api::Task& t) { return prefix_rank(t.ID); }
};

template <>
struct TableTraits<api::Task> {
  static constexpr Kind kKind = Kind::kTask;
  static constexpr std::string_view kTable = "tasks";
  static constexpr bool kUniqueNames = false;
  using Indexes = std::tuple<TaskByService, TaskByNode, TaskByDesiredState>;

  static std::string_view name(const api::Task& o) { return o.Name; }
  static Status name_conflict(std::string_view) { return Status::ok(); }
};

// Docker's name of a task whose service is named `service_name` (swarmkit naming.Task).
std::string task_name(const api::Task& task, std::string_view service_name);

}  // namespace shoal::store
