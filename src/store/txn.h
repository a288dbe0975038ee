// Transactions: ReadTxn, a consistent snapshot of every table; WriteTxn, a ReadTxn that also
// buffers creates, updates and deletes, sees them in its own reads, and commits them
// atomically (Store::update, Store::batch).
//
// Reading (both kinds):
//   get<T>(id)              the object with this exact ID, or nullptr
//   for_each<T>(sel, fn)    fn(const std::shared_ptr<const T>&) for each object `sel` picks
//                           (query.h); fn may return bool, false stops the walk
//   find<T>(sel)            the same, collected into a vector
//   count<T>(sel)
//   lookup<T>(ref)          Docker's reference resolution: exact ID, else exact name, else
//                           unique ID prefix. Errors: kNotFound "<kind> <ref> not found";
//                           kInvalidArgument "<kind> <ref> is ambiguous (<n> matches found)"
//                           when the name or the prefix matches n > 1 objects.
// Order of results: by ID, except by::Service (by slot, then ID), by::Name and by::NamePrefix
// (by name, then ID; a node's Spec.Name matches before its hostname matches); in a WriteTxn,
// the objects it changed come after the unchanged ones, by ID.
// Returned pointers are owning and immutable: they stay valid after the transaction ends.
//
// Writing (WriteTxn), each a no-op on error:
//   create(T)   stamps Version.Index = revision(), CreatedAt = UpdatedAt = now().
//               Errors: kInvalidArgument "<kind> has no ID"; kAlreadyExists "<kind> <id>
//               already exists"; for services, networks, secrets, configs and the cluster a
//               name held by another object, case-insensitively: kAlreadyExists with the
//               table's text (services.h, networks.h, ...).
//   update(T)   optimistic concurrency: T's Version.Index must equal the current object's
//               (as this transaction sees it). Stamps Version.Index = revision(), keeps
//               CreatedAt, sets UpdatedAt = now().
//               Errors: kNotFound "<kind> <id> not found"; kOutOfSequence "update out of
//               sequence" (stale version); the name conflict of create().
//   remove<T>(id)  Errors: kNotFound "<kind> <id> not found".
// Tasks: the task's Spec is replaced by the store's canonical spec of equal content
// (spec_pool.h), so callers may build a fresh TaskSpec per service version.
//
// Thread safety: a transaction belongs to the thread that runs it (and must be destroyed
// there). A ReadTxn holds the store's shared lock for its whole life: keep it short (commits
// wait for it), and do not start a write on the same thread while holding one
// (Store::update refuses). Nested ReadTxns on one thread are fine: they share the lock.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/synchronization/mutex.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "store/query.h"
#include "store/spec_pool.h"
#include "store/tables.h"

namespace shoal::store {

namespace internal {

// absl's hash containers take absl::string_view (a distinct type in this abseil build).
inline absl::string_view key_of(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// One object a write transaction touched.
template <typename T>
struct Pending {
  std::shared_ptr<const T> before;  // the committed version; null if there is none
  std::shared_ptr<const T> after;   // the version in the transaction; null once deleted
  std::shared_ptr<const T> anchor;  // holds the ID the map key views: before, else the first after
};
// Keyed by a view of anchor->ID: no copy of the ID, no node allocation.
template <typename T>
using PendingMap = absl::flat_hash_map<absl::string_view, Pending<T>>;

// How to undo one change of a Batch unit.
struct Undo {
  Kind kind;
  absl::string_view key;
  bool inserted;                      // the entry was new: erase it
  std::shared_ptr<const void> after;  // else: its previous `after`
};

// A write transaction's changes, coalesced per object.
class Overlay {
 public:
  template <typename T>
  PendingMap<T>& of() {
    return std::get<PendingMap<T>>(maps_);
  }
  template <typename T>
  const PendingMap<T>& of() const {
    return std::get<PendingMap<T>>(maps_);
  }

  // Objects in the order they were first touched; the views point at the anchors' IDs.
  std::vector<std::pair<Kind, std::string_view>> order;

 private:
  std::tuple<PendingMap<api::Swarm>, PendingMap<api::Node>, PendingMap<api::Service>,
             PendingMap<api::Task>, PendingMap<api::Network>, PendingMap<api::Secret>,
             PendingMap<api::Config>>
      maps_;
};

// Read transactions the calling thread holds (any store), so that a write on the same
// thread can refuse instead of deadlocking.
int read_txns_held_by_this_thread();

// Calls fn(object) and returns its bool result, or true for a void fn.
template <typename Fn, typename Ptr>
bool call_continue(Fn& fn, const Ptr& object) {
  if constexpr (std::is_same_v<std::invoke_result_t<Fn&, const Ptr&>, bool>) {
    return fn(object);
  } else {
    fn(object);
    return true;
  }
}

}  // namespace internal

class ReadTxn {
 public:
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;
  ~ReadTxn();

  // The store revision this snapshot shows. In a WriteTxn: the revision its commit will
  // produce (and the Version.Index of every object it writes).
  uint64_t revision() const { return revision_; }

