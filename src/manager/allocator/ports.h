// IngressPorts: the published ports of the ingress routing mesh. A published ingress port is
// unique cluster-wide (per protocol) and belongs to one service; a port a service does not
// choose (PublishedPort 0) comes from the dynamic range 30000-32767, lowest free first
// (swarmkit's portallocator.go).
//
// The store is the truth: the allocator rebuilds this from the services' Endpoint.Ports.
//
// Thread safety: a value; the allocator's loop thread owns it.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/network.h"
#include "common/status.h"

namespace shoal::manager::allocator {

inline constexpr uint32_t kDynamicPortFirst = 30000;
inline constexpr uint32_t kDynamicPortLast = 32767;

// An unset protocol is tcp; an unset publish mode is ingress (Docker's defaults).
inline api::PortConfigProtocol protocol_of(const api::PortConfig& port) {
  return port.Protocol == api::PortConfigProtocol::kUnset ? api::PortConfigProtocol::kTCP
                                                          : port.Protocol;
}
inline bool is_ingress(const api::PortConfig& port) {
  return port.PublishMode != api::PortConfigPublishMode::kHost;
}

class IngressPorts {
 public:
  // Claims `port` for service `owner`. Returns false when another service holds it (true when
  // `owner` holds it already).
  bool claim(api::PortConfigProtocol protocol, uint32_t port, std::string_view owner);
  // Frees `port` if `owner` holds it.
  void release(api::PortConfigProtocol protocol, uint32_t port, std::string_view owner);
  // The service holding `port`, or "".
  std::string_view owner(api::PortConfigProtocol protocol, uint32_t port) const;

  // Claims the lowest free port of the dynamic range for `owner`.
  // Errors: kUnavailable "could not find an available port for protocol <tcp> in the
  // dynamic range 30000-32767".
  Result<uint32_t> allocate(api::PortConfigProtocol protocol, std::string_view owner);

  size_t size() const { return owners_.size(); }

 private:
  static uint32_t key(api::PortConfigProtocol protocol, uint32_t port) {
    return (static_cast<uint32_t>(protocol) << 16) | (port & 0xffff);
  }
  absl::flat_hash_map<uint32_t, std::string> owners_;
};

}  // namespace shoal::manager::allocator
