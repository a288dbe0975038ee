#include "manager/controlapi/netaddr.h"

#include <arpa/inet.h>

#include <charconv>

namespace shoal::manager::controlapi {

bool IpAddr::is_unspecified() const {
  for (size_t i = 0; i < size(); ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

std::string IpAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<IpAddr> parse_ip(std::string_view text) {
  std::string s(text);
  IpAddr ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  ip.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) return ip;
  return std::nullopt;
}

bool Cidr::contains(const IpAddr& ip) const {
  if (ip.v6 != network.v6) return false;
  for (int bit = 0; bit < prefix; ++bit) {
    int mask = 0x80 >> (bit % 8);
    if ((ip.bytes[bit / 8] & mask) != (network.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

std::string Cidr::to_string() const { return network.to_string() + "/" + std::to_string(prefix); }

std::optional<Cidr> parse_cidr(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = parse_ip(text.substr(0, slash));
  std::string_view digits = text.substr(slash + 1);
  int prefix = -1;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  if (!ip || digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      prefix < 0 || prefix > static_cast<int>(ip->size() * 8)) {
    return std::nullopt;
  }
  Cidr cidr{*ip, prefix};
  for (size_t bit = static_cast<size_t>(prefix); bit < ip->size() * 8; ++bit) {
    cidr.network.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  return cidr;
}

IpAddr first_host(const Cidr& cidr) {
  IpAddr ip = cidr.network;
  for (size_t i = ip.size(); i-- > 0;) {
    if (++ip.bytes[i] != 0) break;
  }
  return ip;
}

std::optional<HostPort> split_host_port(std::string_view text) {
  if (text.starts_with('[')) {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    return HostPort{std::string(text.substr(1, close - 1)), std::string(text.substr(close + 2))};
  }
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  if (host.find(':') != std::string_view::npos) return std::nullopt;  // v6 needs brackets
  return HostPort{std::string(host), std::string(text.substr(colon + 1))};
}

std::string join_host_port(std::string_view host, std::string_view port) {
  if (host.find(':') != std::string_view::npos) {
    return "[" + std::string(host) + "]:" + std::string(port);
  }
  return std::string(host) + ":" + std::string(port);
}

std::optional<std::string> normalize_tcp_addr(std::string_view text, std::string_view default_host,
                                              std::string_view default_port) {
  if (text.starts_with("tcp://")) text.remove_prefix(6);
  if (text.empty() || text.find("://") != std::string_view::npos) return std::nullopt;
  HostPort hp;
  if (auto split = split_host_port(text)) {
    hp = *split;
  } else if (parse_ip(text) || text.find(':') == std::string_view::npos) {
    hp.host = std::string(text);  // a host without a port (an IPv6 literal has colons)
  } else {
    return std::nullopt;
  }
  if (hp.host.empty()) hp.host = std::string(default_host);
  if (hp.port.empty()) hp.port = std::string(default_port);
  int port = -1;
  auto [end, ec] = std::from_chars(hp.port.data(), hp.port.data() + hp.port.size(), port);
  if (ec != std::errc() || end != hp.port.data() + hp.port.size() || port < 0 || port > 65535) {
    return std::nullopt;
  }
  return join_host_port(hp.host, hp.port);
}

}  // namespace shoal::manager::controlapi
