#include "manager/allocator/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "api/task_lifecycle.h"

namespace shoal::manager::allocator {

namespace {

using NetworkPtr = std::shared_ptr<const api::Network>;

bool same_port(const api::PortConfig& a, const api::PortConfig& b) {
  return std::tie(a.Name, a.Protocol, a.TargetPort, a.PublishedPort, a.PublishMode) ==
         std::tie(b.Name, b.Protocol, b.TargetPort, b.PublishedPort, b.PublishMode);
}

bool same_ports(const std::vector<api::PortConfig>& a, const std::vector<api::PortConfig>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), same_port);
}

bool same_endpoint(const api::Endpoint& a, const api::Endpoint& b) {
  auto same_vip = [](const api::EndpointVirtualIP& x, const api::EndpointVirtualIP& y) {
    return x.NetworkID == y.NetworkID && x.Addr == y.Addr;
  };
  return a.Spec.Mode == b.Spec.Mode && same_ports(a.Spec.Ports, b.Spec.Ports) &&
         same_ports(a.Ports, b.Ports) &&
         std::equal(a.VirtualIPs.begin(), a.VirtualIPs.end(), b.VirtualIPs.begin(),
                    b.VirtualIPs.end(), same_vip);
}

// --- networks --------------------------------------------------------------------------------

Result<api::Network> allocate_network(AllocState& state, const api::Network& network) {
  api::Network out = network;
  const auto& driver = network.Spec.DriverConfiguration;
  out.DriverState.Name = driver && !driver->Name.empty() ? driver->Name : "overlay";
  out.DriverState.Options = driver ? driver->Options : api::StringMap{};
  if (out.DriverState.Name == "overlay") {
    out.DriverState.Options[std::string(kVxlanOption)] = std::to_string(state.next_vxlan());
  }
  if (!uses_ipam(network)) return out;

  // What the user asked for (the control API may have copied it to IPAMOptions already).
  const auto& requested = network.IPAMOptions ? network.IPAMOptions : network.Spec.IPAMOptions;
  api::IPAMOptions ipam;
  ipam.Driver =
      requested && !requested->Driver.Name.empty() ? requested->Driver : api::Driver{"default", {}};
  api::IPAMConfig config;
  Ipv4Prefix subnet;
  if (const api::IPAMConfig* user = ipv4_config(requested)) {
    config = *user;
    subnet = parse_prefix(user->Subnet).value();
    if (!state.pool().is_free(subnet)) {
      return Status(Code::kFailedPrecondition,
                    "invalid pool request: Pool overlaps with other one on this address space");
    }
  } else {
    SHOAL_ASSIGN_OR_RETURN(subnet, state.pool().next_free());
  }
  config.Subnet = format_prefix(subnet);
  if (config.Gateway.empty()) config.Gateway = format_address(subnet.base + 1);
  ipam.Configs.push_back(std::move(config));
  out.IPAMOptions = std::move(ipam);
  return out;
}

// --- services --------------------------------------------------------------------------------

const std::vector<api::NetworkAttachmentConfig>& service_networks(const api::Service& service) {
  return service.Spec.TaskTemplate.Networks.empty() ? service.Spec.Networks
                                                    : service.Spec.TaskTemplate.Networks;
}

// The networks an endpoint or a task attaches to: the ingress network first if `ingress`,
// then `targets` resolved (unknown ones skipped, duplicates dropped).
// Errors: kUnavailable when one of them is not allocated yet.
Result<std::vector<const api::Network*>> attached_networks(
    const NetworkIndex& networks, bool ingress,
    const std::vector<api::NetworkAttachmentConfig>& targets) {
  std::vector<const api::Network*> out;
  if (ingress && networks.ingress() != nullptr) out.push_back(networks.ingress());
  for (const api::NetworkAttachmentConfig& target : targets) {
    const api::Network* network = networks.resolve(target.Target);
    if (network == nullptr) continue;
    if (std::find(out.begin(), out.end(), network) == out.end()) out.push_back(network);
  }
  for (const api::Network* network : out) {
    if (!is_allocated(*network)) {
      return error(Code::kUnavailable, "network {} is not allocated yet", network->Spec.Name);
    }
  }
  return out;
}

