#include "provider/names.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <set>

namespace shoal::provider {
namespace {

uint32_t fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

struct Cidr {
  uint32_t base = 0;  // host order
  int bits = 0;
};

Result<Cidr> parse_cidr(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos)
    return error(Code::kInvalidArgument, "\"{}\" is not a CIDR", text);
  in_addr a{};
  if (::inet_pton(AF_INET, text.substr(0, slash).c_str(), &a) != 1) {
    return error(Code::kInvalidArgument, "\"{}\" is not an IPv4 CIDR", text);
  }
  int bits = -1;
  try {
    size_t used = 0;
    bits = std::stoi(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) bits = -1;
  } catch (...) {
  }
  if (bits < 0 || bits > 32)
    return error(Code::kInvalidArgument, "bad prefix length in \"{}\"", text);
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return Cidr{ntohl(a.s_addr) & mask, bits};
}

std::string dotted(uint32_t addr) {
  return fmt::format("{}.{}.{}.{}", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255, addr & 255);
}

std::string link_name(const std::string& prefix, const std::string& key, const std::string& part) {
  return fmt::format("{}{}-{:03x}", prefix, part.substr(0, 15 - prefix.size() - 4),
                     fnv1a(key) & 0xfff);
}

}  // namespace

Status validate_name(const std::string& what, const std::string& name) {
  bool ok = !name.empty() && name.size() <= 32 && name.front() != '-';
  for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!ok) {
    return error(Code::kInvalidArgument,
                 "invalid {} name \"{}\": use 1-32 characters of a-z, 0-9 and '-', not "
                 "starting with '-'",
                 what, name);
  }
  return Status::ok();
}

std::string bridge_name(const std::string& cluster) { return link_name("sh-", cluster, cluster); }

std::string veth_name(const std::string& cluster, const std::string& machine) {
  return link_name("sv-", cluster + "/" + machine, machine);
}

std::string netns_name(const std::string& cluster, const std::string& machine) {
  return "shoal-" + cluster + "-" + machine;
}

Result<std::string> allocate_subnet(const std::string& pool, const std::vector<std::string>& used) {
  SHOAL_ASSIGN_OR_RETURN(Cidr p, parse_cidr(pool));
  if (p.bits > 24) return error(Code::kInvalidArgument, "pool {} is smaller than a /24", pool);
  std::set<uint32_t> taken;
  for (const auto& u : used) {
    auto c = parse_cidr(u);
    if (c.is_ok()) taken.insert(c->base & 0xffffff00u);
  }
  uint32_t count = uint32_t{1} << (24 - p.bits);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t base = p.base + (i << 8);
    if (!taken.count(base)) return dotted(base) + "/24";
  }
  return error(Code::kFailedPrecondition, "every /24 of the pool {} is in use", pool);
}

Result<std::string> address_in(const std::string& subnet, int host) {
  SHOAL_ASSIGN_OR_RETURN(Cidr c, parse_cidr(subnet));
  if (c.bits != 24) return error(Code::kInvalidArgument, "subnet {} is not a /24", subnet);
  if (host < 1 || host > 254) return error(Code::kInvalidArgument, "host {} outside 1..254", host);
  return dotted(c.base + static_cast<uint32_t>(host));
}

Result<int> next_host(const std::string& subnet, const std::vector<std::string>& used_ips) {
  for (int h = 2; h <= 254; ++h) {
    SHOAL_ASSIGN_OR_RETURN(std::string ip, address_in(subnet, h));
    if (std::find(used_ips.begin(), used_ips.end(), ip) == used_ips.end()) return h;
  }
  return error(Code::kFailedPrecondition, "subnet {} has no free address", subnet);
}

}  // namespace shoal::provider
