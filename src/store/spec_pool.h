// SpecPool: task specs shared by content, stored once.
//
// Tasks of one service version share one immutable api::TaskSpec. The pool keeps one entry per
// distinct spec content, keyed by a content hash (its "ref": the first 128 bits of the SHA-256
// of the spec's record, in hex). A task record stores the ref instead of the spec, and the
// datastore table "task_specs" holds each spec's record once.
//
// Invariants (between transactions):
//   - every committed task's Spec pointer is the `spec` of exactly one entry (canonical);
//   - entry.refs == the number of committed tasks pointing at it;
//   - entry.persisted == (refs > 0), except for entries interned by the open transaction
//     (refs 0, not persisted) and orphans found at load (refs 0, persisted, deleted by the
//     next commit).
// A commit computes the change of refs per entry (Delta); entries going from 0 to >0 are
// written in the same datastore batch as the tasks that use them, entries going to 0 are
// deleted in it, so the datastore never holds a task without its spec, and only briefly (a
// crash between an orphan's creation and the next commit is impossible: both are in one
// batch) a spec without a task.
//
// Thread safety: none; used only by the store's single writer (and by open()).
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/node_hash_map.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/task_spec.h"
#include "common/status.h"
#include "store/datastore/datastore.h"

namespace shoal::store {

inline constexpr std::string_view kTaskSpecsTable = "task_specs";

class SpecPool {
 public:
  struct Entry {
    std::shared_ptr<const api::TaskSpec> spec;  // canonical
    std::string ref;                            // key in kTaskSpecsTable
    std::string record;                         // encoded spec, kept until persisted
    int64_t refs = 0;                           // committed tasks pointing at spec
    bool persisted = false;
  };

  // A transaction's cache of caller-made spec pointers already interned: keeps the pointer
  // alive so that its address cannot be reused while it is a key.
  using Aliases = absl::flat_hash_map<const api::TaskSpec*,
                                      std::pair<std::shared_ptr<const api::TaskSpec>, Entry*>>;

  // Net change of refs per entry in one commit.
  using Delta = absl::flat_hash_map<Entry*, int64_t>;

  // The entry for `spec`'s content, creating it (refs 0) if new. A canonical pointer is found
  // at once; another pointer is encoded and hashed once per transaction (then cached in
  // `aliases`). REQUIRES: spec != nullptr.
  Entry* intern(const std::shared_ptr<const api::TaskSpec>& spec, Aliases* aliases);

  // The entry whose canonical spec is `spec`, or nullptr.
  Entry* find(const api::TaskSpec* spec) const;

  // Loading (replay): a persisted spec record; a second put of a known ref is a no-op.
  // Errors: kInternal for a corrupt record.
  Status load(std::string_view ref, std::string_view record);
  // Loading (replay): a spec record's deletion. Errors: kInternal if tasks still use it.
  Status unload(std::string_view ref);
  // Loading: the spec a loaded task refers to, counting the reference.
  // Errors: kInternal "task spec <ref> is missing".
  Result<std::shared_ptr<const api::TaskSpec>> resolve(std::string_view ref);
  // Loading: a loaded task that used `spec` was replaced or deleted.
  void release(const api::TaskSpec* spec);
  // Loading done: persisted specs no task refers to are deleted by the next commit.
  void finish_load();

  // The datastore mutations `delta` needs: puts of specs that become used (they must precede
  // the tasks in the batch) and deletes of specs no longer used, and of orphans found at
  // load (they go after the tasks).
  void add_mutations(const Delta& delta, std::vector<Mutation>* puts,
                     std::vector<Mutation>* deletes) const;

  // Every spec committed tasks use, with its ref (for a snapshot).
  std::vector<std::pair<std::string, std::shared_ptr<const api::TaskSpec>>> used() const;
  // Applies a durable commit's delta and drops entries no committed task refers to.
  void apply(const Delta& delta);
  // Drops entries interned since the last sweep that no committed task refers to (those of
  // a transaction that failed or deleted what it created). Called when a transaction ends.
  void sweep();

  size_t size() const { return by_ref_.size(); }

 private:
  void erase_unused(const std::string& ref);

  absl::node_hash_map<std::string, Entry> by_ref_;
  absl::flat_hash_map<const api::TaskSpec*, Entry*> by_ptr_;
  std::vector<std::string> orphans_;  // persisted, unreferenced at load
  std::vector<std::string> fresh_;    // interned since the last sweep()
};

}  // namespace shoal::store
