// EtcdDatastore: the store's durability seam (store/datastore/datastore.h) on etcd v3, for
// managers that share one replicated state.
//
// Layout under a prefix P (default "/shoal/"):
//   P "r/" <table> "/" <key>   one record, its encoded bytes as the value
//   P "revision"               the store revision of the last commit, in decimal
// A commit is one etcd transaction: its puts and deletes and the new revision, conditioned
// on the revision key's mod_revision being the one this datastore last read or wrote. So a
// commit is all or nothing, and a writer that has fallen behind another (a deposed leader)
// can never overwrite what it has not seen: its commit fails and it must reload. A leader
// also fences its commits on its election key (fence_on): once its lease has expired, its
// commits fail even if no other manager has written yet.
//
// What etcd bounds: one transaction holds at most the server's --max-txn-ops operations and
// --max-request-bytes bytes (etcd's defaults, 128 and 1.5 MiB, are too small for a store
// batch; the members shoal runs raise them, see etcd/member.h). A batch over those limits is
// refused as a whole with kInvalidArgument naming the setting; nothing is split, so nothing
// is half-applied. etcd keeps the history of every write: the datastore compacts it every
// `compact_every` revisions, keeping the last `keep_revisions` for watchers.
//
// Durability: acknowledged once a quorum of members has it in their write-ahead logs
// (fsynced), which is etcd's guarantee; see docs/store.md.
//
// Thread safety: as the Datastore contract (one committing thread at a time).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/mutex.h"
#include "etcd/client.h"
#include "etcd/leadership.h"
#include "etcd/watcher.h"
#include "store/datastore/datastore.h"

namespace shoal::etcd {

struct EtcdDatastoreOptions {
  ClientOptions client;
  std::string prefix = "/shoal/";
  int64_t load_page_keys = 2000;  // keys per range call while loading
  int64_t compact_every = 10000;  // etcd revisions between compactions
  int64_t keep_revisions = 1000;  // history left behind each compaction
};

class EtcdDatastore final : public store::Datastore {
 public:
  explicit EtcdDatastore(EtcdDatastoreOptions options);

  // Reads every record at one etcd revision (a consistent view, in pages).
  // Errors: kUnavailable (etcd unreachable; or the view was compacted while loading: retry),
  // kInternal (a key or the revision record is not shoal's), fn's error.
  Result<uint64_t> load(const store::LoadFn& fn) override;
  // Errors: as the Datastore contract; kUnavailable also when another writer committed since
  // this one loaded, or the leadership it is fenced on has ended (nothing was written; every
  // later commit fails until a reload).
  Status commit(const store::CommitBatch& batch) override;

  // From now on a commit lands only while `leader` is still the election's key (its create
  // revision unchanged): a leader whose lease expired cannot write, even before it notices.
  void fence_on(const LeaderKey& leader);

  // ---- For a follower (etcd/follower.h), which applies the leader's commits to its store.

  // The etcd revision the store above is level with — that of its last load(), commit or
  // followed() commit: a follower watches the changes after it.
  int64_t level_at() const;
  // The ID of the etcd cluster the last load() read from (0 before a load): two managers
  // share a store exactly when theirs are equal.
  uint64_t etcd_cluster_id() const;
  // A commit as the Watcher delivers it, for Store::apply_replicated: its store revision and
  // its records (views into `watched`, in the transaction's order).
  // Errors: kInternal (a key under the prefix that is not a record, a record without a table
  // or key, no or a bad revision record).
  Status decode_commit(const WatchedRevision& watched, uint64_t* store_revision,
                       std::vector<store::Record>* records) const;
  // The follower's store has applied the commit of `etcd_revision` (store revision
  // `store_revision`): the datastore is level with it, so the commits it makes once its
  // manager leads are fenced on what the store has seen.
  void followed(uint64_t store_revision, int64_t etcd_revision);

 private:
  // After a commit whose answer was lost: did it land? Reads the revision key.
  Status resolve_unknown(const store::CommitBatch& batch, const Status& cause) REQUIRES(mu_);
  void maybe_compact(int64_t etcd_revision) REQUIRES(mu_);
  // After a refused commit: is it because the fenced-on leadership is gone?
  bool leadership_ended() REQUIRES(mu_);

  const EtcdDatastoreOptions options_;
  const std::string records_prefix_;  // P "r/"
  const std::string revision_key_;    // P "revision"
  Client client_;

  mutable Mutex mu_;  // the committing thread's state; load() and commit() never overlap
  uint64_t last_revision_ GUARDED_BY(mu_) = 0;       // store revision of the last commit
  int64_t fence_ GUARDED_BY(mu_) = 0;                // mod_revision of the revision key we last saw
  int64_t compacted_ GUARDED_BY(mu_) = 0;            // etcd revision of the last compaction
  int64_t loaded_at_ GUARDED_BY(mu_) = 0;            // etcd revision the last load read at
  uint64_t etcd_cluster_id_ GUARDED_BY(mu_) = 0;     // from the last load's answers
  std::string failed_ GUARDED_BY(mu_);               // why commits are refused until a reload
  std::optional<LeaderKey> leader_ GUARDED_BY(mu_);  // the leadership commits are fenced on
};

}  // namespace shoal::etcd
