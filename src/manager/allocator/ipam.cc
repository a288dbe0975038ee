#include "manager/allocator/ipam.h"

#include <arpa/inet.h>

#include <charconv>

namespace shoal::manager::allocator {

namespace {

uint32_t mask_of(uint8_t bits) { return bits == 0 ? 0 : ~uint32_t{0} << (32 - bits); }

std::optional<uint32_t> to_address(std::string_view text) {
  std::string s(text);
  in_addr addr{};
  if (inet_pton(AF_INET, s.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

std::optional<uint8_t> to_bits(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > 32) {
    return std::nullopt;
  }
  return static_cast<uint8_t>(value);
}

}  // namespace

Result<std::pair<uint32_t, uint8_t>> parse_cidr_address(std::string_view cidr) {
  size_t slash = cidr.find('/');
  if (slash != std::string_view::npos) {
    auto address = to_address(cidr.substr(0, slash));
    auto bits = to_bits(cidr.substr(slash + 1));
    if (address && bits) return std::make_pair(*address, *bits);
  }
  return error(Code::kInvalidArgument, "invalid subnet {}", cidr);
}

Result<Ipv4Prefix> parse_prefix(std::string_view cidr) {
  SHOAL_ASSIGN_OR_RETURN(auto parsed, parse_cidr_address(cidr));
  return Ipv4Prefix{parsed.first & mask_of(parsed.second), parsed.second};
}

Result<uint32_t> parse_address(std::string_view text) {
  if (auto address = to_address(text)) return *address;
  return error(Code::kInvalidArgument, "invalid address {}", text);
}

std::string format_address(uint32_t address) {
  return fmt::format("{}.{}.{}.{}", address >> 24, (address >> 16) & 0xff, (address >> 8) & 0xff,
                     address & 0xff);
}

std::string format_prefix(const Ipv4Prefix& prefix) {
  return format_cidr_address(prefix.base, prefix.bits);
}

std::string format_cidr_address(uint32_t address, uint8_t bits) {
  return format_address(address) + "/" + std::to_string(bits);
}

// SubnetPool ----------------------------------------------------------------------------------

Result<SubnetPool> SubnetPool::make(const std::vector<std::string>& pools, uint32_t subnet_size) {
  std::vector<Ipv4Prefix> parsed;
  if (pools.empty()) {
    parsed.push_back(std::move(parse_prefix(kDefaultAddrPool)).value());
  }
  for (const std::string& p : pools) {
    SHOAL_ASSIGN_OR_RETURN(Ipv4Prefix prefix, parse_prefix(p));
    parsed.push_back(prefix);
  }
  uint32_t bits = subnet_size == 0 ? kDefaultSubnetSize : subnet_size;
  for (const Ipv4Prefix& p : parsed) {
    if (bits < p.bits || bits > 32) {
      return error(Code::kInvalidArgument, "subnet size {} does not fit in pool {}", bits,
                   format_prefix(p));
    }
  }
  return SubnetPool(std::move(parsed), static_cast<uint8_t>(bits));
}

const Ipv4Prefix* SubnetPool::overlapping(const Ipv4Prefix& p) const {
  // Subnets in use never overlap each other, so only the last one starting at or before
  // p.last() can overlap p.
  auto it = used_.upper_bound(p.last());
  if (it == used_.begin()) return nullptr;
  --it;
  return it->second.overlaps(p) ? &it->second : nullptr;
}

bool SubnetPool::reserve(const Ipv4Prefix& subnet) {
  if (overlapping(subnet) != nullptr) return false;
  used_.emplace(subnet.base, subnet);
  return true;
}

void SubnetPool::release(const Ipv4Prefix& subnet) {
  auto it = used_.find(subnet.base);
  if (it != used_.end() && it->second == subnet) used_.erase(it);
}

bool SubnetPool::in_use(const Ipv4Prefix& subnet) const {
  auto it = used_.find(subnet.base);
  return it != used_.end() && it->second == subnet;
}

Result<Ipv4Prefix> SubnetPool::next_free() const {
  for (const Ipv4Prefix& pool : pools_) {
    const uint64_t step = uint64_t{1} << (32 - bits_);
    uint64_t base = pool.base;
    while (base + step - 1 <= pool.last()) {
      Ipv4Prefix candidate{static_cast<uint32_t>(base), bits_};
      const Ipv4Prefix* used = overlapping(candidate);
      if (used == nullptr) return candidate;
      // Skip past the subnet in use, to the next aligned candidate.
      uint64_t after = uint64_t{used->last()} + 1;
      base = std::max(base + step, (after + step - 1) / step * step);
    }
  }
  return error(Code::kUnavailable,
               "could not find an available, non-overlapping IPv4 address pool among the "
               "defaults to assign to the network");
}

// AddressSpace --------------------------------------------------------------------------------

AddressSpace::AddressSpace(Ipv4Prefix subnet, std::optional<Ipv4Prefix> range)
    : subnet_(subnet), bits_((subnet.size() + 63) / 64, 0) {
  // Network and broadcast addresses are not usable, except in /31 and /32.
  first_ = subnet.bits <= 30 ? subnet.base + 1 : subnet.base;
  last_ = subnet.bits <= 30 ? subnet.last() - 1 : subnet.last();
  if (range && range->overlaps(subnet)) {
    first_ = std::max(first_, range->base);
    last_ = std::min(last_, range->last());
  }
  next_ = first_;
}

bool AddressSpace::test(uint32_t address) const {
  uint32_t i = address - subnet_.base;
  return (bits_[i / 64] >> (i % 64)) & 1;
}

bool AddressSpace::in_use(uint32_t address) const {
  return subnet_.contains(address) && test(address);
}

bool AddressSpace::reserve(uint32_t address) {
  if (!subnet_.contains(address) || test(address)) return false;
  uint32_t i = address - subnet_.base;
  bits_[i / 64] |= uint64_t{1} << (i % 64);
  ++used_;
  return true;
}

void AddressSpace::release(uint32_t address) {
  if (!subnet_.contains(address) || !test(address)) return;
  uint32_t i = address - subnet_.base;
  bits_[i / 64] &= ~(uint64_t{1} << (i % 64));
  --used_;
}

std::optional<uint32_t> AddressSpace::find_free(uint32_t from, uint32_t to) const {
  uint64_t i = from - subnet_.base;
  const uint64_t end = uint64_t{to} - subnet_.base;  // inclusive
  while (i <= end) {
    uint64_t word = ~bits_[i / 64] >> (i % 64);  // free bits from i on, in this word
    if (word != 0) {
      uint64_t found = i + static_cast<uint64_t>(__builtin_ctzll(word));
      if (found <= end) return static_cast<uint32_t>(subnet_.base + found);
      return std::nullopt;
    }
    i = (i / 64 + 1) * 64;
  }
  return std::nullopt;
}

Result<uint32_t> AddressSpace::allocate() {
  std::optional<uint32_t> found;
  if (first_ <= last_) {
    if (next_ < first_ || next_ > last_) next_ = first_;
    found = find_free(next_, last_);
    if (!found && next_ > first_) found = find_free(first_, next_ - 1);
  }
  if (!found) {
    return Status(Code::kUnavailable,
                  "could not allocate IP from IPAM: no available addresses on this pool");
  }
  reserve(*found);
  next_ = *found == last_ ? first_ : *found + 1;
  return *found;
}

}  // namespace shoal::manager::allocator
