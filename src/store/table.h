// Table<T>: the committed objects of one kind, by ID (IdIndex) and by the secondary indexes
// TableTraits<T>::Indexes lists (index.h).
//
// Objects are immutable std::shared_ptr<const T>; a write replaces the pointer, so a pointer
// handed to a reader never changes under it.
//
// Thread safety: none. The store (store.h) mutates tables only under its exclusive lock and
// reads them under its shared lock (or as the single writer).
#pragma once

#include <absl/container/flat_hash_set.h>

#include <memory>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

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

template <typename Def, typename = void>
struct SubQueryOf {
  using type = void;
};
template <typename Def>
struct SubQueryOf<Def, std::void_t<typename Def::SubQuery>> {
  using type = typename Def::SubQuery;
};
}  // namespace internal

template <typename T>
class Table {
 public:
  using Ptr = std::shared_ptr<const T>;
  using Traits = TableTraits<T>;
  using IndexDefs = typename Traits::Indexes;

  // The object with this exact ID, or nullptr.
  const Ptr* get(std::string_view id) const { return by_id_.find(id); }
  size_t size() const { return by_id_.size(); }

  // REQUIRES: no object with object->ID is in the table.
  void insert(const Ptr& object) {
    by_id_.insert(object);
    std::apply([&](auto&... index) { (index.insert(object), ...); }, indexes_);
  }
  // insert() for many objects (a large commit): each index takes them in its own order.
  void insert_many(const std::vector<Ptr>& objects) {
    by_id_.insert_many(objects);
    std::apply([&](auto&... index) { (index.insert_many(objects), ...); }, indexes_);
  }
  // REQUIRES: old_object is in the table; new_object has its ID.
  void replace(const Ptr& old_object, const Ptr& new_object) {
    std::apply([&](auto&... index) { (index.replace(old_object, new_object), ...); }, indexes_);
    by_id_.replace(new_object);  // last: it may hold the only other reference to old_object
  }
  // REQUIRES: object is in the table.
  void erase(const Ptr& object) {
    std::apply([&](auto&... index) { (index.erase(object), ...); }, indexes_);
    by_id_.erase(object->ID);
  }

  // Loading: the same changes to the ID index only, then build_indexes() once at the end.
  void load_insert(const Ptr& object) { by_id_.insert_last(object); }
  void load_replace(const Ptr& new_object) { by_id_.replace(new_object); }
  void load_erase(const Ptr& object) { by_id_.erase(object->ID); }
  // REQUIRES: the secondary indexes are empty (only load_* calls so far).
  void build_indexes() {
    std::vector<Ptr> objects;
    objects.reserve(by_id_.size());
    by_id_.for_each([&](const Ptr& object) {
      objects.push_back(object);
      return true;
    });
    std::apply([&](auto&... index) { (index.build(objects), ...); }, indexes_);
  }

  // Calls fn(const Ptr&) for each object the selector picks, until fn returns false.
  // Order: by ID for All and IdPrefix; by index order otherwise (index.h).
  template <typename Fn>
  void for_each(by::All, Fn&& fn) const {
    by_id_.for_each(fn);
  }
  template <typename Fn>
  void for_each(by::IdPrefix q, Fn&& fn) const {
    by_id_.for_each_prefix(q.prefix, fn);
  }
  template <typename Fn>
  void for_each(by::NamePrefix q, Fn&& fn) const {
    static_assert(answers<by::Name>(), "this table has no names");
    internal::Dedup<T, (count_answering<by::Name>() > 1)> dedup;
    visit_indexes<by::Name>([&](const auto& index, auto) {
      bool go_on = true;
      index.for_each_prefix(q.prefix, [&](const Ptr& object) {
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
    internal::Dedup<T, (count_answering<Query>() > 1)> dedup;
    visit_indexes<Query>([&](const auto& index, auto def) {
      using Def = decltype(def);
      bool go_on = true;
      auto each = [&](const Ptr& object) {
        if (dedup.first(object.get())) go_on = fn(object);
        return go_on;
      };
      if constexpr (std::is_same_v<typename Def::Query, Query>) {
        index.for_each_equal(Def::key(q), each);
      } else {
        index.for_each_within(Def::key(q), Def::within(q), each);
      }
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
      if constexpr (std::is_same_v<typename Def::Query, Query>) {
        match = match || Def::key(object) == Def::key(q);
      } else {
        match = match || (Def::key(object) == Def::key(q) && Def::within(object) == Def::within(q));
      }
    });
    return match;
  }

  // True when some index answers selector Query.
  template <typename Query>
  static constexpr bool answers() {
    return count_answering<Query>() > 0;
  }

 private:
  template <typename Def, typename Query>
  static constexpr bool answers_with() {
    return std::is_same_v<typename Def::Query, Query> ||
           std::is_same_v<typename internal::SubQueryOf<Def>::type, Query>;
  }

  template <typename Query>
  static constexpr int count_answering() {
    return []<typename... Defs>(std::tuple<Defs...>*) {
      return (0 + ... + (answers_with<Defs, Query>() ? 1 : 0));
    }(static_cast<IndexDefs*>(nullptr));
  }

  // Calls fn(Def{}) for each index definition answering Query.
  template <typename Query, typename Fn>
  static void for_each_def(Fn&& fn) {
    [&]<typename... Defs>(std::tuple<Defs...>*) {
      auto one = [&](auto def) {
        if constexpr (answers_with<decltype(def), Query>()) fn(def);
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
        if constexpr (answers_with<Def, Query>()) {
          if (go_on) go_on = fn(std::get<Index<Def>>(indexes_), def);
        }
      };
      (one(Defs{}), ...);
    }(static_cast<IndexDefs*>(nullptr));
  }

  IdIndex<T> by_id_;
  typename internal::IndexesOf<IndexDefs>::type indexes_;
};

}  // namespace shoal::store
