// Indexes over a table's objects, built so that maintaining them rarely touches the objects.
//
// Every entry carries two integers next to the object pointer, and comparisons run on those
// integers; the objects themselves (a cache miss each) are read only to break a tie. With a
// million tasks this is what keeps an insert or a lookup at a few hundred nanoseconds.
//
//   IdIndex            by ID: entry {prefix of the ID, object}, 24 bytes; ordered by ID, so it
//                      also answers ID-prefix scans.
//   Index<Def>         a secondary index: entry {r1, r2, object}, 32 bytes. Two kinds:
//     kHashed   equality only: r1 = hash of the key, r2 = Def::within(object), an order
//               inside one key (a slot, or the ID's prefix); order (r1, r2, ID). Keys whose
//               hashes collide interleave, and queries check each object's key, so a collision
//               costs time, never correctness.
//     kOrdered  by key, case-insensitively (names): r1 = the folded 8-byte prefix of the key,
//               r2 = the ID's prefix; order (key, ID). Answers equality and prefix queries.
//
// A Def is a small struct:
//   using Object = api::Task;
//   using Query = by::Service;                   // the selector it answers
//   static constexpr IndexKind kKind = IndexKind::kHashed;
//   static Key key(const api::Task&);            // std::string_view, FoldedName or an enum
//   static Key key(const by::Service&);
//   static uint64_t within(const api::Task&);    // kHashed: order inside one key
//   using SubQuery = by::Slot;                   // optional: a (key, within) selector
//   static Key key(const by::Slot&); static uint64_t within(const by::Slot&);
//
// The table owns the objects through the entries' shared_ptrs (so a query hands out owning
// pointers without a second lookup). Thread safety: none; the table's owner guards it.
#pragma once

#include <absl/container/btree_set.h>
#include <absl/hash/hash.h>
#include <absl/strings/string_view.h>

#include <algorithm>
#include <compare>
#include <cstdint>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace shoal::store {

// A name compared ASCII-case-insensitively, as swarmkit compares names.
struct FoldedName {
  std::string_view text;
};
std::strong_ordering operator<=>(FoldedName a, FoldedName b);
inline bool operator==(FoldedName a, FoldedName b) { return (a <=> b) == 0; }
// True when `text` starts with `prefix`, case-insensitively.
bool folded_starts_with(std::string_view text, std::string_view prefix);

