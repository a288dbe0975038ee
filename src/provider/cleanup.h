// The cleanup planner: from a ClusterState, the ordered steps that remove what it
// records. Pure. The executor (netns provider) treats an absent object as removed and
// drops each resource from the state (and saves) after its step succeeds, so running
// the plan again after a crash resumes where it stopped (idempotent).
//
// Order: processes first (SIGTERM, then SIGKILL after a timeout), then mounts (most
// recent first, so nested mounts go before their parents), namespaces, veths, the
// bridge, the nft table, and last the directories (most recent first).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "provider/state.h"

namespace shoal::provider {

struct CleanupStep {
  Resource resource;
};

// Steps for every resource of `state`, or only those of `machine` when given (the
// cluster's shared parts are never in a machine's plan).
std::vector<CleanupStep> plan_cleanup(const ClusterState& state,
                                      const std::optional<std::string>& machine = std::nullopt);

// Removes every entry equal to `r` from state.made; returns whether any was there.
bool forget(ClusterState& state, const Resource& r);

}  // namespace shoal::provider
