// The kinds of object the store holds, and the type-erased handle events carry.
//
// Every table holds one api type as immutable std::shared_ptr<const T>; the pointer a reader
// gets stays valid and unchanged for as long as the reader keeps it, whatever later writes do.
//
// Adding a table: add the type to Kind, AnyObject and ObjectTypes (same position), write its
// TableTraits in a <table>.h/.cc pair beside nodes.h, and list it in tables.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <tuple>
#include <variant>

#include "api/model.h"

namespace shoal::store {

enum class Kind : uint8_t { kCluster, kNode, kService, kTask, kNetwork, kSecret, kConfig };
inline constexpr int kKindCount = 7;

// The object types in Kind order. The cluster table holds api::Swarm (ClusterInfo and the
// join tokens).
using ObjectTypes = std::tuple<api::Swarm, api::Node, api::Service, api::Task, api::Network,
                               api::Secret, api::Config>;

// One object of any kind; the alternative's index is its Kind. A null pointer means "none"
// (the old object of a create, the new object of a delete).
using AnyObject =
    std::variant<std::shared_ptr<const api::Swarm>, std::shared_ptr<const api::Node>,
                 std::shared_ptr<const api::Service>, std::shared_ptr<const api::Task>,
                 std::shared_ptr<const api::Network>, std::shared_ptr<const api::Secret>,
                 std::shared_ptr<const api::Config>>;

// The noun for messages: "cluster", "node", "service", "task", "network", "secret", "config".
std::string_view kind_name(Kind kind);

// Per-type description of a table, specialized in each table's header (nodes.h, tasks.h...):
//   static constexpr Kind kKind;
//   static constexpr std::string_view kTable;   // datastore table name
//   using Indexes = std::tuple<...>;             // secondary indexes (index.h)
//   static constexpr bool kUniqueNames;          // names are unique, case-insensitively
//   static std::string_view name(const T&);      // the name a lookup matches ("" = none)
//   static Status name_conflict(std::string_view name);  // the kAlreadyExists error
//   static void encode(const T&, std::string* out);      // record bytes (codec.h)
//   static Result<T> decode(std::string_view bytes);
template <typename T>
struct TableTraits;

template <typename T>
inline constexpr Kind kind_of = TableTraits<T>::kKind;

template <typename T>
const std::shared_ptr<const T>& as(const AnyObject& object) {
  return std::get<std::shared_ptr<const T>>(object);
}

}  // namespace shoal::store
