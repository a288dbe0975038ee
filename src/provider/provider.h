// Provider: a source of machines that each run one `shoal daemon` (juju's
// Environ/EnvironProvider, in our words). A cluster is made by one provider; what the
// provider makes is recorded in a ClusterState (state.h) BEFORE it is made, so that
// `shoal cluster rm` can remove everything also after a crash of the CLI or a daemon.
//
// Swarm membership (init/join/leave) is not the provider's business: the CLI drives it
// through each machine's Docker API socket (Instance::docker_host).
//
// Thread safety: a Provider is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "provider/state.h"

namespace shoal::provider {

// What an instance should have. CPU and memory are recorded even when the provider
// cannot enforce them (netns cannot).
struct Constraints {
  int count = 1;
  std::string name_prefix = "m";
  std::optional<double> cpus;
  std::optional<int64_t> memory_bytes;
  std::string executor = "runc";  // passed to `shoal daemon --executor`
};

enum class InstanceState { kPending, kRunning, kStopped, kUnknown };

struct Instance {
  std::string id;       // machine name, unique in its cluster ("m1")
  std::string address;  // its IP
  InstanceState state = InstanceState::kUnknown;
  std::string docker_host;  // "unix:///.../machines/m1/docker.sock"
};

struct PortRange {
  uint16_t from = 0;
  uint16_t to = 0;
  std::string protocol = "tcp";
};

class Provider {
 public:
  virtual ~Provider() = default;

  // Makes the cluster's shared parts (bridge, subnet, NAT). Idempotent.
  // Fails with kFailedPrecondition when the host lacks what the provider needs.
  virtual Status bootstrap(ClusterState& state) = 0;

  // Starts `c.count` machines; each is recorded in `state` (and saved) before any of
  // its parts is made. Returns the new instances; on error the state names what exists.
  virtual Result<std::vector<Instance>> start_instances(ClusterState& state,
                                                        const Constraints& c) = 0;

  // Stops and removes the named machines (daemon, containers, mounts, links, dirs).
  // Unknown IDs are kNotFound; removing what is already gone is not an error.
  virtual Status stop_instances(ClusterState& state, const std::vector<std::string>& ids) = 0;

  virtual Result<std::vector<Instance>> instances(const ClusterState& state) = 0;

  // Ports reachable from outside the cluster's subnet (kUnimplemented where the
  // provider has no firewall between machines and host).
  virtual Status open_ports(ClusterState& state, const std::vector<PortRange>& ports) = 0;
  virtual Status close_ports(ClusterState& state, const std::vector<PortRange>& ports) = 0;

  // The cluster's subnets in CIDR form.
  virtual std::vector<std::string> subnets(const ClusterState& state) const = 0;

  // Removes everything `state` records, in reverse order of making. Idempotent.
  virtual Status destroy(ClusterState& state) = 0;
};

// Providers by name ("netns"). create() of an unknown name is kNotFound and lists the
// known names.
class ProviderRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Provider>()>;
  void add(std::string name, Factory factory);
  Result<std::unique_ptr<Provider>> create(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Factory> factories_;
};

}  // namespace shoal::provider