// The published port for `port` (PublishedPort 0: the one the service had, else a new one).
Status claim_ingress_port(AllocState& state, const api::Service& service, api::PortConfig& port,
                          std::vector<bool>& reused) {
  IngressPorts& ports = state.ports();
  if (port.PublishedPort != 0) {
    if (ports.claim(port.Protocol, port.PublishedPort, service.ID)) return Status::ok();
    return error(Code::kInvalidArgument,
                 "port '{}' is already in use by service '{}' as an ingress port",
                 port.PublishedPort, ports.owner(port.Protocol, port.PublishedPort));
  }
  const auto& had = service.Endpoint.Ports;
  for (size_t i = 0; i < had.size(); ++i) {
    const api::PortConfig& old = had[i];
    if (!reused[i] && is_ingress(old) && old.PublishedPort != 0 && old.Name == port.Name &&
        protocol_of(old) == port.Protocol && old.TargetPort == port.TargetPort &&
        ports.claim(port.Protocol, old.PublishedPort, service.ID)) {
      reused[i] = true;
      port.PublishedPort = old.PublishedPort;
      return Status::ok();
    }
  }
  SHOAL_ASSIGN_OR_RETURN(port.PublishedPort, ports.allocate(port.Protocol, service.ID));
  return Status::ok();
}

// The VIP of `service` on `network`: the address it had, else a new one.
Status claim_vip(AllocState& state, const api::Service& service, const api::Network& network,
                 api::Endpoint& endpoint) {
  AddressSpace* space = state.space(network.ID);
  if (space == nullptr) {
    return error(Code::kUnavailable, "network {} is not allocated yet", network.Spec.Name);
  }
  std::optional<uint32_t> address;
  for (const api::EndpointVirtualIP& vip : service.Endpoint.VirtualIPs) {
    auto parsed = parse_cidr_address(vip.Addr);
    if (vip.NetworkID == network.ID && parsed.is_ok() && space->reserve(parsed->first)) {
      address = parsed->first;
      break;
    }
  }
  if (!address) {
    SHOAL_ASSIGN_OR_RETURN(address, space->allocate());
  }
  endpoint.VirtualIPs.push_back({network.ID, format_cidr_address(*address, space->subnet().bits)});
  return Status::ok();
}

// Fills `endpoint` for `service`, claiming each port and address as it is added, so that on
// failure what `endpoint` holds is exactly what was claimed.
Status fill_endpoint(AllocState& state, const NetworkIndex& networks, const api::Service& service,
                     api::Endpoint& endpoint) {
  endpoint.Spec = service.Spec.EndpointSpec.value_or(api::EndpointSpec{});
  std::vector<bool> reused(service.Endpoint.Ports.size(), false);
  for (api::PortConfig port : endpoint.Spec.Ports) {
    port.Protocol = protocol_of(port);
    if (port.PublishMode == api::PortConfigPublishMode::kUnset) {
      port.PublishMode = api::PortConfigPublishMode::kIngress;
    }
    if (is_ingress(port)) SHOAL_RETURN_IF_ERROR(claim_ingress_port(state, service, port, reused));
    endpoint.Ports.push_back(std::move(port));
  }
  if (endpoint.Spec.Mode == api::ResolutionMode::kDNSRR) return Status::ok();
  SHOAL_ASSIGN_OR_RETURN(auto attached, attached_networks(networks, publishes_ingress(service),
                                                          service_networks(service)));
  for (const api::Network* network : attached) {
    if (uses_ipam(*network)) SHOAL_RETURN_IF_ERROR(claim_vip(state, service, *network, endpoint));
  }
  return Status::ok();
}

// --- tasks -----------------------------------------------------------------------------------

std::optional<Unit<api::Task>> to_pending(const std::shared_ptr<const api::Task>& task,
                                          api::Task planned, Timestamp now) {
  if (!api::advance_task(planned, api::TaskState::kPending, std::string(kAllocatedMessage), now)
           .is_ok()) {
    return std::nullopt;
  }
  return Unit<api::Task>{task, std::move(planned)};
}

}  // namespace

void NetworkIndex::add(std::shared_ptr<const api::Network> network) {
  const api::Network* raw = network.get();
  by_name_[raw->Spec.Name] = raw;
  if (is_ingress_network(*raw) && (ingress_ == nullptr || raw->ID < ingress_->ID)) ingress_ = raw;
  by_id_[raw->ID] = std::move(network);
}

