// What the service planners read, and the small predicates they share.
//
// A planner is a pure function: it reads a ServiceInputs (values from one snapshot, plus
// `now` and the ID source) and returns a Plan (plan.h). Tests build ServiceInputs by hand.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/model.h"
#include "api/task_lifecycle.h"
#include "common/id.h"
#include "common/time.h"
#include "manager/orchestrator/plan.h"
#include "manager/orchestrator/spec.h"

namespace shoal::manager::orchestrator {

using NodeMap = std::unordered_map<std::string, std::shared_ptr<const api::Node>>;
// Task ID → when the task was seen reaching `running` (the updater's monitor window).
// Soft state: a missing entry falls back to the task's own timestamps.
using RunningSince = std::unordered_map<std::string, Timestamp>;

struct ServiceInputs {
  std::shared_ptr<const api::Service> service;  // REQUIRES: not null
  const ServiceTemplate* tmpl = nullptr;        // REQUIRES: tmpl for *service
  std::vector<TaskPtr> tasks;                   // every task of the service
  const NodeMap* nodes = nullptr;               // REQUIRES: not null; every node
  const RunningSince* running_since = nullptr;  // may be null
  Timestamp now;
  IdGenerator* ids = nullptr;  // REQUIRES: not null

  const api::Node* node(const std::string& id) const;
};

// The node is gone, down, or drained: its tasks must move (swarmkit InvalidNode).
bool node_invalid(const api::Node* node);
// The task's node changed so that the task must move (swarmkit's constraint enforcer): the
// node is active and no longer satisfies the constraints the task was placed with. Tasks on
// paused or drained nodes are left to those rules.
bool node_rejects(const api::Task& task, const api::Node& node, TaskConstraints& constraints);
// The node may receive new tasks: ready and active.
bool node_accepts_tasks(const api::Node& node);

// The task may still be running on its node: assigned..running on a node that exists and is
// not down. A task desired to stop is waited for while it is live.
bool task_live(const api::Task& task, const NodeMap& nodes);

// True for replicated-job and global-job services.
bool is_job(const api::Service& service);
// True for global and global-job services (tasks are per node).
bool is_per_node(const api::Service& service);

// The highest DesiredState at which a task still counts as wanted: running (jobs: complete).
api::TaskState active_desired_limit(const api::Service& service);

// A new task of `service` for `slot` (and `node_id`, global modes), per swarmkit NewTask:
// State new "created" at `now`, DesiredState running (jobs: complete, with the service's
// JobIteration), Spec = the template's shared spec, no name and no labels.
api::Task new_task(const ServiceInputs& in, int64_t slot, std::string node_id);

// The order swarmkit's TasksByTimestamp sorts by: Status.Timestamp, then ID for ties.
bool older(const api::Task& a, const api::Task& b);

// Tasks grouped by slot (replicated, replicated jobs) or by node (global modes), keyed by a
// string ("<slot>" or the node ID) and sorted by key; each group in older() order.
struct SlotGroup {
  int64_t slot = 0;     // replicated modes
  std::string node_id;  // per-node modes
  std::vector<TaskPtr> tasks;
};
std::vector<SlotGroup> group_by_slot(const std::vector<TaskPtr>& tasks, bool per_node);

}  // namespace shoal::manager::orchestrator
