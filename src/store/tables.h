// Every table of the store, and the committed state they form.
#pragma once

#include <tuple>

#include "store/clusters.h"
#include "store/configs.h"
#include "store/networks.h"
#include "store/nodes.h"
#include "store/secrets.h"
#include "store/services.h"
#include "store/table.h"
#include "store/tasks.h"

namespace shoal::store {

// The committed objects of every kind.
class Tables {
 public:
  template <typename T>
  Table<T>& of() {
    return std::get<Table<T>>(tables_);
  }
  template <typename T>
  const Table<T>& of() const {
    return std::get<Table<T>>(tables_);
  }

 private:
  std::tuple<Table<api::Swarm>, Table<api::Node>, Table<api::Service>, Table<api::Task>,
             Table<api::Network>, Table<api::Secret>, Table<api::Config>>
      tables_;
};

// Calls fn(T*) — a typed null pointer — for the type of `kind`.
template <typename Fn>
decltype(auto) visit_kind(Kind kind, Fn&& fn) {
  switch (kind) {
    case Kind::kCluster:
      return fn(static_cast<api::Swarm*>(nullptr));
    case Kind::kNode:
      return fn(static_cast<api::Node*>(nullptr));
    case Kind::kService:
      return fn(static_cast<api::Service*>(nullptr));
    case Kind::kTask:
      return fn(static_cast<api::Task*>(nullptr));
    case Kind::kNetwork:
      return fn(static_cast<api::Network*>(nullptr));
    case Kind::kSecret:
      return fn(static_cast<api::Secret*>(nullptr));
    case Kind::kConfig:
      break;
  }
  return fn(static_cast<api::Config*>(nullptr));
}

// Calls fn(T*) for every object type, in Kind order.
template <typename Fn>
void for_each_kind(Fn&& fn) {
  for (int k = 0; k < kKindCount; ++k) visit_kind(static_cast<Kind>(k), fn);
}

}  // namespace shoal::store
