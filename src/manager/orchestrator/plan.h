// Plan: what one planning pass over one service decides, as values. The planners (pure
// functions of a snapshot and `now`) fill it; commit_plan (commit.h) applies it.
//
// A Plan starts from the service's tasks as the snapshot holds them and records each change
// against that view, so the planning steps of one pass (restarts, then scaling, then the
// rolling update) see the earlier steps' changes:
//   create(task)                 a new task
//   set_desired(task, state)     raise DesiredState (never lowers it)
//   remove(task)                 delete the task from the store
//   update_service(service)      write the service (UpdateStatus, an automatic rollback)
//   follow_up(t)                 plan again at t even if nothing changes (a delay ends)
// Changes are grouped into units that commit atomically (begin_unit()); a unit is small (a
// restart: shut the old task down and create its replacement), so a big plan can commit
// through Store::batch in few datastore commits without ever showing half a restart. A
// change touching a task an earlier unit already touched joins that unit.
//
// Every update carries the Version.Index the snapshot showed; a concurrent write makes the
// unit fail with kOutOfSequence and the reconciler plans again (txn.h).
//
// Thread safety: a value; one thread at a time.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/model.h"
#include "common/time.h"

namespace shoal::manager::orchestrator {

using TaskPtr = std::shared_ptr<const api::Task>;

// At most this many new tasks in one plan: the memory of a pass stays bounded (a plan holds
// every task it creates until it commits) whatever a service's count says. A planner that
// stops there asks for a follow-up at once; a service of 100,000 replicas is made in two
// passes.
inline constexpr size_t kMaxCreatesPerPass = 65'536;

struct Deletion {
  std::string id;
  api::Version version;  // as planned from; the delete is refused if the task changed
};

// Changes that commit together. Tasks are the plan's own (shared, never copied per unit).
struct Unit {
  std::vector<TaskPtr> creates;
  std::vector<TaskPtr> updates;  // Version = the snapshot's
  std::vector<Deletion> deletes;
  bool empty() const { return creates.empty() && updates.empty() && deletes.empty(); }
};

class Plan {
 public:
  // `service_id` names the service planned for; `service_version` is the Version.Index of
  // the service the plan was made from (0 when the service is gone): units are refused when
  // the service changed since. `tasks` are the service's tasks in the snapshot.
  Plan(std::string service_id, uint64_t service_version, std::vector<TaskPtr> tasks);

  // The service's tasks with this plan's changes applied (created ones appended, removed
  // ones dropped), in a stable order.
  const std::vector<TaskPtr>& tasks() const { return tasks_; }
  // The planned version of a task; nullptr if unknown or removed.
  TaskPtr get(const std::string& id) const;

  // Starts a new unit; later changes commit together.
  void begin_unit();
  void create(api::Task task);
  // Raises the task's DesiredState to `state`. A no-op when it is already there or higher.
  // Returns whether it changed. REQUIRES: the task is in tasks().
  bool set_desired(const std::string& id, api::TaskState state);
  // REQUIRES: the task is in tasks().
  void remove(const std::string& id);
  void update_service(api::Service service);
  void follow_up(Timestamp at);

  // Results.
  const std::string& service_id() const { return service_id_; }
  uint64_t service_version() const { return service_version_; }
  const std::optional<api::Service>& service_update() const { return service_update_; }
  const std::optional<Timestamp>& next_follow_up() const { return follow_up_; }
  // The units with each task's final planned content, in the order they were begun.
  std::vector<Unit> units() const;
  // units() one at a time (empty ones skipped), so that a big plan is never copied whole.
  void for_each_unit(const std::function<void(Unit&&)>& fn) const;
  bool empty() const;
  // Count of changes of each kind (for logs and tests).
  size_t creates() const;
  size_t updates() const;
  size_t deletes() const;

 private:
  struct Touched {
    size_t unit = 0;
    bool created = false;  // by this plan
    bool removed = false;
    api::Version version;  // the snapshot's (for updates and deletes)
  };
  // Registers a change to `id` in the current unit (merging units if needed).
  // REQUIRES: `id` is in index_.
  Touched& touch(std::string_view id, bool created);
  void replace(std::string_view id, TaskPtr task);
  static absl::string_view key(std::string_view id) { return {id.data(), id.size()}; }

  std::string service_id_;
  uint64_t service_version_;
  std::vector<TaskPtr> tasks_;
  // Versions replaced or removed. The maps below are keyed by views of task IDs (no copy
  // per task: a plan may create 100,000); these keep every viewed ID alive.
  std::vector<TaskPtr> retired_;
  absl::flat_hash_map<absl::string_view, size_t> index_;  // id → position in tasks_
  absl::flat_hash_map<absl::string_view, Touched> touched_;
  std::vector<std::vector<absl::string_view>> unit_ids_;  // ids touched, per unit
  size_t current_unit_ = 0;
  std::optional<api::Service> service_update_;
  std::optional<Timestamp> follow_up_;
};

}  // namespace shoal::manager::orchestrator
