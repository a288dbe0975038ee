// The node table: api::Node objects, by ID and by name, where a node's name is its
// Spec.Name or its Description.Hostname (either matches by::Name; Docker resolves
// `docker node inspect <name>` that way). Names are not unique: two nodes may share a
// hostname, and a lookup by such a name is then ambiguous.
#pragma once

#include <tuple>

#include "store/codec.h"
#include "store/named.h"
#include "store/object.h"

namespace shoal::store {

struct NodeByHostname {
  using Object = api::Node;
  using Query = by::Name;
  static constexpr IndexKind kKind = IndexKind::kOrdered;
  static FoldedName key(const api::Node& node) { return {node.Description.Hostname}; }
  static FoldedName key(const by::Name& q) { return {q.name}; }
};

template <>
struct TableTraits<api::Node> {
  static constexpr Kind kKind = Kind::kNode;
  static constexpr std::string_view kTable = "nodes";
  static constexpr bool kUniqueNames = false;
  using Indexes = std::tuple<BySpecName<api::Node>, NodeByHostname>;

  static std::string_view name(const api::Node& o) {
    return o.Spec.Name.empty() ? std::string_view(o.Description.Hostname) : o.Spec.Name;
  }
  static Status name_conflict(std::string_view) { return Status::ok(); }
  static void encode(const api::Node& o, std::string* out) { codec::encode(o, out); }
  static Status decode(std::string_view record, api::Node* out) {
    return codec::decode(record, out);
  }
};

}  // namespace shoal::store
