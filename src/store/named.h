// The name index shared by the named tables: Spec.Name, compared case-insensitively.
#pragma once

#include "store/index.h"
#include "store/query.h"

namespace shoal::store {

template <typename T>
struct BySpecName {
  using Object = T;
  using Query = by::Name;
  static constexpr IndexKind kKind = IndexKind::kOrdered;
  static FoldedName key(const T& object) { return {object.Spec.Name}; }
  static FoldedName key(const by::Name& q) { return {q.name}; }
};

}  // namespace shoal::store
