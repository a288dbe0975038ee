// The node's nftables ruleset as a pure function of what runs on the node: the bridges with
// their subnets, and the published ports of the local tasks. NodeNetwork renders it after
// every change and installs it with one nft transaction (nftables.h); the table is shoal's
// alone ("table ip <name>"), so it is always replaced whole.
//
// The table, for bridges B (subnet S) and published ports:
//   chain ports        one rule per published (protocol, port):
//                        host mode     <proto> dport P dnat to <task address>:<target>
//                        ingress mode  the same to the one local task of the service, or
//                                      dnat ip addr . port to numgen inc mod N map {...}
//                                      over the N local tasks (a new connection each goes to
//                                      the next task; conntrack keeps a connection's choice)
//   chain prerouting   nat prerouting: fib daddr type local jump ports
//                      (other hosts, and containers, reaching any address of this node)
//   chain output       nat output: fib daddr type local jump ports
//                      (this node's own processes, including 127.0.0.1:P)
//   chain postrouting  nat postrouting:
//                        ip saddr 127.0.0.0/8 ct status dnat masquerade
//                            loopback clients of a published port: their source is not
//                            routable to the container (the bridge also has route_localnet)
//                        oifname B ip saddr S ct status dnat masquerade
//                            a container reaching a port published by a task on its own
//                            bridge: the reply must come back through this node
//                        oifname != B ip saddr S masquerade     (B not internal)
//                            containers' outgoing traffic
//
// A (protocol, port) belongs to the first entry of `ports` that claims it; later entries of
// the same service in ingress mode join it; any other claim is a conflict, reported and left
// out of the text.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/network.h"

namespace shoal::network {

struct BridgeRules {
  std::string name;        // the bridge device, "shl0a1b2c3d4e5f"
  std::string subnet;      // "10.0.0.0/24"
  bool masquerade = true;  // false for internal networks: no way out
};

// One published port of one local task.
struct PublishedPort {
  api::PortConfigProtocol protocol = api::PortConfigProtocol::kTCP;
  uint32_t published_port = 0;
  uint32_t target_port = 0;
  api::PortConfigPublishMode mode = api::PortConfigPublishMode::kIngress;
  std::string task_id;
  std::string service_id;
  std::string address;  // the task's address the port is forwarded to, "10.0.0.3"
};

struct RulesetInput {
  std::string table = "shoal";
  std::vector<BridgeRules> bridges;
  // In claim order: an earlier entry keeps a contested port.
  std::vector<PublishedPort> ports;
};

struct PortConflict {
  PublishedPort port;   // the claim left out
  std::string holder;   // the task that holds the port
  std::string message;  // "host port 8080/tcp is already in use by task <id>"
};

struct Ruleset {
  // The table definition ("table ip shoal { ... }"); empty when there is nothing to install
  // (no bridge and no port), which means: no table.
  std::string text;
  std::vector<PortConflict> conflicts;
};

Ruleset plan_ruleset(const RulesetInput& input);

// One nft script that makes the kernel's table equal `ruleset` in a single transaction:
// creates the table if missing, deletes it, and defines it again (when text is not empty).
std::string nft_transaction(std::string_view table, const Ruleset& ruleset);

// "tcp", "udp", "sctp" (kUnset is tcp, Docker's default).
std::string_view protocol_name(api::PortConfigProtocol protocol);

}  // namespace shoal::network
