// The cluster table: api::Swarm objects (normally one, named "default"), by ID and name.
//
// Errors of WriteTxn::create/update<api::Swarm> beyond the common ones (txn.h):
//   kAlreadyExists "cluster <name> already exists" (names are unique, case-insensitively).
#pragma once

#include <tuple>

#include "store/codec.h"
#include "store/named.h"
#include "store/object.h"

namespace shoal::store {

template <>
struct TableTraits<api::Swarm> {
  static constexpr Kind kKind = Kind::kCluster;
  static constexpr std::string_view kTable = "clusters";
  static constexpr bool kUniqueNames = true;
  using Indexes = std::tuple<BySpecName<api::Swarm>>;

  static std::string_view name(const api::Swarm& o) { return o.Spec.Name; }
  static Status name_conflict(std::string_view name) {
    return error(Code::kAlreadyExists, "cluster {} already exists", name);
  }
  static void encode(const api::Swarm& o, std::string* out) { codec::encode(o, out); }
  static Status decode(std::string_view record, api::Swarm* out) {
    return codec::decode(record, out);
  }
};

}  // namespace shoal::store
