// IPv4 address management for swarm networks (libnetwork's default IPAM, as swarmkit's
// allocator uses it):
//   - SubnetPool hands out network subnets from the cluster's DefaultAddrPool in pieces of
//     SubnetSize bits (default 10.0.0.0/8 in /24s: 10.0.0.0/24, 10.0.1.0/24, ...), never
//     overlapping a subnet in use (allocated or chosen by a user);
//   - AddressSpace hands out the addresses of one network's subnet: serially (the next free
//     address after the last one handed out, wrapping around), so an address just released is
//     not reused at once; the network and broadcast addresses are never handed out.
// Neither is the truth: the store is. The allocator rebuilds both from the networks', the
// services' and the tasks' allocations after a restart (alloc_state.h); the serial cursor is
// only a preference.
//
// Thread safety: values; the allocator's loop thread owns them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shoal::manager::allocator {

struct Ipv4Prefix {
  uint32_t base = 0;  // host bits zero
  uint8_t bits = 0;   // prefix length, 0..32

  uint64_t size() const { return uint64_t{1} << (32 - bits); }
  uint32_t last() const { return static_cast<uint32_t>(base + size() - 1); }
  bool contains(uint32_t address) const { return address >= base && address <= last(); }
  bool overlaps(const Ipv4Prefix& other) const {
    return base <= other.last() && other.base <= last();
  }
  bool operator==(const Ipv4Prefix&) const = default;
};

// "10.0.0.0/24" (host bits are cleared: "10.0.0.7/24" gives 10.0.0.0/24).
// Errors: kInvalidArgument "invalid subnet <text>" (not IPv4 CIDR notation).
Result<Ipv4Prefix> parse_prefix(std::string_view cidr);
// "10.0.0.1". Errors: kInvalidArgument "invalid address <text>".
Result<uint32_t> parse_address(std::string_view text);
// "10.0.0.5/24" as an address and its prefix length. Errors: kInvalidArgument.
Result<std::pair<uint32_t, uint8_t>> parse_cidr_address(std::string_view cidr);

std::string format_address(uint32_t address);                     // "10.0.0.1"
std::string format_prefix(const Ipv4Prefix& prefix);              // "10.0.0.0/24"
std::string format_cidr_address(uint32_t address, uint8_t bits);  // "10.0.0.5/24"

// Docker's defaults for a cluster that sets none.
inline constexpr std::string_view kDefaultAddrPool = "10.0.0.0/8";
inline constexpr uint32_t kDefaultSubnetSize = 24;

class SubnetPool {
 public:
  // `pools` (CIDRs) and `subnet_size` as in ClusterInfo; empty / 0 mean Docker's defaults.
  // Errors: kInvalidArgument for a pool that does not parse, or a subnet size outside
  // [pool bits, 32].
  static Result<SubnetPool> make(const std::vector<std::string>& pools, uint32_t subnet_size);

  // Records `subnet` as in use. Returns false (and records nothing) when it overlaps a subnet
  // already in use.
  bool reserve(const Ipv4Prefix& subnet);
  // Forgets `subnet` if it is recorded exactly so.
  void release(const Ipv4Prefix& subnet);
  bool in_use(const Ipv4Prefix& subnet) const;
  // Whether `subnet` overlaps no subnet in use.
  bool is_free(const Ipv4Prefix& subnet) const { return overlapping(subnet) == nullptr; }

  // The first subnet of the pools, in order, that overlaps none in use; not reserved.
  // Errors: kUnavailable "could not find an available, non-overlapping IPv4 address pool
  // among the defaults to assign to the network" (Docker's text).
  Result<Ipv4Prefix> next_free() const;

 private:
  SubnetPool(std::vector<Ipv4Prefix> pools, uint8_t bits) : pools_(std::move(pools)), bits_(bits) {}
  // The subnet in use that overlaps `p`, if any.
  const Ipv4Prefix* overlapping(const Ipv4Prefix& p) const;

  std::vector<Ipv4Prefix> pools_;
  uint8_t bits_ = 24;
  std::map<uint32_t, Ipv4Prefix> used_;  // by base; never overlapping
};

class AddressSpace {
 public:
  // The usable addresses of `subnet`, limited to `range` when given (IPAMConfig.Range).
  explicit AddressSpace(Ipv4Prefix subnet, std::optional<Ipv4Prefix> range = std::nullopt);

  const Ipv4Prefix& subnet() const { return subnet_; }
  // Marks `address` used. Returns false when it is outside the subnet or already used.
  bool reserve(uint32_t address);
  void release(uint32_t address);
  bool in_use(uint32_t address) const;
  // The next free address after the last one handed out (wrapping), now marked used.
  // Errors: kUnavailable "could not allocate IP from IPAM: no available addresses on this
  // pool" (libnetwork's text, as swarmkit wraps it).
  Result<uint32_t> allocate();
  size_t used() const { return used_; }

 private:
  bool test(uint32_t address) const;
  std::optional<uint32_t> find_free(uint32_t from, uint32_t to) const;

  Ipv4Prefix subnet_;
  uint32_t first_ = 0;  // allocatable range
  uint32_t last_ = 0;
  std::vector<uint64_t> bits_;  // one bit per address of the subnet
  uint32_t next_ = 0;           // where the next allocate() starts looking
  size_t used_ = 0;
};

}  // namespace shoal::manager::allocator
