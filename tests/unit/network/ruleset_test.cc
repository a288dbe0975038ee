#include "network/ruleset.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

namespace shoal::network {
namespace {

using api::PortConfigProtocol;
using api::PortConfigPublishMode;

PublishedPort ingress(std::string task, std::string service, std::string address,
                      uint32_t published, uint32_t target = 80,
                      PortConfigProtocol protocol = PortConfigProtocol::kTCP) {
  return {protocol,
          published,
          target,
          PortConfigPublishMode::kIngress,
          std::move(task),
          std::move(service),
          std::move(address)};
}

PublishedPort host(std::string task, std::string service, std::string address, uint32_t published,
                   uint32_t target = 80) {
  return {PortConfigProtocol::kTCP,
          published,
          target,
          PortConfigPublishMode::kHost,
          std::move(task),
          std::move(service),
          std::move(address)};
}

const BridgeRules kIngressBridge{"shlingress0001", "10.0.0.0/24", true};

// The table around the `ports` chain's rules, for one bridge (the ingress network's).
std::string table_with(std::string_view port_rules) {
  return fmt::format(
      "table ip shoal {{\n"
      "\tchain ports {{\n"
      "{}"
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
      "\t\tip saddr 127.0.0.0/8 ct status dnat masquerade\n"
      "\t\toifname \"shlingress0001\" ip saddr 10.0.0.0/24 ct status dnat masquerade\n"
      "\t\toifname != \"shlingress0001\" ip saddr 10.0.0.0/24 masquerade\n"
      "\t}}\n"
      "}}\n",
      port_rules);
}

struct PortsCase {
  std::string name;
  std::vector<PublishedPort> ports;
  std::string rules;  // the ports chain's rules
  std::vector<std::string> conflicts;
};

class PortsTable : public testing::TestWithParam<PortsCase> {};

TEST_P(PortsTable, RendersTheTable) {
  const PortsCase& c = GetParam();
  Ruleset r = plan_ruleset({"shoal", {kIngressBridge}, c.ports});
  EXPECT_EQ(r.text, table_with(c.rules));
  std::vector<std::string> conflicts;
  for (const auto& conflict : r.conflicts) conflicts.push_back(conflict.message);
  EXPECT_EQ(conflicts, c.conflicts);
}

INSTANTIATE_TEST_SUITE_P(
    Planner, PortsTable,
    testing::Values(
        PortsCase{"NoPorts", {}, "", {}},
        PortsCase{"HostMode",
                  {host("t1", "s1", "10.0.0.2", 8080, 80)},
                  "\t\ttcp dport 8080 dnat to 10.0.0.2:80\n",
                  {}},
        PortsCase{"IngressOneTask",
                  {ingress("t1", "s1", "10.0.0.2", 8080)},
                  "\t\ttcp dport 8080 dnat to 10.0.0.2:80\n",
                  {}},
        PortsCase{"IngressTwoTasks",
                  {ingress("t2", "s1", "10.0.0.3", 8080), ingress("t1", "s1", "10.0.0.2", 8080)},
                  "\t\ttcp dport 8080 dnat ip addr . port to numgen inc mod 2 map "
                  "{ 0 : 10.0.0.2 . 80, 1 : 10.0.0.3 . 80 }\n",
                  {}},
        PortsCase{"IngressThreeTasks",
                  {ingress("t1", "s1", "10.0.0.2", 8080), ingress("t2", "s1", "10.0.0.3", 8080),
                   ingress("t3", "s1", "10.0.0.4", 8080)},
                  "\t\ttcp dport 8080 dnat ip addr . port to numgen inc mod 3 map "
                  "{ 0 : 10.0.0.2 . 80, 1 : 10.0.0.3 . 80, 2 : 10.0.0.4 . 80 }\n",
                  {}},
        // During a rolling update tasks of two versions may target different ports.
        PortsCase{
            "IngressTargetsDifferPerTask",
            {ingress("t1", "s1", "10.0.0.2", 8080, 80), ingress("t2", "s1", "10.0.0.3", 8080, 81)},
            "\t\ttcp dport 8080 dnat ip addr . port to numgen inc mod 2 map "
            "{ 0 : 10.0.0.2 . 80, 1 : 10.0.0.3 . 81 }\n",
            {}},
        PortsCase{"SeveralServicesSortedByProtocolThenPort",
                  {ingress("t1", "s1", "10.0.0.2", 9000), ingress("t2", "s2", "10.0.0.3", 8080),
                   ingress("t3", "s3", "10.0.0.4", 53, 53, PortConfigProtocol::kUDP),
                   host("t4", "s4", "10.0.0.5", 30001, 443)},
                  "\t\ttcp dport 8080 dnat to 10.0.0.3:80\n"
                  "\t\ttcp dport 9000 dnat to 10.0.0.2:80\n"
                  "\t\ttcp dport 30001 dnat to 10.0.0.5:443\n"
                  "\t\tudp dport 53 dnat to 10.0.0.4:53\n",
                  {}},
        PortsCase{"SamePortTwoProtocols",
                  {ingress("t1", "s1", "10.0.0.2", 53, 53, PortConfigProtocol::kTCP),
                   ingress("t1", "s1", "10.0.0.2", 53, 53, PortConfigProtocol::kUDP),
                   ingress("t1", "s1", "10.0.0.2", 53, 53, PortConfigProtocol::kSCTP)},
                  "\t\tsctp dport 53 dnat to 10.0.0.2:53\n"
                  "\t\ttcp dport 53 dnat to 10.0.0.2:53\n"
                  "\t\tudp dport 53 dnat to 10.0.0.2:53\n",
                  {}},
        PortsCase{"HostPortTakenTwice",
                  {host("t1", "s1", "10.0.0.2", 8080), host("t2", "s1", "10.0.0.3", 8080)},
                  "\t\ttcp dport 8080 dnat to 10.0.0.2:80\n",
                  {"host port 8080/tcp is already in use by task t1"}},
        PortsCase{"IngressPortOfAnotherService",
                  {ingress("t1", "s1", "10.0.0.2", 8080), ingress("t2", "s2", "10.0.0.3", 8080)},
                  "\t\ttcp dport 8080 dnat to 10.0.0.2:80\n",
                  {"published port 8080/tcp is already in use by task t1"}},
        PortsCase{"HostAndIngressOfOneService",
                  {ingress("t1", "s1", "10.0.0.2", 8080), host("t2", "s1", "10.0.0.3", 8080)},
                  "\t\ttcp dport 8080 dnat to 10.0.0.2:80\n",
                  {"host port 8080/tcp is already in use by task t1"}}),
    [](const auto& info) { return info.param.name; });

TEST(RulesetTest, RemovingTasksShrinksTheBalancedMapThenTheRule) {
  std::vector<PublishedPort> ports{ingress("t1", "s1", "10.0.0.2", 8080),
                                   ingress("t2", "s1", "10.0.0.3", 8080),
                                   ingress("t3", "s1", "10.0.0.4", 8080)};
  ports.erase(ports.begin() + 1);
  EXPECT_EQ(plan_ruleset({"shoal", {kIngressBridge}, ports}).text,
            table_with("\t\ttcp dport 8080 dnat ip addr . port to numgen inc mod 2 map "
                       "{ 0 : 10.0.0.2 . 80, 1 : 10.0.0.4 . 80 }\n"));
  ports.erase(ports.begin());
  EXPECT_EQ(plan_ruleset({"shoal", {kIngressBridge}, ports}).text,
            table_with("\t\ttcp dport 8080 dnat to 10.0.0.4:80\n"));
  ports.clear();
  EXPECT_EQ(plan_ruleset({"shoal", {kIngressBridge}, ports}).text, table_with(""));
}

TEST(RulesetTest, NothingOnTheNodeMeansNoTable) {
  Ruleset r = plan_ruleset({"shoal", {}, {}});
  EXPECT_EQ(r.text, "");
  EXPECT_EQ(nft_transaction("shoal", r), "table ip shoal\ndelete table ip shoal\n");
}

TEST(RulesetTest, TransactionReplacesTheTableInOneScript) {
  Ruleset r = plan_ruleset({"t1", {kIngressBridge}, {}});
  EXPECT_EQ(nft_transaction("t1", r), "table ip t1\ndelete table ip t1\n" + r.text);
}

TEST(RulesetTest, BridgesSortedAndInternalOnesNotMasqueraded) {
  Ruleset r =
      plan_ruleset({"shoal", {{"shlb", "10.0.1.0/24", false}, {"shla", "10.0.2.0/24", true}}, {}});
  EXPECT_NE(r.text.find("\t\tip saddr 127.0.0.0/8 ct status dnat masquerade\n"
                        "\t\toifname \"shla\" ip saddr 10.0.2.0/24 ct status dnat masquerade\n"
                        "\t\toifname != \"shla\" ip saddr 10.0.2.0/24 masquerade\n"
                        "\t\toifname \"shlb\" ip saddr 10.0.1.0/24 ct status dnat masquerade\n"
                        "\t}\n"),
            std::string::npos)
      << r.text;
}

// Property: for any claims, every (protocol, port) is rendered once, each claim is either
// rendered or reported as a conflict, and a claim order permutation within one service
// renders the same table.
TEST(RulesetTest, EveryClaimIsRenderedOrReportedAndOrderWithinAServiceDoesNotMatter) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<PublishedPort> ports;
    int n = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      std::string service = "s" + std::to_string(rng() % 3);
      uint32_t port = 8080 + rng() % 3;
      std::string task = "t" + std::to_string(i);
      std::string address = "10.0.0." + std::to_string(i + 2);
      ports.push_back(rng() % 4 == 0 ? host(task, service, address, port)
                                     : ingress(task, service, address, port));
    }
    Ruleset r = plan_ruleset({"shoal", {kIngressBridge}, ports});
    size_t rendered = 0;
    for (const auto& p : ports) {
      if (r.text.find(p.address + ":") != std::string::npos ||
          r.text.find(p.address + " . ") != std::string::npos) {
        ++rendered;
      }
    }
    EXPECT_EQ(rendered + r.conflicts.size(), ports.size()) << r.text;
    for (uint32_t port = 8080; port < 8083; ++port) {
      std::string rule = fmt::format("tcp dport {} ", port);
      size_t first = r.text.find(rule);
      EXPECT_TRUE(first == std::string::npos || r.text.find(rule, first + 1) == std::string::npos);
    }
    // Reversing claims of the port holder's service keeps the same rules.
    if (r.conflicts.empty()) {
      std::vector<PublishedPort> reversed(ports.rbegin(), ports.rend());
      Ruleset again = plan_ruleset({"shoal", {kIngressBridge}, reversed});
      if (again.conflicts.empty()) {
        EXPECT_EQ(again.text, r.text);
      }
    }
  }
}

}  // namespace
}  // namespace shoal::network
