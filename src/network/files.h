// The files a container sees as /etc/hosts and /etc/resolv.conf, rendered the way Docker
// renders them for a swarm task (moby daemon/container_operations.go, libnetwork/etchosts and
// resolvconf). Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/container.h"

namespace shoal::network {

// Docker's fallback when the host has no usable nameserver (libnetwork resolvconf).
inline constexpr std::string_view kFallbackNameservers[] = {"8.8.8.8", "8.8.4.4"};

// /etc/hosts: Docker's localhost and IPv6 lines, then "<address>\t<hostname>" for the
// task's first address (without prefix; the line is left out when `address` is empty), then
// the ContainerSpec's extra Hosts entries ("IP name [alias...]") as given.
std::string render_hosts(std::string_view hostname, std::string_view address,
                         const std::vector<std::string>& extra_hosts);

// What a resolv.conf says (the lines shoal keeps).
struct ResolvConf {
  std::vector<std::string> nameservers;
  std::vector<std::string> search;
  std::vector<std::string> options;
};

// Reads the host's resolv.conf text: "nameserver", "search"/"domain" and "options" lines;
// comments and other lines are ignored.
ResolvConf parse_resolv_conf(std::string_view text);

// /etc/resolv.conf for a container: the service's DNSConfig where it sets a part, else the
// host's; loopback nameservers (127.0.0.0/8, ::1) are dropped since they are unreachable from
// the container's namespace; when no nameserver is left, kFallbackNameservers.
std::string render_resolv_conf(const ResolvConf& host, const api::DNSConfig* dns);

}  // namespace shoal::network
