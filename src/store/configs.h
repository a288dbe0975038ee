// The config table: api::Config objects, by ID and by Spec.Name.
//
// Errors of WriteTxn::create/update<api::Config> beyond the common ones (txn.h):
//   kAlreadyExists "config <name> already exists" (names are unique,
//   case-insensitively, as in swarmkit; the text is the one the docker CLI shows).
#pragma once

#include <tuple>

#include "store/codec.h"
#include "store/named.h"
#include "store/object.h"

namespace shoal::store {

template <>
struct TableTraits<api::Config> {
  static constexpr Kind kKind = Kind::kConfig;
  static constexpr std::string_view kTable = "configs";
  static constexpr bool kUniqueNames = true;
  using Indexes = std::tuple<BySpecName<api::Config>>;

  static std::string_view name(const api::Config& o) { return o.Spec.Name; }
  static Status name_conflict(std::string_view name) {
    return error(Code::kAlreadyExists, "config {} already exists", name);
  }
  static void encode(const api::Config& o, std::string* out) { codec::encode(o, out); }
  static Status decode(std::string_view record, api::Config* out) {
    return codec::decode(record, out);
  }
};

}  // namespace shoal::store
