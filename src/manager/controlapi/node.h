// Nodes: list, inspect, update and remove (Docker's /nodes routes; moby
// daemon/cluster/nodes.go over swarmkit controlapi/node.go).
//
// Nodes are created by swarm init (this node) and, later, by joins. A reference is resolved
// as Docker does (§3.1): exact ID, exact name (Spec.Name or hostname), unique ID prefix;
// "self" is not special here (the CLI resolves it).
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

#include "api/node.h"
#include "common/status.h"
#include "manager/controlapi/context.h"
#include "manager/controlapi/filters.h"

namespace shoal::manager::controlapi {

struct NodeFilters {
  std::vector<std::string> names;  // prefixes of Spec.Name or Description.Hostname
  std::vector<std::string> id_prefixes;
  LabelFilter engine_labels;         // "label": Description.Engine.Labels
  LabelFilter node_labels;           // "node.label": Spec.Labels
  std::vector<api::NodeRole> roles;  // Spec.Role
  // "accepted" / "pending": every node of a shoal swarm is accepted.
  std::vector<std::string> memberships;
};

// True when `node` passes every filter.
bool node_matches(const api::Node& node, const NodeFilters& filters);

// The nodes passing `filters`, by ID. Errors: the manager errors.
Result<std::vector<std::shared_ptr<const api::Node>>> list_nodes(const Context& ctx,
                                                                 const NodeFilters& filters);

// Errors: the manager errors; kNotFound "node <ref> not found"; kInvalidArgument "node <ref>
// is ambiguous (<n> matches found)".
Result<std::shared_ptr<const api::Node>> get_node(const Context& ctx, std::string_view ref);

// Replaces the node's spec (name, labels, role, availability) if `version` is current.
// Errors: the manager and lookup errors; kInvalidArgument `invalid Role: "x"` /
// `invalid Availability: "x"` for unset values; kOutOfSequence (`rpc error: code =
// Unknown desc = update out of sequence`); kFailedPrecondition `rpc error: code =
// FailedPrecondition desc = attempting to demote the last manager of the swarm`;
// kUnimplemented when promoting a worker (multi-manager swarms need the cluster CA).
Status update_node(Context& ctx, std::string_view ref, uint64_t version, const api::NodeSpec& spec);

// Deletes a node; its unfinished tasks become orphaned (same transaction). Errors: the
// manager and lookup errors; kFailedPrecondition (rpc-prefixed) "node <id> is a cluster
// manager and is a member of the raft cluster. It must be demoted to worker before
// removal", "node <id> is not down and can't be removed" (unless `force`).
Status remove_node(Context& ctx, std::string_view ref, bool force);

}  // namespace shoal::manager::controlapi
