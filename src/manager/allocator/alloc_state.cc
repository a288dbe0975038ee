#include "manager/allocator/alloc_state.h"

#include <charconv>
#include <string>

namespace shoal::manager::allocator {

namespace {

std::optional<uint32_t> vxlan_of(const api::Network& network) {
  auto it = network.DriverState.Options.find(std::string(kVxlanOption));
  if (it == network.DriverState.Options.end()) return std::nullopt;
  // "4096" or, for several, "4096,4097": the first one is the network's.
  uint32_t id = 0;
  const std::string& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return id;
}

// Calls fn(address space, address) for every address of a task's attachments.
template <typename Fn>
void for_each_task_address(AllocState& state, const api::Task& task, Fn fn) {
  for (const api::NetworkAttachment& a : task.NetworksAttachments) {
    AddressSpace* space = state.space(a.Network.ID);
    if (space == nullptr) continue;
    for (const std::string& address : a.Addresses) {
      auto parsed = parse_cidr_address(address);
      if (parsed.is_ok()) fn(*space, parsed->first);
    }
  }
}

bool holds_addresses(const api::Task& task) {
  return task.Status.State <= api::TaskState::kRunning;
}

}  // namespace

bool is_ingress_network(const api::Network& network) {
  if (network.Spec.Ingress) return true;
  return network.Spec.Name == "ingress" &&
         network.Spec.Labels.contains("com.docker.swarm.internal");
}

bool uses_ipam(const api::Network& network) {
  const std::string& driver =
      network.Spec.DriverConfiguration ? network.Spec.DriverConfiguration->Name : std::string();
  return driver != "host" && driver != "null" && driver != "none";
}

const api::IPAMConfig* ipv4_config(const std::optional<api::IPAMOptions>& ipam) {
  if (!ipam) return nullptr;
  for (const api::IPAMConfig& config : ipam->Configs) {
    if (parse_prefix(config.Subnet).is_ok()) return &config;
  }
  return nullptr;
}

bool is_allocated(const api::Network& network) {
  if (network.DriverState.Name.empty()) return false;
  return !uses_ipam(network) || ipv4_config(network.IPAMOptions) != nullptr;
}

std::optional<Ipv4Prefix> allocated_subnet(const api::Network& network) {
  if (!is_allocated(network)) return std::nullopt;
  const api::IPAMConfig* config = ipv4_config(network.IPAMOptions);
  if (config == nullptr) return std::nullopt;
  return parse_prefix(config->Subnet).value();
}

bool publishes_ingress(const api::Service& service) {
  if (!service.Spec.EndpointSpec) return false;
  for (const api::PortConfig& port : service.Spec.EndpointSpec->Ports) {
    if (is_ingress(port)) return true;
  }
  return false;
}

AddressSpace* AllocState::space(std::string_view network_id) {
  auto it = spaces_.find(absl::string_view(network_id.data(), network_id.size()));
  return it == spaces_.end() ? nullptr : &it->second;
}

uint32_t AllocState::next_vxlan() const {
  uint32_t id = kFirstVxlanId;
  for (auto it = vxlans_.lower_bound(id); it != vxlans_.end() && *it == id; ++it) ++id;
  return id;
}

void AllocState::hold(const api::Network& network) {
  if (!is_allocated(network)) return;
  if (auto vxlan = vxlan_of(network)) vxlans_.insert(*vxlan);
  std::optional<Ipv4Prefix> subnet = allocated_subnet(network);
  if (!subnet) return;
  pool_.reserve(*subnet);  // false only for overlapping subnets in the store: keep going
  const api::IPAMConfig& config = *ipv4_config(network.IPAMOptions);
  std::optional<Ipv4Prefix> range;
  if (auto parsed = parse_prefix(config.Range); parsed.is_ok()) range = *parsed;
  auto [it, inserted] = spaces_.try_emplace(network.ID, *subnet, range);
  // No gateway written (a network allocated elsewhere): the default one is still not a task's.
  auto gateway = parse_address(config.Gateway);
  it->second.reserve(gateway.is_ok() ? *gateway : subnet->base + 1);
}

void AllocState::unhold(const api::Network& network) {
  if (!is_allocated(network)) return;
  if (auto vxlan = vxlan_of(network)) vxlans_.erase(*vxlan);
  if (auto subnet = allocated_subnet(network)) pool_.release(*subnet);
  spaces_.erase(network.ID);
}

void AllocState::hold(const api::Service& service) {
  for (const api::PortConfig& port : service.Endpoint.Ports) {
    if (is_ingress(port) && port.PublishedPort != 0) {
      ports_.claim(protocol_of(port), port.PublishedPort, service.ID);
    }
  }
  for (const api::EndpointVirtualIP& vip : service.Endpoint.VirtualIPs) {
    AddressSpace* space = this->space(vip.NetworkID);
    auto parsed = parse_cidr_address(vip.Addr);
    if (space != nullptr && parsed.is_ok()) space->reserve(parsed->first);
  }
}

void AllocState::unhold(const api::Service& service) {
  for (const api::PortConfig& port : service.Endpoint.Ports) {
    if (is_ingress(port) && port.PublishedPort != 0) {
      ports_.release(protocol_of(port), port.PublishedPort, service.ID);
    }
  }
  for (const api::EndpointVirtualIP& vip : service.Endpoint.VirtualIPs) {
    AddressSpace* space = this->space(vip.NetworkID);
    auto parsed = parse_cidr_address(vip.Addr);
    if (space != nullptr && parsed.is_ok()) space->release(parsed->first);
  }
}

void AllocState::hold(const api::Task& task) {
  if (!holds_addresses(task)) return;
  for_each_task_address(*this, task, [](AddressSpace& s, uint32_t a) { s.reserve(a); });
}

void AllocState::unhold(const api::Task& task) {
  if (!holds_addresses(task)) return;
  for_each_task_address(*this, task, [](AddressSpace& s, uint32_t a) { s.release(a); });
}

}  // namespace shoal::manager::allocator
