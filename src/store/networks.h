// The network table: api::Network objects, by ID and by Spec.Name.
//
// Errors of WriteTxn::create/update<api::Network> beyond the common ones (txn.h):
//   kAlreadyExists "network with name <name> already exists" (names are unique,
//   case-insensitively, as in swarmkit; the text is the one the docker CLI shows).
#pragma once

#include <tuple>

#include "store/codec.h"
#include "store/named.h"
#include "store/object.h"

namespace shoal::store {

template <>
struct TableTraits<api::Network> {
  static constexpr Kind kKind = Kind::kNetwork;
  static constexpr std::string_view kTable = "networks";
  static constexpr bool kUniqueNames = true;
  using Indexes = std::tuple<BySpecName<api::Network>>;

  static std::string_view name(const api::Network& o) { return o.Spec.Name; }
  static Status name_conflict(std::string_view name) {
    return error(Code::kAlreadyExists, "network with name {} already exists", name);
  }
  static void encode(const api::Network& o, std::string* out) { codec::encode(o, out); }
  static Status decode(std::string_view record, api::Network* out) {
    return codec::decode(record, out);
  }
};

}  // namespace shoal::store
