// IPv4 helpers and the node-local IPAM of the default bridge (the network of tasks that have
// no swarm network attachment, like Docker's docker0).
//
// The swarm networks' addresses come from the manager's allocator; only the default bridge's
// addresses are chosen on the node. LocalIpam is a pure value: NodeNetwork rebuilds it at
// start-up from the sandbox records in its state dir (every record names its address), so it
// needs no file of its own and cannot disagree with the sandboxes that exist.
//
// Thread safety: values; not synchronized.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shoal::network {

// An IPv4 address with its prefix length, as "10.0.0.5/24".
struct Cidr {
  uint32_t address = 0;  // host byte order
  int bits = 0;

  uint32_t mask() const { return bits == 0 ? 0 : ~uint32_t{0} << (32 - bits); }
  uint32_t network() const { return address & mask(); }
  uint32_t broadcast() const { return network() | ~mask(); }
  bool contains(uint32_t a) const { return (a & mask()) == network(); }
  bool operator==(const Cidr&) const = default;
};

// "10.0.0.5" → address. Errors: kInvalidArgument "invalid IPv4 address '<text>'".
Result<uint32_t> parse_ipv4(std::string_view text);
// "10.0.0.5/24" → Cidr. Errors: kInvalidArgument "invalid IPv4 CIDR '<text>'".
Result<Cidr> parse_cidr(std::string_view text);
std::string format_ipv4(uint32_t address);
// "10.0.0.5/24".
std::string format_cidr(Cidr cidr);
// The network of `cidr`: "10.0.0.0/24".
std::string format_subnet(Cidr cidr);

// Addresses of one subnet handed out next-fit (the address after the last one given, wrapping
// around), so a released address is not reused at once. The network address, the gateway
// and the broadcast address are never handed out.
class LocalIpam {
 public:
  // `subnet` as "172.18.0.0/16"; the gateway is its first address.
  // Errors: kInvalidArgument for a malformed subnet or one smaller than /30.
  static Result<LocalIpam> make(std::string_view subnet);

  Cidr subnet() const { return {network_, bits_}; }
  // The gateway with the subnet's prefix ("172.18.0.1/16"): the bridge's address.
  Cidr gateway() const { return {network_ + 1, bits_}; }

  // A free address with the subnet's prefix. Errors: kUnavailable "no free address in the
  // default bridge network <subnet>".
  Result<Cidr> allocate();
  // Marks an address (from a record) as taken. Errors: kInvalidArgument when it is outside
  // the subnet or reserved; kAlreadyExists when it is taken.
  Status hold(uint32_t address);
  // Frees an address; freeing one that is not taken does nothing.
  void release(uint32_t address);
  size_t used() const { return used_.size(); }

 private:
  LocalIpam(uint32_t network, int bits) : network_(network), bits_(bits), next_(network + 2) {}
  bool reserved(uint32_t address) const;

  uint32_t network_;
  int bits_;
  uint32_t next_;  // where the next search starts
  std::set<uint32_t> used_;
};

}  // namespace shoal::network
