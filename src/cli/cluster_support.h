// What `shoal cluster` and `shoal machine` share: opening a cluster's provider and state,
// and the swarm membership of its machines, driven through their Docker API sockets
// (init on the first machine, join as workers, node removal) — the provider only makes
// machines.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "provider/netns_provider.h"

namespace shoal::cli {

inline constexpr const char* kDefaultClustersDir = "/var/lib/shoal/clusters";

// Prints "shoal <group> <command>: <message>" on stderr; returns the exit code, 1.
int command_failed(std::string_view group, std::string_view command, const Status& st);

// `--state-dir DIR` (or $SHOAL_CLUSTERS_DIR) on `cmd`, stored in `dir`.
void add_state_dir_option(CLI::App& cmd, std::string& dir);

// A cluster's state and the provider that made it, opened together.
struct OpenCluster {
  provider::ClusterState state;
  std::unique_ptr<provider::NetnsProvider> provider;
};

// The netns provider, running this shoal binary inside each machine.
std::unique_ptr<provider::NetnsProvider> make_netns_provider(const std::string& clusters_dir);

// Loads cluster `name` from `clusters_dir`. Errors: kNotFound "no cluster <name> ...".
Result<OpenCluster> open_cluster(const std::string& clusters_dir, const std::string& name);

// The machine that manages the swarm (the first with role "manager").
// Errors: kFailedPrecondition when the cluster has none.
Result<provider::MachineState> manager_of(const provider::ClusterState& state);

// `docker swarm init` on `machine`, listening and advertising on its IP.
Status init_swarm(const provider::MachineState& machine);

// `docker swarm join` of `machine` as a worker of the manager's swarm.
Status join_as_worker(const provider::MachineState& manager, const provider::MachineState& machine);

// `docker node rm --force` of `machine`'s node, on the manager (found by its hostname,
// <cluster>-<machine>). OK when the manager knows no such node.
Status remove_node(const provider::ClusterState& state, const std::string& machine);

// Prints the machines as a table: MACHINE ROLE IP STATE DOCKER_HOST.
void print_machines(const provider::ClusterState& state,
                    const std::vector<provider::Instance>& instances);

}  // namespace shoal::cli
