// IP addresses, CIDRs and "host:port" text as Go's net package reads them, for the
// validation of swarm init/join addresses, address pools and network IPAM settings.
//
// Thread safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shoal::manager::controlapi {

// An IPv4 or IPv6 address (IPv4 in the first 4 bytes).
struct IpAddr {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};

  size_t size() const { return v6 ? 16 : 4; }
  bool is_unspecified() const;
  // Canonical text (inet_ntop).
  std::string to_string() const;
  bool operator==(const IpAddr&) const = default;
};

// An IPv4 literal ("10.0.0.1") or IPv6 literal ("::1", without brackets); nullopt otherwise.
std::optional<IpAddr> parse_ip(std::string_view text);

// A network "10.0.0.0/8": the address with host bits cleared, and the prefix length.
struct Cidr {
  IpAddr network;
  int prefix = 0;

  bool contains(const IpAddr& ip) const;
  std::string to_string() const;  // "10.0.0.0/8"
};

// Go's net.ParseCIDR: "<ip>/<prefix>" with a prefix in range for the family. The host bits
// of the address are cleared in the result. nullopt when malformed.
std::optional<Cidr> parse_cidr(std::string_view text);

// The first address after the network address (a subnet's default gateway).
IpAddr first_host(const Cidr& cidr);

struct HostPort {
  std::string host;  // without brackets
  std::string port;
};

// Go's net.SplitHostPort: "host:port", "[v6]:port", ":port". nullopt when there is no
// port or the brackets are malformed.
std::optional<HostPort> split_host_port(std::string_view text);

// "host:port", bracketing an IPv6 host (Go's net.JoinHostPort).
std::string join_host_port(std::string_view host, std::string_view port);

// moby's opts.ParseTCPAddr as swarm addresses use it: strips "tcp://", fills a missing
// host with `default_host` and a missing port with `default_port`. Returns "host:port", or
// nullopt for text it cannot read (callers then keep the text as given, as moby does).
std::optional<std::string> normalize_tcp_addr(std::string_view text, std::string_view default_host,
                                              std::string_view default_port);

}  // namespace shoal::manager::controlapi
