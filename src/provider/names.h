// Names and addresses for netns clusters: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace shoal::provider {

// Cluster and machine names: 1–32 of [a-z0-9-], starting with a letter or digit.
// kInvalidArgument naming the bad name and the rule.
Status validate_name(const std::string& what, const std::string& name);

// A Linux link name (≤ 15 chars) for the cluster's bridge: "sh-" + up to 8 chars of the
// name + "-" + 3 hex digits of a hash of the full name, so long names stay distinct.
std::string bridge_name(const std::string& cluster);
// The host end of a machine's veth (≤ 15 chars), distinct per (cluster, machine).
std::string veth_name(const std::string& cluster, const std::string& machine);
// The ip-netns name of a machine: "shoal-<cluster>-<machine>".
std::string netns_name(const std::string& cluster, const std::string& machine);

// Picks the first /24 of `pool` (a /16../24 CIDR such as "10.213.0.0/16") not in `used`.
// kInvalidArgument for a malformed pool; kFailedPrecondition when all are used.
Result<std::string> allocate_subnet(const std::string& pool, const std::vector<std::string>& used);

// Host number `host` (1 = bridge, 2.. = machines) of a /24 "a.b.c.0/24" → "a.b.c.host".
// kInvalidArgument when the subnet is malformed or host is outside 1..254.
Result<std::string> address_in(const std::string& subnet, int host);

// The next free host number ≥ 2 given the machines' IPs in `subnet`; kFailedPrecondition
// when the /24 is full.
Result<int> next_host(const std::string& subnet, const std::vector<std::string>& used_ips);

}  // namespace shoal::provider
