#include "network/ipam.h"

#include <fmt/format.h>

#include <charconv>

namespace shoal::network {

namespace {

bool parse_uint(std::string_view text, uint32_t max, uint32_t* out) {
  if (text.empty() || text.size() > 3) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && *out <= max;
}

}  // namespace

Result<uint32_t> parse_ipv4(std::string_view text) {
  uint32_t address = 0;
  std::string_view rest = text;
  for (int i = 0; i < 4; ++i) {
    size_t dot = i < 3 ? rest.find('.') : rest.size();
    uint32_t octet = 0;
    if (dot == std::string_view::npos || !parse_uint(rest.substr(0, dot), 255, &octet)) {
      return error(Code::kInvalidArgument, "invalid IPv4 address '{}'", text);
    }
    address = address << 8 | octet;
    rest = i < 3 ? rest.substr(dot + 1) : std::string_view();
  }
  return address;
}

Result<Cidr> parse_cidr(std::string_view text) {
  size_t slash = text.find('/');
  uint32_t bits = 0;
  if (slash == std::string_view::npos || !parse_uint(text.substr(slash + 1), 32, &bits)) {
    return error(Code::kInvalidArgument, "invalid IPv4 CIDR '{}'", text);
  }
  auto address = parse_ipv4(text.substr(0, slash));
  if (!address.is_ok()) return error(Code::kInvalidArgument, "invalid IPv4 CIDR '{}'", text);
  return Cidr{*address, static_cast<int>(bits)};
}

std::string format_ipv4(uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

std::string format_cidr(Cidr cidr) {
  return fmt::format("{}/{}", format_ipv4(cidr.address), cidr.bits);
}

std::string format_subnet(Cidr cidr) { return format_cidr({cidr.network(), cidr.bits}); }

Result<LocalIpam> LocalIpam::make(std::string_view subnet) {
  SHOAL_ASSIGN_OR_RETURN(Cidr cidr, parse_cidr(subnet));
  if (cidr.bits > 30 || cidr.bits < 1) {
    return error(Code::kInvalidArgument, "default bridge subnet '{}' must be between /1 and /30",
                 subnet);
  }
  return LocalIpam(cidr.network(), cidr.bits);
}

bool LocalIpam::reserved(uint32_t address) const {
  Cidr s = subnet();
  return address == s.network() || address == s.network() + 1 || address == s.broadcast();
}

Result<Cidr> LocalIpam::allocate() {
  Cidr s = subnet();
  uint32_t first = s.network() + 2;
  uint32_t last = s.broadcast() - 1;
  uint32_t count = last - first + 1;
  if (next_ < first || next_ > last) next_ = first;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t candidate = next_;
    next_ = next_ == last ? first : next_ + 1;
    if (used_.insert(candidate).second) return Cidr{candidate, bits_};
  }
  return error(Code::kUnavailable, "no free address in the default bridge network {}",
               format_subnet(s));
}

Status LocalIpam::hold(uint32_t address) {
  if (!subnet().contains(address) || reserved(address)) {
    return error(Code::kInvalidArgument, "address {} is not assignable in {}", format_ipv4(address),
                 format_subnet(subnet()));
  }
  if (!used_.insert(address).second) {
    return error(Code::kAlreadyExists, "address {} is taken", format_ipv4(address));
  }
  return Status::ok();
}

void LocalIpam::release(uint32_t address) { used_.erase(address); }

}  // namespace shoal::network
