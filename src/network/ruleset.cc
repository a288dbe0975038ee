#include "network/ruleset.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace shoal::network {

namespace {

using PortKey = std::tuple<std::string_view, uint32_t>;  // protocol, published port

// The claims kept for one (protocol, port), the first one's mode and service deciding.
struct PortGroup {
  std::vector<const PublishedPort*> members;
};

bool joins(const PublishedPort& holder, const PublishedPort& claim) {
  return holder.mode == api::PortConfigPublishMode::kIngress &&
         claim.mode == api::PortConfigPublishMode::kIngress &&
         holder.service_id == claim.service_id && !holder.service_id.empty();
}

std::string conflict_message(const PublishedPort& claim, const PublishedPort& holder) {
  return fmt::format("{} port {}/{} is already in use by task {}",
                     claim.mode == api::PortConfigPublishMode::kHost ? "host" : "published",
                     claim.published_port, protocol_name(claim.protocol), holder.task_id);
}

std::map<PortKey, PortGroup> group_ports(const std::vector<PublishedPort>& ports,
                                         std::vector<PortConflict>& conflicts) {
  std::map<PortKey, PortGroup> groups;
  for (const PublishedPort& claim : ports) {
    PortGroup& group = groups[{protocol_name(claim.protocol), claim.published_port}];
    if (!group.members.empty() && !joins(*group.members.front(), claim)) {
      const PublishedPort& holder = *group.members.front();
      conflicts.push_back({claim, holder.task_id, conflict_message(claim, holder)});
      continue;
    }
    group.members.push_back(&claim);
  }
  return groups;
}

std::string dnat_rule(std::string_view protocol, uint32_t port, PortGroup& group) {
  auto& m = group.members;
  std::sort(m.begin(), m.end(),
            [](const PublishedPort* a, const PublishedPort* b) { return a->task_id < b->task_id; });
  if (m.size() == 1) {
    return fmt::format("\t\t{} dport {} dnat to {}:{}\n", protocol, port, m[0]->address,
                       m[0]->target_port);
  }
  std::string elements;
  for (size_t i = 0; i < m.size(); ++i) {
    elements +=
        fmt::format("{}{} : {} . {}", i == 0 ? "" : ", ", i, m[i]->address, m[i]->target_port);
  }
  return fmt::format("\t\t{} dport {} dnat ip addr . port to numgen inc mod {} map {{ {} }}\n",
                     protocol, port, m.size(), elements);
}

std::string postrouting_rules(std::vector<BridgeRules> bridges) {
  std::sort(bridges.begin(), bridges.end(),
            [](const BridgeRules& a, const BridgeRules& b) { return a.name < b.name; });
  std::string out = "\t\tip saddr 127.0.0.0/8 ct status dnat masquerade\n";
  for (const BridgeRules& b : bridges) {
    out +=
        fmt::format("\t\toifname \"{}\" ip saddr {} ct status dnat masquerade\n", b.name, b.subnet);
    if (b.masquerade) {
      out += fmt::format("\t\toifname != \"{}\" ip saddr {} masquerade\n", b.name, b.subnet);
    }
  }
  return out;
}

}  // namespace

std::string_view protocol_name(api::PortConfigProtocol protocol) {
  switch (protocol) {
    case api::PortConfigProtocol::kUDP:
      return "udp";
    case api::PortConfigProtocol::kSCTP:
      return "sctp";
    case api::PortConfigProtocol::kTCP:
    case api::PortConfigProtocol::kUnset:
      break;
  }
  return "tcp";
}

Ruleset plan_ruleset(const RulesetInput& input) {
  Ruleset out;
  auto groups = group_ports(input.ports, out.conflicts);
  if (input.bridges.empty() && groups.empty()) return out;

  std::string ports;
  for (auto& [key, group] : groups) {
    ports += dnat_rule(std::get<0>(key), std::get<1>(key), group);
  }
  out.text = fmt::format(
      "table ip {0} {{\n"
      "\tchain ports {{\n"
      "{1}"
      "\t}}\n"
      "\tchain prerouting {{\n"
      "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
      "\t\tfib daddr type local jump ports\n"
      "\t}}\n"
      "\tchain output {{\n"
      "\t\ttype nat hook output priority -100; policy accept;\n"
      "\t\tfib daddr type local jump ports\n"
      "\t}}\n"
      "\tchain postrouting {{\n"
      "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
      "{2}"
      "\t}}\n"
      "}}\n",
      input.table, ports, postrouting_rules(input.bridges));
  return out;
}

std::string nft_transaction(std::string_view table, const Ruleset& ruleset) {
  std::string out = fmt::format("table ip {0}\ndelete table ip {0}\n", table);
  out += ruleset.text;
  return out;
}

}  // namespace shoal::network
