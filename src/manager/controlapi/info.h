// What the node says about its swarm membership: the "Swarm" section of GET /info and the
// Swarm header of /_ping, computed from one place so they always agree (docker-cli-api.md
// §13.8).
//
// Thread safety: safe to call from any thread.
#pragma once

#include <string>

#include "api/swarm.h"
#include "manager/controlapi/context.h"

namespace shoal::manager::controlapi {

// moby Cluster.Info: NodeID, NodeAddr (the advertised IP), LocalNodeState, Error,
// ControlAvailable (an active manager); on an active manager also Cluster (the cluster
// without join tokens), Nodes, Managers and RemoteManagers (every manager's ID and
// "<ip>:2377"). Store errors become Info.Error; never fails.
api::Info swarm_info(const Context& ctx);

// This node's tasks as `docker info` counts containers: running (state running), stopped
// (ended but not yet deleted), and all of them (from accepted on: a container exists).
struct ContainerCounts {
  int64_t total = 0;
  int64_t running = 0;
  int64_t stopped = 0;
};
ContainerCounts local_container_counts(const Context& ctx);

// /_ping's Swarm header (moby Cluster.Status): "inactive", "pending", "error", "locked",
// "active/manager" or "active/worker".
std::string swarm_ping_state(const LocalNode& local);

}  // namespace shoal::manager::controlapi