  template <typename T>
  std::shared_ptr<const T> get(std::string_view id) const {
    if (overlay_ != nullptr) {
      const auto& pending = overlay_->of<T>();
      if (!pending.empty()) {
        auto it = pending.find(internal::key_of(id));
        if (it != pending.end()) return it->second.after;
      }
    }
    const auto* object = tables_.of<T>().get(id);
    return object != nullptr ? *object : nullptr;
  }

  template <typename T, typename Query, typename Fn>
  void for_each(const Query& q, Fn&& fn) const {
    using Ptr = std::shared_ptr<const T>;
    const Table<T>& table = tables_.of<T>();
    const internal::PendingMap<T>* pending = overlay_ != nullptr ? &overlay_->of<T>() : nullptr;
    if (pending == nullptr || pending->empty()) {
      table.for_each(q, [&](const Ptr& object) { return internal::call_continue(fn, object); });
      return;
    }
    bool go_on = true;
    table.for_each(q, [&](const Ptr& object) {
      if (pending->contains(object->ID)) return true;  // reported below as changed
      go_on = internal::call_continue(fn, object);
      return go_on;
    });
    if (!go_on) return;
    std::vector<const Ptr*> changed;
    for (const auto& [id, p] : *pending) {
      if (p.after && Table<T>::matches(*p.after, q)) changed.push_back(&p.after);
    }
    std::sort(changed.begin(), changed.end(),
              [](const Ptr* a, const Ptr* b) { return (*a)->ID < (*b)->ID; });
    for (const Ptr* object : changed) {
      if (!internal::call_continue(fn, *object)) return;
    }
  }

  template <typename T, typename Query = by::All>
  std::vector<std::shared_ptr<const T>> find(const Query& q = Query{}) const {
    std::vector<std::shared_ptr<const T>> out;
    for_each<T>(q, [&](const std::shared_ptr<const T>& object) { out.push_back(object); });
    return out;
  }

  template <typename T, typename Query = by::All>
  size_t count(const Query& q = Query{}) const {
    if constexpr (std::is_same_v<Query, by::All>) {
      if (overlay_ == nullptr || overlay_->of<T>().empty()) return tables_.of<T>().size();
    }
    size_t n = 0;
    for_each<T>(q, [&](const std::shared_ptr<const T>&) { ++n; });
    return n;
  }

  template <typename T>
  Result<std::shared_ptr<const T>> lookup(std::string_view ref) const;

 protected:
  // A WriteTxn's view: committed tables under `overlay`.
  ReadTxn(const Tables& tables, uint64_t revision, const internal::Overlay* overlay)
      : tables_(tables), held_(nullptr), snapshot_(false), revision_(revision), overlay_(overlay) {}

  const Tables& tables_;

 private:
  friend class Store;
  // A snapshot: locks `mu` shared, unless this thread already holds it through another
  // ReadTxn (nested views share the outer lock: taking a reader lock twice could deadlock
  // behind a waiting writer), then reads the revision under it.
  ReadTxn(const Tables& tables, absl::Mutex* mu, const std::atomic<uint64_t>* revision);

  std::shared_ptr<const api::Task> find_task_by_name(std::string_view name) const;

  absl::Mutex* const held_;  // locked shared by this object (and unlocked by it), or null
  const bool snapshot_;      // false in a WriteTxn
  const uint64_t revision_;
  const internal::Overlay* const overlay_;  // null in a snapshot
};

class WriteTxn : public ReadTxn {
 public:
  template <typename T>
  Status create(T object);
  template <typename T>
  Status update(T object);
  template <typename T>
  Status remove(std::string_view id);

  // Objects changed so far (each counted once).
  size_t changes() const { return overlay_.order.size(); }
  // The time this transaction stamps on what it writes.
  Timestamp now() const { return now_; }

 private:
  friend class Store;
  friend class Batch;
  WriteTxn(const Tables& tables, uint64_t revision, Timestamp now, SpecPool* pool)
      : ReadTxn(tables, revision, &overlay_), pool_(pool), now_(now) {}

  // An object as this transaction sees it, and whether the overlay holds it.
  template <typename T>
  struct Current {
    std::shared_ptr<const T> object;  // null: absent (or deleted in this transaction)
    bool pending = false;             // false: `object` is the committed one
  };
  template <typename T>
  Current<T> current(std::string_view id) const;
  template <typename T>
  Status check_name(const T& object) const;
  // Records `after` (null: deleted) as the object's new version; `found` is current(id).
  template <typename T>
  void put(std::string_view id, std::shared_ptr<const T> after, const Current<T>& found);
  void canonicalize(api::Task& task);

  // Units of a Batch: changes between begin_unit() and rollback_unit() are undone.
  void begin_unit();
  void end_unit();
  void rollback_unit();

