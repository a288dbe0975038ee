// What a task's sandbox is made of, decided before anything is made: a pure function of the
// task (its NetworksAttachments, Endpoint and ContainerSpec) and the node's settings. The
// result, a SandboxRecord, is also what NodeNetwork writes to its state dir before it
// touches the kernel, so a sandbox can be removed, or its ports rebuilt, after a crash.
//
// Interfaces: one per network attachment that has an address, in the task's order (the
// allocator puts the ingress network first), named eth0, eth1...; each on the bridge of its
// swarm network ("<bridge_prefix><network ID>" cut to 15 characters: one bridge per network
// per node, where a VXLAN device will join it for multi-node overlays). A task without
// attachments gets one interface on the node's default bridge, at the address the caller
// allocated from the local IPAM. The default route goes via the first interface whose
// network is not internal.
//
// Ports: the task's Endpoint.Ports; a host-mode port with PublishedPort 0 is left 0 here
// (NodeNetwork picks a free node port).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "api/task.h"
#include "common/status.h"
#include "network/files.h"
#include "network/ipam.h"
#include "network/ruleset.h"

namespace shoal::network {

inline constexpr uint32_t kDefaultMtu = 1500;
// The driver option that sets a network's MTU (Docker's).
inline constexpr std::string_view kMtuOption = "com.docker.network.driver.mtu";

struct InterfaceRecord {
  std::string name;        // inside the namespace: "eth0"
  std::string host_veth;   // the host end
  std::string network_id;  // empty for the default bridge
  std::string bridge;
  Cidr bridge_address;  // the network's gateway with the subnet's prefix
  Cidr address;         // the task's address
  uint32_t mtu = kDefaultMtu;
  bool internal = false;  // no default route, no masquerade
  bool ingress = false;   // the ingress network (the target of ingress-mode ports)
};

struct SandboxRecord {
  std::string task_id;
  std::string service_id;
  std::string hostname;
  std::filesystem::path netns_path;
  std::vector<InterfaceRecord> interfaces;
  std::vector<api::PortConfig> ports;  // as published on this node
  std::string hosts;
  std::string resolv_conf;

  // The interface the default route uses, or null.
  const InterfaceRecord* default_interface() const;
};

// The node's settings a plan depends on.
struct SandboxContext {
  std::filesystem::path netns_dir;    // namespaces are bound at <netns_dir>/<task ID>
  std::string bridge_prefix = "shl";  // swarm networks' bridges
  std::string default_bridge = "shoal0";
  Cidr default_gateway;  // the default bridge's address (gateway/prefix)
  uint32_t default_mtu = kDefaultMtu;
  ResolvConf host_dns;  // the host's resolv.conf
};

// True when the task gets an interface on the default bridge (no attachment has an address).
bool needs_default_bridge(const api::Task& task);

// The sandbox of `task`. `default_address` is the task's address on the default bridge,
// REQUIRED when needs_default_bridge(task), ignored otherwise.
// Errors: kInvalidArgument naming the network for an attachment this node cannot provide
// (the host network driver, an unallocated network without a gateway, an address that is
// not an IPv4 CIDR, more than 16 attachments).
Result<SandboxRecord> plan_sandbox(const api::Task& task, const SandboxContext& context,
                                   std::optional<Cidr> default_address);

// The bridge device of a swarm network.
std::string bridge_name(std::string_view prefix, std::string_view network_id);

// The ports of `record` as the ruleset planner takes them.
std::vector<PublishedPort> published_ports(const SandboxRecord& record);

// The Status.PortStatus a runtime reports for the task: its host-mode ports as published.
std::vector<api::PortConfig> host_ports(const SandboxRecord& record);

}  // namespace shoal::network
