// The engine's network API shapes (moby api/types types.go and api/types/network), which
// `docker network` and `docker stack` use for swarm-scoped networks: NetworkResource (GET
// /networks), NetworkCreateRequest (POST /networks/create), NetworkCreateResponse, and the
// engine-side IPAM types in namespace network (distinct from the swarm IPAMConfig).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/common.h"
#include "api/network.h"

namespace shoal::api {

namespace network {

struct IPAMConfig {
  std::string Subnet;
  std::string IPRange;
  std::string Gateway;
  // JSON key "AuxiliaryAddresses".
  StringMap AuxAddress;
};

struct IPAM {
  std::string Driver;
  StringMap Options;
  std::vector<IPAMConfig> Config;
};

struct PeerInfo {
  std::string Name;
  std::string IP;
};

// A task behind a service on this network (verbose network inspect).
struct Task {
  std::string Name;
  std::string EndpointID;
  std::string EndpointIP;
  StringMap Info;
};

struct ServiceInfo {
  std::string VIP;
  std::vector<std::string> Ports;
  int64_t LocalLBIndex = 0;
  std::vector<Task> Tasks;
};

}  // namespace network

// A container's endpoint on a network.
struct EndpointResource {
  std::string Name;
  std::string EndpointID;
  std::string MacAddress;
  std::string IPv4Address;
  std::string IPv6Address;
};

// A network as GET /networks and GET /networks/{id} return it. JSON key of ID is "Id".
struct NetworkResource {
  std::string Name;
  std::string ID;
  Timestamp Created;
  // "swarm" or "local".
  std::string Scope;
  std::string Driver;
  bool EnableIPv6 = false;
  network::IPAM IPAM;
  bool Internal = false;
  bool Attachable = false;
  bool Ingress = false;
  network::ConfigReference ConfigFrom;
  bool ConfigOnly = false;
  std::map<std::string, EndpointResource> Containers;
  StringMap Options;
  StringMap Labels;
  std::vector<network::PeerInfo> Peers;
  std::map<std::string, network::ServiceInfo> Services;
};

// Go types.NetworkCreate: the body of POST /networks/create without the name.
struct NetworkCreate {
  bool CheckDuplicate = false;
  std::string Driver;
  std::string Scope;
  bool EnableIPv6 = false;
  std::optional<network::IPAM> IPAM;
  bool Internal = false;
  bool Attachable = false;
  bool Ingress = false;
  bool ConfigOnly = false;
  std::optional<network::ConfigReference> ConfigFrom;
  StringMap Options;
  StringMap Labels;
};

// Body of POST /networks/create.
struct NetworkCreateRequest : NetworkCreate {
  std::string Name;
};

// Response of POST /networks/create. JSON key of ID is "Id".
struct NetworkCreateResponse {
  std::string ID;
  std::string Warning;
};

}  // namespace shoal::api
