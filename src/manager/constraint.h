// Placement constraints ("node.labels.zone==east", "node.role!=manager"): parsing and
// matching against a node, with swarmkit's semantics (manager/constraint/constraint.go) so a
// service places on the same nodes as on Docker.
//
// Syntax: each expression is `key op value` with op `==` or `!=` (the first operator found,
// `==` checked before `!=`); key and value are trimmed of spaces.
//   key:   a letter or `_`, then at least one of letters, digits, `-`, `_`, `.`
//   value: letters, digits, spaces and `: - _ . * ( ) ? + [ ] \ ^ $ | /`
// Keys (matched case-insensitively):
//   node.id, node.hostname, node.role (worker|manager), node.platform.os,
//   node.platform.arch, node.ip (an address or a CIDR, compared with NodeStatus.Addr),
//   node.labels.<label> (the node's Spec.Labels), engine.labels.<label>
//   (Description.Engine.Labels). Label names are case-sensitive; a missing label is "".
// Matching: value compared with the node's field case-insensitively, whole string
// (no globs); `!=` is the negation of `==`. An unknown key matches no node; so does a
// node.ip value that is neither an address nor a CIDR.
//
// Thread safety: pure functions and values; safe to share.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/node.h"
#include "common/status.h"

namespace shoal::manager {

struct Constraint {
  enum class Op : uint8_t { kEq, kNe };

  std::string key;  // as written (trimmed); compared case-insensitively
  Op op = Op::kEq;
  std::string value;  // as written (trimmed)

  // For kEq: whether `what` equals value ignoring ASCII case. kNe: the negation.
  bool matches(std::string_view what) const;

  bool operator==(const Constraint&) const = default;
};

// Parses every expression, in order.
// Errors (kInvalidArgument, swarmkit's texts, the first failing expression decides):
//   "constraint expected one operator from ==, !="  no operator in the expression
//   "key '<key>' is invalid"                          key fails the syntax above
//   "value '<value>' is invalid"                      value fails the syntax above
Result<std::vector<Constraint>> parse_constraints(std::span<const std::string> expressions);

// True if `node` satisfies every constraint (an empty list is satisfied by every node).
bool node_matches(std::span<const Constraint> constraints, const api::Node& node);

}  // namespace shoal::manager
