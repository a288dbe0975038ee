// Secondary indexes: ordered sets of pointers into the table's objects.
//
// An Index<Def> keeps the table's std::shared_ptr<const T> ordered by (Def::key(object),
// object.ID) in an absl::btree_set: 16 bytes per entry, keys are read through the pointers
// (views into the immutable objects), so a million tasks cost little beyond the pointers.
// Holding shared_ptrs lets a query hand out owning pointers without a second lookup.
//
// A Def is a small struct:
//   using Object = api::Task;
//   using Query = by::Service;                          // the selector it answers
//   static Key key(const api::Task&);                   // Key: ordered, cheap (views)
//   static Key key(const by::Service&);
//   static constexpr bool kPrefix = false;              // true: also answers a prefix query
//
// Thread safety: none; the table's owner guards it.
#pragma once

#include <absl/container/btree_set.h>

#include <compare>
#include <memory>
#include <string_view>

namespace shoal::store {

// A name compared ASCII-case-insensitively, as swarmkit compares names.
struct FoldedName {
  std::string_view text;
};
std::strong_ordering operator<=>(FoldedName a, FoldedName b);
inline bool operator==(FoldedName a, FoldedName b) { return (a <=> b) == 0; }
// True when `text` starts with `prefix`, case-insensitively.
bool folded_starts_with(std::string_view text, std::string_view prefix);

template <typename Def>
class Index {
 public:
  using T = typename Def::Object;
  using Ptr = std::shared_ptr<const T>;
  using Key = decltype(Def::key(std::declval<const T&>()));

  // REQUIRES: no object with this ID is in the index.
  void insert(const Ptr& object) { set_.insert(object); }
  // REQUIRES: `object` is in the index.
  void erase(const Ptr& object) { set_.erase(object); }
  // Replaces `old_object` by `new_object` (same ID). REQUIRES: `old_object` is in the index.
  void replace(const Ptr& old_object, const Ptr& new_object) {
    auto it = set_.find(old_object);
    it = set_.erase(it);
    if (Def::key(*old_object) == Def::key(*new_object)) {
      set_.insert(it, new_object);  // same position: amortized O(1)
    } else {
      set_.insert(new_object);
    }
  }
  void clear() { set_.clear(); }
  size_t size() const { return set_.size(); }

  // Calls fn(const Ptr&) for each object whose key equals `key`, in ID order, until fn
  // returns false.
  template <typename Fn>
  void for_each_equal(const Key& key, Fn&& fn) const {
    for (auto it = set_.lower_bound(Probe{key}); it != set_.end(); ++it) {
      if (Def::key(**it) != key || !fn(*it)) return;
    }
  }

  // Calls fn(const Ptr&) from the first object whose key is not below `key`, in order,
  // until fn returns false. Prefix scans use this.
  template <typename Fn>
  void for_each_from(const Key& key, Fn&& fn) const {
    for (auto it = set_.lower_bound(Probe{key}); it != set_.end(); ++it) {
      if (!fn(*it)) return;
    }
  }

 private:
  struct Probe {
    Key key;
  };
  struct Less {
    using is_transparent = void;
    bool operator()(const Ptr& a, const Ptr& b) const {
      auto order = Def::key(*a) <=> Def::key(*b);
      if (order != 0) return order < 0;
      return a->ID < b->ID;
    }
    bool operator()(const Ptr& a, const Probe& b) const { return Def::key(*a) < b.key; }
    bool operator()(const Probe& a, const Ptr& b) const { return a.key < Def::key(*b); }
  };

  absl::btree_set<Ptr, Less> set_;
};

}  // namespace shoal::store
