// The service table: api::Service objects, by ID and by Spec.Name.
//
// Errors of WriteTxn::create/update<api::Service> beyond the common ones (txn.h):
//   kAlreadyExists "name conflicts with an existing object: service <name> already
//   exists" (names are unique,
//   case-insensitively, as in swarmkit; the text is the one the docker CLI shows).
#pragma once

#include <tuple>

#include "store/codec.h"
#include "store/named.h"
#include "store/object.h"

namespace shoal::store {

template <>
struct TableTraits<api::Service> {
  static constexpr Kind kKind = Kind::kService;
  static constexpr std::string_view kTable = "services";
  static constexpr bool kUniqueNames = true;
  using Indexes = std::tuple<BySpecName<api::Service>>;

  static std::string_view name(const api::Service& o) { return o.Spec.Name; }
  static Status name_conflict(std::string_view name) {
    return error(Code::kAlreadyExists,
                 "name conflicts with an existing object: service {} already exists", name);
  }
  static void encode(const api::Service& o, std::string* out) { codec::encode(o, out); }
  static Status decode(std::string_view record, api::Service* out) {
    return codec::decode(record, out);
  }
};

}  // namespace shoal::store
