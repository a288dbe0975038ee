// Placement planning: the scheduler's decisions for a set of pending tasks, as a value.
//
// plan_placements() groups the tasks by service version (same ServiceID and same shared
// Spec, so one filter pass serves the whole group) and, per group:
//   1. runs the filter chain (filter.h) over every live node;
//   2. arranges the nodes that pass in a tree by the values of the spread preferences
//      (Placement.Preferences[].Spread.SpreadDescriptor, e.g. node.labels.zone), each branch
//      counting the service's active tasks on all its nodes;
//   3. places tasks one at a time: from the root down, into the branch with the fewest tasks
//      of the service (ties: the lower label value); in the leaf, onto the node with the
//      fewest tasks of the service, then the fewest active tasks in total, then the lowest
//      stable hash of (service ID, node ID) — so ties are broken the same way on every run,
//      yet differently per service. A node is re-checked with the dynamic filters before
//      each placement; one that no longer fits leaves the tree.
// Tasks that fit nowhere are reported with Docker's error ("no suitable node (...)", the
// rejection counts of a final pass over every node).
//
// Tasks that arrive with a NodeID (global services) are checked against that node only and
// assigned there, or reported with the explanation alone (swarmkit's wording). Pending tasks
// whose DesiredState is past complete will never run: they are reported for shutdown.
//
// Every placement is charged to `state` (ClusterState::charge) as it is decided, so later
// decisions see it; the caller reverts the ones it fails to commit. Given the same state and
// tasks, the plan is the same (tasks are ordered by service, slot and ID first).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/task.h"
#include "manager/scheduler/cluster_state.h"

namespace shoal::manager::scheduler {

inline constexpr std::string_view kAssignedMessage = "scheduler assigned task to node";
inline constexpr std::string_view kPreassignedMessage =
    "scheduler confirmed task can run on preassigned node";
inline constexpr std::string_view kShutdownMessage = "task shut down before it was scheduled";

struct Assignment {
  std::shared_ptr<const api::Task> task;
  std::string node_id;
  std::vector<api::GenericResource> generic;  // generic resources claimed on the node
  bool preassigned = false;                   // the task came with this NodeID
};

struct Unplaced {
  std::shared_ptr<const api::Task> task;
  std::string err;  // the task's Status.Err to show
};

struct Plan {
  std::vector<Assignment> assigned;
  std::vector<Unplaced> unplaced;
  std::vector<std::shared_ptr<const api::Task>> shut_down;
};

// REQUIRES: every task is pending (Status.State == pending).
Plan plan_placements(ClusterState& state, std::vector<std::shared_ptr<const api::Task>> tasks);

}  // namespace shoal::manager::scheduler
