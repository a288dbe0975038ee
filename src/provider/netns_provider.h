// The netns provider: every machine is a network namespace on this host, with a veth on
// the cluster's bridge, its own IP in the cluster's /24, its own data dir and socket, and
// a `shoal daemon` running inside (machine_process.h: in its own mount, PID and UTS
// namespaces too). The host is the bridge's gateway (.1) and masquerades the subnet's
// traffic to elsewhere in one nft table per cluster, so machines can reach registries.
//
// On disk, under <clusters-dir>/<cluster>/:
//   state.json                  what was made (state.h)
//   machines/<m>/data/          the daemon's --data-dir
//   machines/<m>/docker.sock    its Docker API socket (DOCKER_HOST=unix://...)
//   machines/<m>/daemon.log     its output
// Host objects: /run/netns/shoal-<cluster>-<m> (ip-netns compatible), veth sv-<m>-<hash>,
// bridge sh-<cluster>-<hash>, nft table ip shoal-<cluster>.
//
// Needs root (namespaces, links, nftables).
//
// Thread safety: one thread at a time (see Provider); launching forks, so the calling
// process should have a single thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "provider/provider.h"

namespace shoal::provider {

struct NetnsOptions {
  std::string clusters_dir = "/var/lib/shoal/clusters";
  std::string shoal_binary;    // the daemon to run inside each machine (absolute path)
  std::string monitor_binary;  // passed as --monitor when not empty
  std::string subnet_pool = "10.213.0.0/16";
  std::string netns_dir = "/run/netns";
  std::vector<std::string> daemon_flags;  // more flags for each daemon (e.g. --log-level)
  std::chrono::milliseconds start_timeout{30'000};
  std::chrono::milliseconds stop_timeout{5'000};  // SIGTERM → SIGKILL
};

// The port each machine's daemon listens on for other nodes.
inline constexpr int kSwarmPort = 2377;

class NetnsProvider final : public Provider {
 public:
  explicit NetnsProvider(NetnsOptions options);

  Status bootstrap(ClusterState& state) override;
  Result<std::vector<Instance>> start_instances(ClusterState& state, const Constraints& c) override;
  Status stop_instances(ClusterState& state, const std::vector<std::string>& ids) override;
  Result<std::vector<Instance>> instances(const ClusterState& state) override;
  Status open_ports(ClusterState& state, const std::vector<PortRange>& ports) override;
  Status close_ports(ClusterState& state, const std::vector<PortRange>& ports) override;
  std::vector<std::string> subnets(const ClusterState& state) const override;
  Status destroy(ClusterState& state) override;

  // A power cut: kills the machine's init, so its daemon, monitors and containers die at
  // once; its disk stays. Errors: kNotFound for an unknown machine.
  Status kill_instance(ClusterState& state, const std::string& id);
  // Starts a stopped (or killed) machine's daemon again on its disk and network; waits
  // until its API answers. What a host reboot removed (bridge, NAT table, namespace, veth)
  // is made again first. OK when it runs already. Errors: kNotFound; kUnavailable.
  Status restart_instance(ClusterState& state, const std::string& id);

  // <clusters-dir>/<name>.
  std::string cluster_dir(const std::string& name) const;

 private:
  Status save(const ClusterState& state) const;
  Status record(ClusterState& state, Resource resource) const;
  Status run_cleanup(ClusterState& state, const std::optional<std::string>& machine);
  Status remove(const ClusterState& state, const Resource& resource);
  Status make_machine_network(ClusterState& state, const MachineState& machine);
  Status launch(ClusterState& state, const MachineState& machine);
  std::string netns_path(const ClusterState& state, const std::string& machine) const;
  // Whether a recorded init of `machine` is alive in the machine's namespace.
  bool running(const ClusterState& state, const std::string& machine) const;
  std::vector<std::string> subnets_in_use(const std::string& except) const;

  NetnsOptions options_;
};

// Adds "netns" to `registry`, made with `options`.
void add_netns_provider(ProviderRegistry& registry, NetnsOptions options);

}  // namespace shoal::provider
