// Table<T>: the committed objects of one kind, by ID and by the secondary indexes that
// TableTraits<T>::Indexes lists (index.h).
//
// Objects are immutable std::shared_ptr<const T>; a write replaces the pointer, so a pointer
// handed to a reader never changes under it. by_id is an absl::btree_set ordered by ID, which
// also answers ID-prefix scans.
//
// Thread safety: none. The store (store.h) mutates tables only under its exclusive lock and
// reads them under its shared lock (or as the single writer).
#pragma once

#include <absl/container/btree_set.h>
#include <absl/container/flat_hash_set.h>

#include <memory>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "store/index.h"
#include "store/object.h"
#include "store/query.h"

namespace shoal::store {

namespace internal {
template <typename Tuple>
struct IndexesOf;
template <typename... Defs>
struct IndexesOf<std::tuple<Defs...>> {
  using type = std::tuple<Index<Defs>...>;
};

// Remembers which objects a query reported, when several indexes answer it.
template <typename T, bool kNeeded>
struct Dedup {
  bool first(const T*) { return true; }
};
template <typename T>
struct Dedup<T, true> {
  absl::flat_hash_set<const T*> seen;
  bool first(const T* object) { return seen.insert(object).second; }
};
}  // namespace internal

template <typename T>
class Table {
 public:
  using Ptr = std::shared_ptr<const T>;
  using Traits = TableTraits<T>;
  using IndexDefs = typename Traits::Indexes;

  // The object with this exact ID, or nullptr.
  const Ptr* get(std::string_view id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &*it;
  }
  size_t size() const { return by_id_.size(); }

  // REQUIRES: no object with object->ID is in the table.
  void insert(const Ptr& object) {
    by_id_.insert(object);
    std::apply([&](auto&... index) { (index.insert(object), ...); }, indexes_);
  }
  // REQUIRES: old_object is in the table; new_object has its ID.
  void replace(const Ptr& old_object, const Ptr& new_object) {
    auto it = by_id_.find(std::string_view(old_object->ID));
    it = by_id_.erase(it);
    by_id_.insert(it, new_object);
    std::apply([&](auto&... index) { (index.replace(old_object, new_object), ...); }, indexes_);
  }
  // REQUIRES: object is in the table.
  void erase(const Ptr& object) {
    std::apply([&](auto&... index) { (index.erase(object), ...); }, indexes_);
    by_id_.erase(std::string_view(object->ID));
  }

  // Calls fn(const Ptr&) for each object the selector picks, until fn returns false.
  // Order: by ID for All and IdPrefix; by (index key, ID) for index selectors.
  template <typename Fn>
  void for_each(by::All, Fn&& fn) const {
    for (const Ptr& object : by_id_) {
      if (!fn(object)) return;
    }
  }
  template <typename Fn>
  void for_each(by::IdPrefix q, Fn&& fn) const {
    for (auto it = by_id_.lower_bound(q.prefix); it != by_id_.end(); ++it) {
      if (!std::string_view((*it)->ID).starts_with(q.prefix) || !fn(*it)) return;
    }
  }
  template <typename Fn>
  void for_each(by::NamePrefix q, Fn&& fn) const {
    static_assert(answers<by::Name>(), "this table has no names");
    Dedup<(count_answering<by::Name>() > 1)> dedup;
    visit_indexes<by::Name>([&](const auto& index, auto def) {
      using Def = decltype(def);
      bool go_on = true;
      index.for_each_from(Def::key(by::Name{q.prefix}), [&](const Ptr& object) {
        if (!folded_starts_with(Def::key(*object).text, q.prefix)) return false;
        if (dedup.first(object.get())) go_on = fn(object);
        return go_on;
      });
      return go_on;
    });
  }
  template <typename Query, typename Fn>
  void for_each(const Query& q, Fn&& fn) const {
    static_assert(answers<Query>(), "this table has no index for this selector");
    // Several indexes may answer (a node's two names): report each object once.
    Dedup<(count_answering<Query>() > 1)> dedup;
    visit_indexes<Query>([&](const auto& index, auto def) {
      bool go_on = true;
      index.for_each_equal(decltype(def)::key(q), [&](const Ptr& object) {
        if (dedup.first(object.get())) go_on = fn(object);
        return go_on;
      });
      return go_on;
    });
  }

  // True when `object` is one the selector picks (for objects not yet in the table).
  static bool matches(const T&, by::All) { return true; }
  static bool matches(const T& object, by::IdPrefix q) {
    return std::string_view(object.ID).starts_with(q.prefix);
  }
  static bool matches(const T& object, by::NamePrefix q) {
    bool match = false;
    for_each_def<by::Name>([&](auto def) {
      match = match || folded_starts_with(decltype(def)::key(object).text, q.prefix);
    });
    return match;
  }
  template <typename Query>
  static bool matches(const T& object, const Query& q) {
    bool match = false;
    for_each_def<Query>([&](auto def) {
      using Def = decltype(def);
      match = match || Def::key(object) == Def::key(q);
    });
    return match;
  }

  // True when some index answers selector Query.
  template <typename Query>
  static constexpr bool answers() {
    return count_answering<Query>() > 0;
  }

 private:
  struct IdLess {
    using is_transparent = void;
    static std::string_view id(const Ptr& p) { return p->ID; }
    static std::string_view id(std::string_view s) { return s; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return id(a) < id(b);
    }
  };

  template <bool kNeeded>
  using Dedup = internal::Dedup<T, kNeeded>;

  template <typename Query>
  static constexpr int count_answering() {
    return []<typename... Defs>(std::tuple<Defs...>*) {
      return (0 + ... + (std::is_same_v<typename Defs::Query, Query> ? 1 : 0));
    }(static_cast<IndexDefs*>(nullptr));
  }

  // Calls fn(Def{}) for each index definition answering Query.
  template <typename Query, typename Fn>
  static void for_each_def(Fn&& fn) {
    [&]<typename... Defs>(std::tuple<Defs...>*) {
      auto one = [&](auto def) {
        if constexpr (std::is_same_v<typename decltype(def)::Query, Query>) fn(def);
      };
      (one(Defs{}), ...);
    }(static_cast<IndexDefs*>(nullptr));
  }

  // Calls fn(index, Def{}) for each index answering Query until fn returns false.
  template <typename Query, typename Fn>
  void visit_indexes(Fn&& fn) const {
    [&]<typename... Defs>(std::tuple<Defs...>*) {
      bool go_on = true;
      auto one = [&](auto def) {
        using Def = decltype(def);
        if constexpr (std::is_same_v<typename Def::Query, Query>) {
          if (go_on) go_on = fn(std::get<Index<Def>>(indexes_), def);
        }
      };
      (one(Defs{}), ...);
    }(static_cast<IndexDefs*>(nullptr));
  }

  absl::btree_set<Ptr, IdLess> by_id_;
  typename internal::IndexesOf<IndexDefs>::type indexes_;
};

}  // namespace shoal::store
