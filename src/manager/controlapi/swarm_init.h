// Planning `swarm init`: checks the request and builds every object the new swarm starts
// with, without writing anything (swarm.cc commits the plan in one transaction).
//
// Thread safety: plan_init reads the Context (IDs, randomness, LocalNode::resolve_ip,
// description) and nothing else; safe to call from any thread.
#pragma once

#include <string>
#include <vector>

#include "api/model.h"
#include "ca/cert_dir.h"
#include "common/status.h"
#include "manager/controlapi/context.h"
#include "manager/controlapi/local_node.h"

namespace shoal::manager::controlapi {

struct InitPlan {
  api::Swarm cluster;     // spec, join tokens, address pools, data path port
  api::Node node;         // this node: leader manager, ready, reachable
  api::Network ingress;   // the routing-mesh network
  Membership membership;  // what LocalNode::on_joined learns
  bool autolock = false;  // make an unlock key
  ca::NodeCerts certs;    // this manager's TLS files (written to <data-dir>/certificates)
};

// Errors (kInvalidArgument unless said otherwise, moby's texts):
//   `invalid ListenAddr "": invalid empty address`, "could not parse listen address X",
//   kInternal (500, as Docker's manager fails to listen) "manager stopped: failed to listen
//   on remote API address: listen tcp: address 99999: invalid port" for a port past 65535
//   ("... lookup tcp/X: unknown port" for one that is not a number),
//   "advertise address must be a non-zero IP address or network interface (with optional
//   port number)", "data path address must be a non-zero IP address or network interface
//   (without a port number)", LocalNode::resolve_ip's errors,
//   "subnet size is out of range: N", "invalid base pool X: invalid CIDR address: X",
//   `invalid CIDR: "X". Subnet size is too small for pool: N`,
//   "Datapath port number is not in valid range (1024-49151) : N", and the spec errors of
//   init_cluster_spec (swarm.h).
// Also makes the cluster's root CA and this manager's certificate (swarm_ca.h); the CA's
// kInternal errors.
Result<InitPlan> plan_init(const Context& ctx, const api::InitRequest& request);

// The addresses of a validated request.
struct InitAddresses {
  std::string listen;     // "host:port"
  std::string advertise;  // "ip:port"
  std::string advertise_ip;
  std::string data_path;  // "" or an IP
};
Result<InitAddresses> resolve_init_addresses(const LocalNode& local,
                                             const api::InitRequest& request);

// moby validateDefaultAddrPool + defaults: the pools (["10.0.0.0/8"] when none) and the
// subnet size (24 when 0, and when there are no pools, whatever was asked: Docker ignores
// SubnetSize without DefaultAddrPool). Errors as plan_init: a size past 29, a pool that is
// not a CIDR, a pool whose prefix is longer than the size.
Status check_addr_pools(std::vector<std::string>& pools, uint32_t& subnet_size);

// The ingress network's subnet: the first `subnet_size` block of the first pool
// ("10.0.0.0/24" for the defaults), with its first address as gateway.
api::IPAMConfig ingress_subnet(const std::vector<std::string>& pools, uint32_t subnet_size);

}  // namespace shoal::manager::controlapi
