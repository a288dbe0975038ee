// The global orchestrator's planner (swarmkit manager/orchestrator/global): one task of the
// service on every node that can take it.
//
// A node takes a new task when it is ready, its availability is active, and it satisfies the
// service's placement constraints (constraint.h). One pass over a service:
//   1. tasks on a node that no longer exists are deleted; tasks desired running on a drained
//      or down node are shut down (not replaced: the task belongs to its node);
//   2. a task that ended is shut down if its node is paused or no longer fits, else restarted
//      on the same node per its RestartPolicy (restart.h);
//   3. per node: a node that no longer fits the constraints has its tasks shut down; a paused
//      node keeps what it runs and gets nothing new; a node that takes tasks and holds none
//      gets one (NodeID set at creation, Slot 0); the others go to the rolling update
//      (updater.h, one "slot" per node);
//   4. `ready` replacements start when due (restart.h plan_starts).
// Nodes joining, leaving, changing availability or labels are followed because every node
// change marks the global services for a new pass.
// Differences from swarmkit: a node that is not ready (unknown, disconnected) gets no new
// task (swarmkit places on any node not down or drained).
#pragma once

#include "manager/orchestrator/inputs.h"

namespace shoal::manager::orchestrator {

// REQUIRES: in.service is a global service.
Plan plan_global(const ServiceInputs& in);

// The nodes (sorted by ID) that may run a new task of the service described by `tmpl`.
std::vector<const api::Node*> eligible_nodes(const NodeMap& nodes, const ServiceTemplate& tmpl);

}  // namespace shoal::manager::orchestrator
