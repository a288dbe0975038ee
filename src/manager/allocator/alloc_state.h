// AllocState: what is allocated, derived from the store's objects alone (so a restarted
// allocator rebuilds it exactly, and keeps no memory the store does not hold):
//   - a network holds its subnet (in the SubnetPool), its gateway address, its VXLAN ID
//     (overlay networks), once it is allocated (Network.IPAMOptions set);
//   - a service holds the ingress ports of its Endpoint.Ports and its VirtualIPs;
//   - a task holds the addresses of its NetworksAttachments while it has not ended
//     (Status.State <= running), as Docker frees them when a task stops.
// hold(object) records what an object holds; unhold(object) releases it. The allocator calls
// unhold(old) then hold(new) for every store change, and plans new allocations on top.
//
// Addresses are kept per allocated network (an AddressSpace over its first IPv4 subnet);
// an address in a network the state does not know (not allocated, or deleted) is ignored.
//
// Thread safety: none; the allocator's loop thread owns it.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "api/network.h"
#include "api/service.h"
#include "api/task.h"
#include "manager/allocator/ipam.h"
#include "manager/allocator/ports.h"

namespace shoal::manager::allocator {

// The DriverState option carrying an overlay network's VXLAN ID (Docker's spelling).
inline constexpr std::string_view kVxlanOption = "com.docker.network.driver.overlay.vxlanid_list";
inline constexpr uint32_t kFirstVxlanId = 4096;

// The routing-mesh network: Spec.Ingress, or the internal network named "ingress" (swarmkit).
bool is_ingress_network(const api::Network& network);
// Whether the network's driver uses IP addresses at all ("host" and "null" do not).
bool uses_ipam(const api::Network& network);
// Whether the allocator has done its part: DriverState set and, for a network with IP
// addresses, an IPv4 subnet in IPAMOptions.
bool is_allocated(const api::Network& network);
// The IPAMOptions config the network's addresses come from (its first IPv4 one), if any.
const api::IPAMConfig* ipv4_config(const std::optional<api::IPAMOptions>& ipam);
// The allocated network's IPv4 subnet, if any.
std::optional<Ipv4Prefix> allocated_subnet(const api::Network& network);
// Whether the service publishes a port through the ingress routing mesh.
bool publishes_ingress(const api::Service& service);

class AllocState {
 public:
  explicit AllocState(SubnetPool pool) : pool_(std::move(pool)) {}

  void hold(const api::Network& network);
  void unhold(const api::Network& network);
  void hold(const api::Service& service);
  void unhold(const api::Service& service);
  void hold(const api::Task& task);
  void unhold(const api::Task& task);

  // Replaces the pool (the cluster's DefaultAddrPool or SubnetSize changed), keeping the
  // subnets of `networks` reserved.
  template <typename Networks>
  void reset_pool(SubnetPool pool, const Networks& networks) {
    pool_ = std::move(pool);
    for (const auto& [id, network] : networks) {
      if (auto subnet = allocated_subnet(*network)) pool_.reserve(*subnet);
    }
  }

  SubnetPool& pool() { return pool_; }
  IngressPorts& ports() { return ports_; }
  // The address space of an allocated network, or null.
  AddressSpace* space(std::string_view network_id);
  // The lowest VXLAN ID from kFirstVxlanId up that no network holds.
  uint32_t next_vxlan() const;
  bool vxlan_in_use(uint32_t id) const { return vxlans_.contains(id); }

 private:
  SubnetPool pool_;
  IngressPorts ports_;
  absl::flat_hash_map<std::string, AddressSpace> spaces_;  // by network ID
  std::set<uint32_t> vxlans_;
};

}  // namespace shoal::manager::allocator
