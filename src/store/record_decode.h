// One stored record of an object table decoded into its object — for loading (recovery.cc)
// and for a follower's replicated commits (replication.cc) alike.
#pragma once

#include <memory>
#include <string_view>
#include <type_traits>

#include "common/status.h"
#include "store/codec.h"
#include "store/datastore/datastore.h"
#include "store/spec_pool.h"
#include "store/tables.h"

namespace shoal::store::internal {

// A task's spec ref is resolved through (and counted in) `specs`. Errors: kInternal for a
// record that does not decode, a missing spec, or a key that is not the object's ID.
template <typename T>
Result<std::shared_ptr<const T>> decode_record(const Record& record, SpecPool* specs) {
  T object;
  if constexpr (std::is_same_v<T, api::Task>) {
    SHOAL_RETURN_IF_ERROR(codec::decode(
        record.value, [specs](std::string_view ref) { return specs->resolve(ref); }, &object));
  } else {
    SHOAL_RETURN_IF_ERROR(TableTraits<T>::decode(record.value, &object));
  }
  if (object.ID != record.key) {
    return error(Code::kInternal, "{} record {} holds object {}", kind_name(kind_of<T>), record.key,
                 object.ID);
  }
  return std::make_shared<const T>(std::move(object));
}

}  // namespace shoal::store::internal