  internal::Overlay overlay_;
  SpecPool* const pool_;
  SpecPool::Aliases aliases_;
  const Timestamp now_;
  bool recording_ = false;
  size_t unit_start_ = 0;
  std::vector<internal::Undo> undo_;
};

// ---------------------------------------------------------------------------------------------
// Template definitions.

template <typename T>
Result<std::shared_ptr<const T>> ReadTxn::lookup(std::string_view ref) const {
  std::string_view kind = kind_name(kind_of<T>);
  if (auto object = get<T>(ref)) return object;
  if (!ref.empty()) {
    if constexpr (Table<T>::template answers<by::Name>()) {
      auto named = find<T>(by::Name{ref});
      if (named.size() == 1) return named.front();
      if (named.size() > 1) {
        return error(Code::kInvalidArgument, "{} {} is ambiguous ({} matches found)", kind, ref,
                     named.size());
      }
    } else if constexpr (std::is_same_v<T, api::Task>) {
      if (auto task = find_task_by_name(ref)) return task;
    }
    std::shared_ptr<const T> match;
    size_t matches = 0;
    for_each<T>(by::IdPrefix{ref}, [&](const std::shared_ptr<const T>& object) {
      match = object;
      ++matches;
    });
    if (matches == 1) return match;
    if (matches > 1) {
      return error(Code::kInvalidArgument, "{} {} is ambiguous ({} matches found)", kind, ref,
                   matches);
    }
  }
  return error(Code::kNotFound, "{} {} not found", kind, ref);
}

template <typename T>
Status WriteTxn::check_name(const T& object) const {
  if constexpr (TableTraits<T>::kUniqueNames) {
    std::string_view name = TableTraits<T>::name(object);
    if (name.empty()) return Status::ok();
    bool taken = false;
    for_each<T>(by::Name{name}, [&](const std::shared_ptr<const T>& other) {
      taken = other->ID != object.ID;
      return !taken;
    });
    if (taken) return TableTraits<T>::name_conflict(name);
  }
  return Status::ok();
}

template <typename T>
WriteTxn::Current<T> WriteTxn::current(std::string_view id) const {
  const auto& pending = overlay_.of<T>();
  if (!pending.empty()) {
    auto it = pending.find(internal::key_of(id));
    if (it != pending.end()) return {it->second.after, true};
  }
  const auto* committed = tables_.of<T>().get(id);
  return {committed != nullptr ? *committed : nullptr, false};
}

template <typename T>
Status WriteTxn::create(T object) {
  std::string_view kind = kind_name(kind_of<T>);
  if (object.ID.empty()) return error(Code::kInvalidArgument, "{} has no ID", kind);
  Current<T> found = current<T>(object.ID);
  if (found.object) {
    return error(Code::kAlreadyExists, "{} {} already exists", kind, object.ID);
  }
  SHOAL_RETURN_IF_ERROR(check_name(object));
  object.Version.Index = revision();
  object.CreatedAt = now_;
  object.UpdatedAt = now_;
  if constexpr (std::is_same_v<T, api::Task>) canonicalize(object);
  auto created = std::make_shared<const T>(std::move(object));
  std::string_view id = created->ID;
  put<T>(id, std::move(created), found);
  return Status::ok();
}

template <typename T>
Status WriteTxn::update(T object) {
  Current<T> found = current<T>(object.ID);
  const std::shared_ptr<const T>& current = found.object;
  if (!current) {
    return error(Code::kNotFound, "{} {} not found", kind_name(kind_of<T>), object.ID);
  }
  if (object.Version.Index != current->Version.Index) {
    return Status(Code::kOutOfSequence, "update out of sequence");
  }
  if (FoldedName{TableTraits<T>::name(object)} != FoldedName{TableTraits<T>::name(*current)}) {
    SHOAL_RETURN_IF_ERROR(check_name(object));
  }
  object.Version.Index = revision();
  object.CreatedAt = current->CreatedAt;
  object.UpdatedAt = now_;
  if constexpr (std::is_same_v<T, api::Task>) canonicalize(object);
  auto updated = std::make_shared<const T>(std::move(object));
  std::string_view id = updated->ID;
  put<T>(id, std::move(updated), found);
  return Status::ok();
}

template <typename T>
Status WriteTxn::remove(std::string_view id) {
  Current<T> found = current<T>(id);
  if (!found.object) return error(Code::kNotFound, "{} {} not found", kind_name(kind_of<T>), id);
  put<T>(id, nullptr, found);
  return Status::ok();
}

template <typename T>
void WriteTxn::put(std::string_view id, std::shared_ptr<const T> after, const Current<T>& found) {
  auto& pending = overlay_.of<T>();
  if (found.pending) {
    auto it = pending.find(internal::key_of(id));
    if (recording_) undo_.push_back(internal::Undo{kind_of<T>, it->first, false, it->second.after});
    it->second.after = std::move(after);
    return;
  }
  internal::Pending<T> p;
  p.before = found.object;  // the committed version, or null
  p.anchor = p.before ? p.before : after;
  p.after = std::move(after);
  absl::string_view key = internal::key_of(p.anchor->ID);
  pending.emplace(key, std::move(p));
  overlay_.order.emplace_back(kind_of<T>, std::string_view(key.data(), key.size()));
  if (recording_) undo_.push_back(internal::Undo{kind_of<T>, key, true, nullptr});
}

}  // namespace shoal::store
