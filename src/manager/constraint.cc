#include "manager/constraint.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstring>
#include <optional>

#include "common/strings.h"

namespace shoal::manager {

namespace {

constexpr std::string_view kNodeLabelPrefix = "node.labels.";
constexpr std::string_view kEngineLabelPrefix = "engine.labels.";

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Go's strings.TrimSpace for ASCII text.
// swarmkit: ^(?i)[a-z_][a-z0-9\-_.]+$
bool valid_key(std::string_view key) {
  if (key.size() < 2 || !(is_alpha(key[0]) || key[0] == '_')) return false;
  for (char c : key.substr(1)) {
    if (!(is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

// swarmkit: ^(?i)[a-z0-9:\-_\s\.\*\(\)\?\+\[\]\\\^\$\|\/]+$  (RE2's \s is [\t\n\f\r ])
bool valid_value(std::string_view value) {
  constexpr std::string_view kSpecial = ":-_ \t\n\f\r.*()?+[]\\^$|/";
  if (value.empty()) return false;
  for (char c : value) {
    if (!(is_alpha(c) || is_digit(c) || kSpecial.find(c) != std::string_view::npos)) return false;
  }
  return true;
}

bool equal_fold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// True if `key` is `prefix` followed by at least one character (prefix case-insensitive);
// sets `rest` to what follows.
bool has_prefix_fold(std::string_view key, std::string_view prefix, std::string_view* rest) {
  if (key.size() <= prefix.size() || !equal_fold(key.substr(0, prefix.size()), prefix)) {
    return false;
  }
  *rest = key.substr(prefix.size());
  return true;
}

// An address as Go's net.IP compares it: IPv4 addresses (and IPv4-mapped IPv6 ones) are the
// same address in either form.
struct Ip {
  std::array<unsigned char, 16> bytes{};  // IPv4 as ::ffff:a.b.c.d
  bool v4 = false;
};

std::optional<Ip> parse_ip(std::string_view text) {
  std::string s(text);
  Ip ip;
  unsigned char v4[4];
  if (inet_pton(AF_INET, s.c_str(), v4) == 1) {
    ip.bytes[10] = ip.bytes[11] = 0xff;
    std::memcpy(&ip.bytes[12], v4, 4);
    ip.v4 = true;
    return ip;
  }
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  constexpr std::array<unsigned char, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  ip.v4 = std::equal(kMapped.begin(), kMapped.end(), ip.bytes.begin());
  return ip;
}

struct Cidr {
  Ip network;
  int bits = 0;  // prefix length within the address family (IPv4: 0..32)
};

std::optional<Cidr> parse_cidr(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = parse_ip(text.substr(0, slash));
  std::string_view len = text.substr(slash + 1);
  int bits = -1;
  auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), bits);
  if (!ip || ec != std::errc() || end != len.data() + len.size() || len.empty())
    return std::nullopt;
  // Go parses an IPv4 CIDR only in dotted form; "::ffff:1.2.3.4/n" is an IPv6 network.
  bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  if (bits < 0 || bits > (v4 ? 32 : 128)) return std::nullopt;
  ip->v4 = v4;
  return Cidr{*ip, bits};
}

bool cidr_contains(const Cidr& cidr, const Ip& ip) {
  if (cidr.network.v4 != ip.v4) return false;
  int offset = cidr.network.v4 ? 12 : 0;
  for (int bit = 0; bit < cidr.bits; ++bit) {
    int byte = offset + bit / 8;
    unsigned char mask = static_cast<unsigned char>(0x80 >> (bit % 8));
    if ((cidr.network.bytes[byte] & mask) != (ip.bytes[byte] & mask)) return false;
  }
  return true;
}

// node.ip: an address or a CIDR; anything else matches no node.
bool ip_matches(const Constraint& c, const api::Node& node) {
  auto node_ip = parse_ip(node.Status.Addr);
  bool hit;
  if (auto ip = parse_ip(c.value)) {
    hit = node_ip && node_ip->bytes == ip->bytes;
  } else if (auto cidr = parse_cidr(c.value)) {
    hit = node_ip && cidr_contains(*cidr, *node_ip);
  } else {
    return false;
  }
  return c.op == Constraint::Op::kEq ? hit : !hit;
}

std::string_view label_or_empty(const api::StringMap& labels, std::string_view name) {
  auto it = labels.find(std::string(name));
  return it != labels.end() ? std::string_view(it->second) : std::string_view();
}

bool one_matches(const Constraint& c, const api::Node& node) {
  std::string_view key = c.key;
  std::string_view label;
  if (equal_fold(key, "node.id")) return c.matches(node.ID);
  if (equal_fold(key, "node.hostname")) return c.matches(node.Description.Hostname);
  if (equal_fold(key, "node.ip")) return ip_matches(c, node);
  if (equal_fold(key, "node.role")) return c.matches(api::to_string(node.Spec.Role));
  if (equal_fold(key, "node.platform.os")) return c.matches(node.Description.Platform.OS);
  if (equal_fold(key, "node.platform.arch")) {
    return c.matches(node.Description.Platform.Architecture);
  }
  if (has_prefix_fold(key, kNodeLabelPrefix, &label)) {
    return c.matches(label_or_empty(node.Spec.Labels, label));
  }
  if (has_prefix_fold(key, kEngineLabelPrefix, &label)) {
    return c.matches(label_or_empty(node.Description.Engine.Labels, label));
  }
  return false;  // a key outside the syntax matches nothing
}

}  // namespace

bool Constraint::matches(std::string_view what) const {
  bool equal = equal_fold(value, what);
  return op == Op::kEq ? equal : !equal;
}

Result<std::vector<Constraint>> parse_constraints(std::span<const std::string> expressions) {
  static constexpr std::array<std::pair<std::string_view, Constraint::Op>, 2> kOperators{
      {{"==", Constraint::Op::kEq}, {"!=", Constraint::Op::kNe}}};
  std::vector<Constraint> out;
  out.reserve(expressions.size());
  for (const std::string& expr : expressions) {
    bool found = false;
    for (const auto& [text, op] : kOperators) {
      size_t at = expr.find(text);
      if (at == std::string::npos) continue;
      std::string_view view = expr;
      std::string_view key = trim(view.substr(0, at));
      if (!valid_key(key)) return error(Code::kInvalidArgument, "key '{}' is invalid", key);
      std::string_view value = trim(view.substr(at + text.size()));
      if (!valid_value(value)) {
        return error(Code::kInvalidArgument, "value '{}' is invalid", value);
      }
      out.push_back(Constraint{std::string(key), op, std::string(value)});
      found = true;
      break;
    }
    if (!found) {
      return Status(Code::kInvalidArgument, "constraint expected one operator from ==, !=");
    }
  }
  return out;
}

bool node_matches(std::span<const Constraint> constraints, const api::Node& node) {
  for (const Constraint& c : constraints) {
    if (!one_matches(c, node)) return false;
  }
  return true;
}

}  // namespace shoal::manager
