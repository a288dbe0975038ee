// The secret table: api::Secret objects, by ID and by Spec.Name.
//
// Errors of WriteTxn::create/update<api::Secret> beyond the common ones (txn.h):
//   kAlreadyExists "secret <name> already exists" (names are unique,
//   case-insensitively, as in swarmkit; the text is the one the docker CLI shows).
#pragma once

#include <tuple>

#include "store/codec.h"
#include "store/named.h"
#include "store/object.h"

namespace shoal::store {

template <>
struct TableTraits<api::Secret> {
  static constexpr Kind kKind = Kind::kSecret;
  static constexpr std::string_view kTable = "secrets";
  static constexpr bool kUniqueNames = true;
  using Indexes = std::tuple<BySpecName<api::Secret>>;

  static std::string_view name(const api::Secret& o) { return o.Spec.Name; }
  static Status name_conflict(std::string_view name) {
    return error(Code::kAlreadyExists, "secret {} already exists", name);
  }
  static void encode(const api::Secret& o, std::string* out) { codec::encode(o, out); }
  static Status decode(std::string_view record, api::Secret* out) {
    return codec::decode(record, out);
  }
};

}  // namespace shoal::store
