// Swarm networking (moby api/types/swarm network.go): how a service is reached (Endpoint,
// EndpointSpec, PortConfig, virtual IPs), swarm Network objects with their NetworkSpec and IPAM
// options, and how tasks attach to networks. The engine's /networks API shapes
// (NetworkResource, NetworkCreateRequest) are in engine_network.h.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/common.h"
#include "api/enum.h"

namespace shoal::api {

namespace network {
// Go network.ConfigReference: the config-only network this network takes its config from.
struct ConfigReference {
  std::string Network;
};
}  // namespace network

enum class ResolutionMode : uint8_t { kUnset, kVIP, kDNSRR };
template <>
struct EnumNames<ResolutionMode> {
  static constexpr std::array<std::string_view, 3> kNames{"", "vip", "dnsrr"};
};

enum class PortConfigProtocol : uint8_t { kUnset, kTCP, kUDP, kSCTP };
template <>
struct EnumNames<PortConfigProtocol> {
  static constexpr std::array<std::string_view, 4> kNames{"", "tcp", "udp", "sctp"};
};

enum class PortConfigPublishMode : uint8_t { kUnset, kIngress, kHost };
template <>
struct EnumNames<PortConfigPublishMode> {
  static constexpr std::array<std::string_view, 3> kNames{"", "ingress", "host"};
};

struct PortConfig {
  std::string Name;
  PortConfigProtocol Protocol = PortConfigProtocol::kUnset;
  // The port inside the container.
  uint32_t TargetPort = 0;
  // The port on the swarm hosts.
  uint32_t PublishedPort = 0;
  PortConfigPublishMode PublishMode = PortConfigPublishMode::kUnset;
};

struct EndpointSpec {
  ResolutionMode Mode = ResolutionMode::kUnset;
  std::vector<PortConfig> Ports;
};

struct EndpointVirtualIP {
  std::string NetworkID;
  // CIDR, e.g. "10.0.0.5/24".
  std::string Addr;
};

// A service's endpoint as allocated: its spec, the ports with their published ports, VIPs.
struct Endpoint {
  EndpointSpec Spec;
  std::vector<PortConfig> Ports;
  std::vector<EndpointVirtualIP> VirtualIPs;
};

struct IPAMConfig {
  std::string Subnet;
  std::string Range;
  std::string Gateway;
};

struct IPAMOptions {
  api::Driver Driver;
  std::vector<IPAMConfig> Configs;
};

struct NetworkSpec : Annotations {
  std::optional<api::Driver> DriverConfiguration;
  bool IPv6Enabled = false;
  bool Internal = false;
  bool Attachable = false;
  bool Ingress = false;
  std::optional<api::IPAMOptions> IPAMOptions;
  std::optional<network::ConfigReference> ConfigFrom;
  // "swarm" for swarm networks.
  std::string Scope;
};

struct Network : Meta {
  std::string ID;
  NetworkSpec Spec;
  Driver DriverState;
  std::optional<api::IPAMOptions> IPAMOptions;
};

// How a task or service wants to attach to a network: Target is a network ID or name.
struct NetworkAttachmentConfig {
  std::string Target;
  std::vector<std::string> Aliases;
  StringMap DriverOpts;
};

// A network a task is attached to, with the task's addresses on it (CIDR).
struct NetworkAttachment {
  api::Network Network;
  std::vector<std::string> Addresses;
};

}  // namespace shoal::api