// The first 8 bytes of `s` as a big-endian integer (zero-padded): a < b ⇒ rank(a) <= rank(b).
inline uint64_t prefix_rank(std::string_view s) {
  uint64_t r = 0;
  for (size_t i = 0; i < 8; ++i) {
    r = (r << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
  }
  return r;
}
// The same over the ASCII-lower-cased bytes.
uint64_t prefix_rank(FoldedName name);

inline uint64_t key_hash(std::string_view s) {
  return absl::Hash<absl::string_view>{}(absl::string_view(s.data(), s.size()));
}
template <typename E>
requires std::is_enum_v<E> uint64_t key_hash(E e) { return static_cast<uint64_t>(e); }

enum class IndexKind { kHashed, kOrdered };

// The primary index: objects by ID.
template <typename T>
class IdIndex {
 public:
  using Ptr = std::shared_ptr<const T>;

  // The object with this ID, or nullptr.
  const Ptr* find(std::string_view id) const {
    auto it = set_.find(Probe{prefix_rank(id), id});
    return it == set_.end() ? nullptr : &it->object;
  }
  // REQUIRES: no object with this ID is in the index.
  void insert(const Ptr& object) { set_.insert(Entry{prefix_rank(object->ID), object}); }
  // Inserts many, in index order, so that consecutive inserts walk nearby nodes.
  void insert_many(const std::vector<Ptr>& objects) {
    std::vector<Entry> entries;
    entries.reserve(objects.size());
    for (const Ptr& object : objects) entries.push_back(Entry{prefix_rank(object->ID), object});
    std::sort(entries.begin(), entries.end(), Less());
    for (Entry& e : entries) set_.insert(std::move(e));
  }
  // The same, O(1) when objects arrive in ID order (loading a snapshot), else as insert().
  void insert_last(const Ptr& object) {
    set_.insert(set_.end(), Entry{prefix_rank(object->ID), object});
  }
  // REQUIRES: an object with new_object's ID is in the index.
  void replace(const Ptr& new_object) {
    // In place: the entry's order depends on the ID only, which does not change.
    auto it = set_.find(Probe{prefix_rank(new_object->ID), new_object->ID});
    it->object = new_object;
  }
  void erase(std::string_view id) { set_.erase(Probe{prefix_rank(id), id}); }
  size_t size() const { return set_.size(); }

  // fn(const Ptr&) for every object in ID order, until fn returns false.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const Entry& e : set_) {
      if (!fn(e.object)) return;
    }
  }
  // The same for IDs starting with `prefix`.
  template <typename Fn>
  void for_each_prefix(std::string_view prefix, Fn&& fn) const {
    for (auto it = set_.lower_bound(Probe{prefix_rank(prefix), prefix}); it != set_.end(); ++it) {
      if (!std::string_view(it->object->ID).starts_with(prefix) || !fn(it->object)) return;
    }
  }

 private:
  struct Entry {
    uint64_t rank;
    // Mutable so that replace() swaps the version in place; the entry's place depends on
    // the object's ID alone, which every version shares.
    mutable Ptr object;
  };
  struct Probe {
    uint64_t rank;
    std::string_view id;
  };
  struct Less {
    using is_transparent = void;
    static Probe probe(const Entry& e) { return {e.rank, e.object->ID}; }
    static const Probe& probe(const Probe& p) { return p; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      uint64_t ra = rank(a), rb = rank(b);
      if (ra != rb) return ra < rb;
      return probe(a).id < probe(b).id;
    }
    static uint64_t rank(const Entry& e) { return e.rank; }
    static uint64_t rank(const Probe& p) { return p.rank; }
  };

  absl::btree_set<Entry, Less> set_;
};

template <typename Def>
class Index {
 public:
  using T = typename Def::Object;
  using Ptr = std::shared_ptr<const T>;
  using Key = decltype(Def::key(std::declval<const T&>()));

  void insert(const Ptr& object) { set_.insert(entry(object)); }
  void erase(const Ptr& object) { set_.erase(entry(object)); }
  // Inserts many, in index order, so that consecutive inserts walk nearby nodes.
  void insert_many(const std::vector<Ptr>& objects) {
    std::vector<Entry> entries;
    entries.reserve(objects.size());
    for (const Ptr& object : objects) entries.push_back(entry(object));
    std::sort(entries.begin(), entries.end(), Less());
    for (Entry& e : entries) set_.insert(std::move(e));
  }
  // Builds the index from scratch over `objects` (sorted, then appended: O(n log n) with
  // sequential memory access, where n random inserts would miss the cache at every level).
  // REQUIRES: the index is empty.
  template <typename Range>
  void build(const Range& objects) {
    std::vector<Entry> entries;
    entries.reserve(objects.size());
    for (const Ptr& object : objects) entries.push_back(entry(object));
    std::sort(entries.begin(), entries.end(), Less());
    for (Entry& e : entries) set_.insert(set_.end(), std::move(e));
  }
  // REQUIRES: old_object is in the index; new_object has its ID.
  void replace(const Ptr& old_object, const Ptr& new_object) {
    Entry old_entry = entry(old_object);
    Entry new_entry = entry(new_object);
    auto it = set_.find(old_entry);
    bool same_place = old_entry.r1 == new_entry.r1 && old_entry.r2 == new_entry.r2 &&
                      Def::key(*old_object) == Def::key(*new_object);
    if (same_place) {
      it->object = new_object;  // same (r1, r2, key, ID): the entry keeps its place
      return;
    }
    set_.erase(it);
    set_.insert(std::move(new_entry));
  }
  size_t size() const { return set_.size(); }

