// resolve_advertise_ip (swarm_node.h): the address a node advertises, found the way moby's
// daemon/cluster/listen_addr.go finds it, with its error texts.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "daemon/swarm_node.h"

namespace shoal::daemon {
namespace {

struct InterfaceAddr {
  std::string interface;
  std::string ip;
};

// Global-scope IPv4 addresses of up, non-loopback interfaces (all interfaces when
// `only` is empty).
std::vector<InterfaceAddr> ipv4_addresses(std::string_view only, bool* interface_found) {
  std::vector<InterfaceAddr> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (!only.empty() && only != it->ifa_name) continue;
    if (interface_found != nullptr) *interface_found = true;
    if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET) continue;
    if ((it->ifa_flags & IFF_LOOPBACK) != 0 || (it->ifa_flags & IFF_UP) == 0) continue;
    auto* sin = reinterpret_cast<sockaddr_in*>(it->ifa_addr);
    uint32_t host_order = ntohl(sin->sin_addr.s_addr);
    if ((host_order >> 16) == 0xa9fe) continue;  // 169.254/16 link-local
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    out.push_back({it->ifa_name, text});
  }
  ::freeifaddrs(list);
  return out;
}

// The interface of the IPv4 default route, from /proc/net/route; "" when there is none.
std::string default_route_interface() {
  std::ifstream routes("/proc/net/route");
  std::string line;
  std::getline(routes, line);  // header
  while (std::getline(routes, line)) {
    std::istringstream fields(line);
    std::string iface, destination, gateway, flags, refcnt, use, metric, mask;
    fields >> iface >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask;
    if (destination == "00000000" && mask == "00000000") return iface;
  }
  return "";
}

Result<std::string> single_address_on(const std::string& interface,
                                      const std::vector<InterfaceAddr>& addrs) {
  if (addrs.empty()) {
    return Status(Code::kInvalidArgument, "could not find the system's IP address");
  }
  if (addrs.size() > 1) {
    return error(Code::kInvalidArgument,
                 "could not choose an IP address to advertise since this system has multiple "
                 "addresses on interface {} ({} and {})",
                 interface, addrs[0].ip, addrs[1].ip);
  }
  return addrs[0].ip;
}

}  // namespace

Result<std::string> resolve_advertise_ip(std::string_view host) {
  if (!host.empty()) {
    bool found = false;
    auto addrs = ipv4_addresses(host, &found);
    if (!found) return Status(Code::kInvalidArgument, "no such interface");
    return single_address_on(std::string(host), addrs);
  }
  if (std::string iface = default_route_interface(); !iface.empty()) {
    auto addrs = ipv4_addresses(iface, nullptr);
    if (!addrs.empty()) return single_address_on(iface, addrs);
  }
  auto addrs = ipv4_addresses("", nullptr);
  if (addrs.empty())
    return Status(Code::kInvalidArgument, "could not find the system's IP address");
  for (size_t i = 1; i < addrs.size(); ++i) {
    if (addrs[i].ip == addrs[0].ip) continue;
    if (addrs[i].interface == addrs[0].interface) {
      return single_address_on(addrs[0].interface, {addrs[0], addrs[i]});
    }
    return error(Code::kInvalidArgument,
                 "could not choose an IP address to advertise since this system has multiple "
                 "addresses on different interfaces ({} on {} and {} on {})",
                 addrs[0].ip, addrs[0].interface, addrs[i].ip, addrs[i].interface);
  }
  return addrs[0].ip;
}

}  // namespace shoal::daemon
