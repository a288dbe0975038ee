// Swarm networks: create, inspect, list, remove (the swarm-scoped part of Docker's
// /networks routes; moby daemon/cluster/networks.go over swarmkit controlapi/network.go).
// The allocator assigns subnets and driver state; this API stores the user's NetworkSpec.
//
// References are resolved as Docker does (§3.1): exact ID, exact name, unique ID prefix;
// errors kNotFound "network <ref> not found", kInvalidArgument "network <ref> is ambiguous
// (<n> matches found)".
//
// Every function first checks that this node is an active manager (the 503 errors of
// errors.h manager_state_error).
//
// Thread safety: all functions are safe to call concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/network.h"
#include "common/status.h"
#include "manager/controlapi/context.h"

namespace shoal::manager::controlapi {

// Networks created by the system (swarmkit's label); users may not set it.
inline constexpr std::string_view kPredefinedLabel = "com.docker.swarm.predefined";

// A network and the services attached to it (by TaskTemplate.Networks or Spec.Networks;
// for the ingress network, the services publishing ingress ports).
struct NetworkUse {
  std::shared_ptr<const api::Network> network;
  std::vector<std::string> service_ids;
};

// swarmkit validateNetworkSpec, plus shoal's driver rule. Errors (rpc-prefixed):
//   InvalidArgument "ingress network cannot be attachable"; the service name errors
//   ("name must be valid as a DNS name component", ...); PermissionDenied "label
//   com.docker.swarm.predefined is for internally created predefined networks and cannot be
//   applied by users"; InvalidArgument "driver name: if driver is specified name is
//   required"; InvalidArgument for a driver other than overlay (shoal's networks are
//   overlays) or an IPAM driver other than "default"; InvalidArgument "ipam configuration:
//   invalid subnet X" / "invalid range X" / "subnet X does not contain range Y" / "invalid
//   gateway X" / "subnet X does not contain gateway Y".
Status validate_network_spec(const api::NetworkSpec& spec);

// Creates a swarm network (Scope "swarm", driver overlay when unset) and returns its ID.
// Errors: the manager errors; validate_network_spec's; kAlreadyExists "network with name
// <name> already exists"; rpc AlreadyExists "ingress network (<id>) is already present".
Result<std::string> create_network(Context& ctx, api::NetworkSpec spec);

Result<std::shared_ptr<const api::Network>> get_network(const Context& ctx, std::string_view ref);

// Every swarm network with its users, by ID. Errors: the manager errors.
Result<std::vector<NetworkUse>> list_networks(const Context& ctx);

// Errors: the manager and lookup errors; rpc FailedPrecondition "network <id> (<name>) is a
// swarm predefined network and cannot be removed", "ingress network cannot be removed
// because service <id> depends on it", "network <id> is in use by service <id>", "network
// <id> is in use by task <id>" (tasks desired and still running only).
Status remove_network(Context& ctx, std::string_view ref);

}  // namespace shoal::manager::controlapi