  // fn(const Ptr&) for each object whose key equals `key`, until fn returns false.
  // kHashed: in (within, ID) order; kOrdered: in ID order.
  template <typename Fn>
  void for_each_equal(const Key& key, Fn&& fn) const {
    if constexpr (Def::kKind == IndexKind::kHashed) {
      uint64_t h = key_hash(key);
      for (auto it = set_.lower_bound(Probe{h, 0, key, {}}); it != set_.end() && it->r1 == h;
           ++it) {
        if (Def::key(*it->object) == key && !fn(it->object)) return;
      }
    } else {
      for (auto it = set_.lower_bound(Probe{prefix_rank(key), 0, key, {}}); it != set_.end();
           ++it) {
        if (Def::key(*it->object) != key || !fn(it->object)) return;
      }
    }
  }

  // kHashed: fn(const Ptr&) for each object with this key and this `within` value.
  template <typename Fn>
  void for_each_within(const Key& key, uint64_t within, Fn&& fn) const {
    static_assert(Def::kKind == IndexKind::kHashed);
    uint64_t h = key_hash(key);
    for (auto it = set_.lower_bound(Probe{h, within, key, {}});
         it != set_.end() && it->r1 == h && it->r2 == within; ++it) {
      if (Def::key(*it->object) == key && !fn(it->object)) return;
    }
  }

  // kOrdered: fn(const Ptr&) for each object whose key starts with `prefix` (folded), in
  // (key, ID) order.
  template <typename Fn>
  void for_each_prefix(std::string_view prefix, Fn&& fn) const {
    static_assert(Def::kKind == IndexKind::kOrdered);
    Key probe_key{prefix};
    for (auto it = set_.lower_bound(Probe{prefix_rank(probe_key), 0, probe_key, {}});
         it != set_.end(); ++it) {
      if (!folded_starts_with(Def::key(*it->object).text, prefix) || !fn(it->object)) return;
    }
  }

 private:
  struct Entry {
    uint64_t r1;
    uint64_t r2;
    // Mutable so that replace() swaps a version that keeps (r1, r2, key, ID) in place.
    mutable Ptr object;
  };
  // A position: (r1, r2, key, id); an empty id sorts before every object with that
  // (r1, r2, key).
  struct Probe {
    uint64_t r1;
    uint64_t r2;
    Key key;
    std::string_view id;
  };

  static Entry entry(const Ptr& object) {
    if constexpr (Def::kKind == IndexKind::kHashed) {
      return Entry{key_hash(Def::key(*object)), Def::within(*object), object};
    } else {
      return Entry{prefix_rank(Def::key(*object)), prefix_rank(object->ID), object};
    }
  }

  struct Less {
    using is_transparent = void;
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.r1 != b.r1) return a.r1 < b.r1;
      if constexpr (Def::kKind == IndexKind::kOrdered) {
        auto order = Def::key(*a.object) <=> Def::key(*b.object);
        if (order != 0) return order < 0;
      }
      if (a.r2 != b.r2) return a.r2 < b.r2;
      return a.object->ID < b.object->ID;
    }
    bool operator()(const Entry& a, const Probe& b) const { return compare(a, b) < 0; }
    bool operator()(const Probe& a, const Entry& b) const { return compare(b, a) > 0; }

    // Entry against a probe; a probe's empty id is below every ID.
    static int compare(const Entry& a, const Probe& b) {
      if (a.r1 != b.r1) return a.r1 < b.r1 ? -1 : 1;
      if constexpr (Def::kKind == IndexKind::kOrdered) {
        auto order = Def::key(*a.object) <=> b.key;
        if (order != 0) return order < 0 ? -1 : 1;
        return 1;  // probes carry no ID: the first entry of a key is above them
      } else {
        if (a.r2 != b.r2) return a.r2 < b.r2 ? -1 : 1;
        return 1;
      }
    }
  };

  absl::btree_set<Entry, Less> set_;
};

}  // namespace shoal::store
