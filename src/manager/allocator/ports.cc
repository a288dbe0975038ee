#include "manager/allocator/ports.h"

#include "api/enum.h"

namespace shoal::manager::allocator {

bool IngressPorts::claim(api::PortConfigProtocol protocol, uint32_t port, std::string_view owner) {
  auto [it, inserted] = owners_.try_emplace(key(protocol, port), owner);
  return inserted || it->second == owner;
}

void IngressPorts::release(api::PortConfigProtocol protocol, uint32_t port,
                           std::string_view owner) {
  auto it = owners_.find(key(protocol, port));
  if (it != owners_.end() && it->second == owner) owners_.erase(it);
}

std::string_view IngressPorts::owner(api::PortConfigProtocol protocol, uint32_t port) const {
  auto it = owners_.find(key(protocol, port));
  return it == owners_.end() ? std::string_view() : std::string_view(it->second);
}

Result<uint32_t> IngressPorts::allocate(api::PortConfigProtocol protocol, std::string_view owner) {
  for (uint32_t port = kDynamicPortFirst; port <= kDynamicPortLast; ++port) {
    if (owners_.try_emplace(key(protocol, port), owner).second) return port;
  }
  return error(Code::kUnavailable,
               "could not find an available port for protocol {} in the dynamic range {}-{}",
               api::to_string(protocol), kDynamicPortFirst, kDynamicPortLast);
}

}  // namespace shoal::manager::allocator