const api::Network* NetworkIndex::resolve(std::string_view target) const {
  absl::string_view key(target.data(), target.size());
  if (auto it = by_id_.find(key); it != by_id_.end()) return it->second.get();
  if (auto it = by_name_.find(key); it != by_name_.end()) return it->second;
  return nullptr;
}

std::vector<Unit<api::Network>> plan_networks(AllocState& state, std::vector<NetworkPtr> networks,
                                              std::vector<PlanError>& errors) {
  // The ingress network first, so it gets the first subnet of the pool (as in swarmkit).
  std::sort(networks.begin(), networks.end(), [](const NetworkPtr& a, const NetworkPtr& b) {
    return std::make_tuple(!is_ingress_network(*a), a->CreatedAt, a->ID) <
           std::make_tuple(!is_ingress_network(*b), b->CreatedAt, b->ID);
  });
  std::vector<Unit<api::Network>> units;
  for (const NetworkPtr& network : networks) {
    Result<api::Network> planned = allocate_network(state, *network);
    if (!planned.is_ok()) {
      errors.push_back({network->ID, fmt::format("network {} ({}): {}", network->Spec.Name,
                                                 network->ID, planned.status().message())});
      continue;
    }
    state.hold(*planned);
    units.push_back({network, std::move(planned).value()});
  }
  return units;
}

std::vector<Unit<api::Service>> plan_services(
    AllocState& state, const NetworkIndex& networks,
    const std::vector<std::shared_ptr<const api::Service>>& services,
    std::vector<PlanError>& errors) {
  std::vector<Unit<api::Service>> units;
  for (const auto& service : services) {
    state.unhold(*service);
    api::Service planned = *service;
    planned.Endpoint = api::Endpoint{};
    Status filled = fill_endpoint(state, networks, *service, planned.Endpoint);
    if (!filled.is_ok()) {
      state.unhold(planned);
      state.hold(*service);
      errors.push_back({service->ID, fmt::format("service {} ({}): {}", service->Spec.Name,
                                                 service->ID, filled.message())});
      continue;
    }
    // Unchanged: the state holds exactly what the service holds.
    if (same_endpoint(planned.Endpoint, service->Endpoint)) continue;
    units.push_back({service, std::move(planned)});
  }
  return units;
}

std::optional<Unit<api::Task>> plan_task(AllocState& state, const NetworkIndex& networks,
                                         const std::shared_ptr<const api::Task>& task,
                                         const api::Service* service, Timestamp now) {
  if (task->Status.State != api::TaskState::kNew) return std::nullopt;
  api::Task planned = *task;
  if (task->DesiredState > api::TaskState::kComplete || !task->NetworksAttachments.empty()) {
    return to_pending(task, std::move(planned), now);
  }
  const auto& targets = !task->Spec->Networks.empty() ? task->Spec->Networks
                        : service != nullptr          ? service_networks(*service)
                                                      : task->Spec->Networks;
  auto attached =
      attached_networks(networks, service != nullptr && publishes_ingress(*service), targets);
  if (!attached.is_ok()) return std::nullopt;  // waits for its networks
  // The node publishes the task's ports from its copy of the service's endpoint.
  if (service != nullptr &&
      (!service->Endpoint.Ports.empty() || !service->Endpoint.VirtualIPs.empty())) {
    planned.Endpoint = std::make_shared<const api::Endpoint>(service->Endpoint);
  }
  for (const api::Network* network : *attached) {
    api::NetworkAttachment attachment{*network, {}};
    if (uses_ipam(*network)) {
      AddressSpace* space = state.space(network->ID);
      Result<uint32_t> address =
          space != nullptr ? space->allocate()
                           : Result<uint32_t>(Status(Code::kUnavailable, "network not allocated"));
      if (!address.is_ok()) {
        state.unhold(planned);  // the addresses taken so far
        if (space == nullptr || task->Status.Err == address.status().message()) return std::nullopt;
        planned = *task;
        if (!api::advance_task(planned, api::TaskState::kNew, planned.Status.Message, now,
                               address.status().message())
                 .is_ok()) {
          return std::nullopt;
        }
        return Unit<api::Task>{task, std::move(planned)};
      }
      attachment.Addresses.push_back(format_cidr_address(*address, space->subnet().bits));
    }
    planned.NetworksAttachments.push_back(std::move(attachment));
  }
  return to_pending(task, std::move(planned), now);
}

}  // namespace shoal::manager::allocator
