#include "network/sandbox.h"

#include <fmt/format.h>

#include <charconv>

namespace shoal::network {

namespace {

constexpr size_t kMaxInterfaces = 16;
constexpr size_t kIfNameMax = 15;  // IFNAMSIZ - 1

bool is_ingress_network(const api::Network& network) {
  if (network.Spec.Ingress) return true;
  return network.Spec.Name == "ingress" &&
         network.Spec.Labels.contains("com.docker.swarm.internal");
}

std::string driver_of(const api::Network& network) {
  if (!network.DriverState.Name.empty()) return network.DriverState.Name;
  return network.Spec.DriverConfiguration ? network.Spec.DriverConfiguration->Name : "";
}

uint32_t mtu_of(const api::Network& network, uint32_t fallback) {
  for (const auto* options :
       {&network.DriverState.Options,
        network.Spec.DriverConfiguration ? &network.Spec.DriverConfiguration->Options : nullptr}) {
    if (options == nullptr) continue;
    auto it = options->find(std::string(kMtuOption));
    if (it == options->end()) continue;
    uint32_t mtu = 0;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), mtu);
    if (ec == std::errc() && mtu >= 68 && mtu <= 65535) return mtu;
  }
  return fallback;
}

std::string network_label(const api::Network& network) {
  return fmt::format("network {} ({})", network.Spec.Name, network.ID);
}

// The interface of one attachment, or nullopt when it has no address (a "null" network).
Result<std::optional<InterfaceRecord>> plan_interface(const api::NetworkAttachment& attachment,
                                                      const SandboxContext& context) {
  const api::Network& network = attachment.Network;
  std::string driver = driver_of(network);
  if (driver == "host") {
    return error(Code::kInvalidArgument, "{}: the host network is not supported on this node",
                 network_label(network));
  }
  if (attachment.Addresses.empty()) return std::optional<InterfaceRecord>();
  InterfaceRecord out;
  auto address = parse_cidr(attachment.Addresses.front());
  if (!address.is_ok()) {
    return error(Code::kInvalidArgument, "{}: {}", network_label(network),
                 address.status().message());
  }
  const auto& ipam = network.IPAMOptions;
  if (!ipam || ipam->Configs.empty() || ipam->Configs.front().Gateway.empty()) {
    return error(Code::kInvalidArgument, "{}: no gateway (the network is not allocated)",
                 network_label(network));
  }
  auto gateway = parse_ipv4(ipam->Configs.front().Gateway);
  if (!gateway.is_ok()) {
    return error(Code::kInvalidArgument, "{}: {}", network_label(network),
                 gateway.status().message());
  }
  out.network_id = network.ID;
  out.bridge = bridge_name(context.bridge_prefix, network.ID);
  out.address = *address;
  out.bridge_address = {*gateway, address->bits};
  out.mtu = mtu_of(network, context.default_mtu);
  out.internal = network.Spec.Internal;
  out.ingress = is_ingress_network(network);
  return std::optional<InterfaceRecord>(std::move(out));
}

std::string hostname_of(const api::Task& task) {
  const auto& spec = task.Spec->ContainerSpec;
  if (spec && !spec->Hostname.empty()) return spec->Hostname;
  return task.ID.substr(0, 12);
}

}  // namespace

const InterfaceRecord* SandboxRecord::default_interface() const {
  for (const InterfaceRecord& i : interfaces) {
    if (!i.internal) return &i;
  }
  return nullptr;
}

std::string bridge_name(std::string_view prefix, std::string_view network_id) {
  std::string name(prefix);
  name += network_id.substr(0, kIfNameMax > name.size() ? kIfNameMax - name.size() : 0);
  return name;
}

bool needs_default_bridge(const api::Task& task) {
  for (const auto& a : task.NetworksAttachments) {
    if (!a.Addresses.empty()) return false;
  }
  return true;
}

Result<SandboxRecord> plan_sandbox(const api::Task& task, const SandboxContext& context,
                                   std::optional<Cidr> default_address) {
  SandboxRecord out;
  out.task_id = task.ID;
  out.service_id = task.ServiceID;
  out.hostname = hostname_of(task);
  out.netns_path = context.netns_dir / task.ID;
  if (task.NetworksAttachments.size() > kMaxInterfaces) {
    return error(Code::kInvalidArgument,
                 "task {} has {} network attachments; at most {} are supported", task.ID,
                 task.NetworksAttachments.size(), kMaxInterfaces);
  }
  for (const auto& attachment : task.NetworksAttachments) {
    SHOAL_ASSIGN_OR_RETURN(auto interface, plan_interface(attachment, context));
    if (interface) out.interfaces.push_back(std::move(*interface));
  }
  if (needs_default_bridge(task)) {
    if (!default_address) {
      return Status(Code::kInvalidArgument, "no address on the default bridge was given");
    }
    InterfaceRecord i;
    i.bridge = context.default_bridge;
    i.bridge_address = context.default_gateway;
    i.address = *default_address;
    i.mtu = context.default_mtu;
    out.interfaces.push_back(std::move(i));
  }
  for (size_t n = 0; n < out.interfaces.size(); ++n) {
    InterfaceRecord& i = out.interfaces[n];
    i.name = fmt::format("eth{}", n);
    // "sv" + 12 characters of the task ID + the interface's index in base 16 = 15 characters.
    i.host_veth = fmt::format("sv{}{:x}", task.ID.substr(0, 12), n);
  }
  if (task.Endpoint) out.ports = task.Endpoint->Ports;

  const auto& spec = task.Spec->ContainerSpec;
  const std::string first =
      out.interfaces.empty() ? "" : format_ipv4(out.interfaces[0].address.address);
  out.hosts = render_hosts(out.hostname, first, spec ? spec->Hosts : std::vector<std::string>{});
  const api::DNSConfig* dns = spec && spec->DNSConfig ? &*spec->DNSConfig : nullptr;
  out.resolv_conf = render_resolv_conf(context.host_dns, dns);
  return out;
}

std::vector<PublishedPort> published_ports(const SandboxRecord& record) {
  std::vector<PublishedPort> out;
  if (record.interfaces.empty()) return out;
  const InterfaceRecord* ingress = &record.interfaces.front();
  for (const InterfaceRecord& i : record.interfaces) {
    if (i.ingress) {
      ingress = &i;
      break;
    }
  }
  for (const api::PortConfig& port : record.ports) {
    if (port.PublishedPort == 0) continue;
    bool host = port.PublishMode == api::PortConfigPublishMode::kHost;
    PublishedPort p;
    p.protocol = port.Protocol;
    p.published_port = port.PublishedPort;
    p.target_port = port.TargetPort;
    p.mode = host ? api::PortConfigPublishMode::kHost : api::PortConfigPublishMode::kIngress;
    p.task_id = record.task_id;
    p.service_id = record.service_id;
    p.address = format_ipv4((host ? record.interfaces.front() : *ingress).address.address);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<api::PortConfig> host_ports(const SandboxRecord& record) {
  std::vector<api::PortConfig> out;
  for (const api::PortConfig& port : record.ports) {
    if (port.PublishMode == api::PortConfigPublishMode::kHost) out.push_back(port);
  }
  return out;
}

}  // namespace shoal::network
