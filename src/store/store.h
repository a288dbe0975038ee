// Store: shoal's in-memory, typed object database with durable backing.
//
// The store holds every cluster, node, service, task, network, secret and config in memory
// (tables.h; one table per kind with its indexes) and makes each write durable through a
// Datastore (datastore/datastore.h; SQLite by default) before anyone can see it.
//
//   - Reads are consistent snapshots (ReadTxn, txn.h).
//   - Writes are atomic transactions (WriteTxn) run one at a time. The store revision counts
//     committed transactions; the commit's revision becomes the Version.Index of every object
//     it wrote, and UpdatedAt/CreatedAt come from the Clock passed to open().
//   - Commit order: the callback's changes are encoded and written to the datastore in one
//     datastore transaction; only when that returns OK (durable) are they applied to the
//     in-memory tables under the exclusive lock, the revision bumped and one Changes value
//     published to watchers (watch.h) — all under that lock, so a reader sees a commit's
//     changes all or none, and view_and_watch() can pair a snapshot with exactly the commits
//     after it. update() returns OK only after that point: acknowledged means durable and
//     visible.
//   - A transaction whose callback fails, or whose datastore commit fails, leaves nothing in
//     memory and nothing in the datastore; the error is returned.
//   - open() loads everything from the datastore, so a reopened store has the same objects
//     (equal field by field) and the same revision it had when closed or killed.
//   - When the datastore asks for a snapshot (a log-structured one, after its log has grown),
//     the store copies its table pointers after a commit (tens of ms per million objects,
//     added to that commit's latency, readers not blocked) and a background thread encodes
//     them and hands them to Datastore::write_snapshot, while commits go on.
//
// Durability: what an acknowledged write survives is the datastore's promise. SqliteDatastore
// (WAL, synchronous=FULL) makes it survive kill -9 and power loss; see datastore/sqlite.h and
// docs/store.md.
//
// Thread safety: all methods are thread-safe. Readers run in parallel with each other and
// with the preparation and the datastore commit of a write; they wait only for the short
// in-memory apply step. A thread that holds a ReadTxn must not call update()/batch() (they
// return kFailedPrecondition instead of deadlocking), nor may an update callback call them.
#pragma once

#include <absl/synchronization/mutex.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "common/mutex.h"
#include "common/status.h"
#include "common/time.h"
#include "store/datastore/datastore.h"
#include "store/spec_pool.h"
#include "store/tables.h"
#include "store/txn.h"
#include "store/watch.h"

namespace shoal::store {

struct StoreOptions {
  // A Batch commits whenever its open transaction holds this many changed objects.
  size_t max_changes_per_commit = 10000;
};

class Batch;

namespace internal {
// kFailedPrecondition when the calling thread may not start a store write: it is inside one,
// or holds a ReadTxn (it would deadlock).
Status check_write_thread();
}  // namespace internal

class Store {
 public:
  // Loads every object and the revision from `datastore`.
  // Errors: the datastore's read errors; kInternal for a record that does not decode, or a
  // task whose spec is missing.
  static Result<std::unique_ptr<Store>> open(std::unique_ptr<Datastore> datastore,
                                             std::shared_ptr<const Clock> clock,
                                             StoreOptions options = {});
  ~Store();  // close()
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // A snapshot of every table. Holds the shared lock until destroyed: keep it short.
  ReadTxn view() const;

  // Runs fn in a write transaction and commits its changes if fn returns OK. A transaction
  // that changes nothing commits nothing (no revision).
  // Returns OK once the changes are durable and visible. Errors: fn's error (nothing
  // applied); the datastore's commit error (nothing applied); kUnavailable "store is
  // closed"; kFailedPrecondition when this thread holds a ReadTxn or is inside update().
  Status update(const std::function<Status(WriteTxn&)>& fn);

  // Many small updates in few commits: fn calls Batch::update for each unit (e.g. one task);
  // the units share a transaction that commits every max_changes_per_commit changed objects
  // and at the end, so 10,000 task writes cost one datastore commit. Each commit is atomic;
  // the batch as a whole is not (units committed before a failure stay committed).
  // Returns fn's error if it fails (units accepted so far are still committed), else the
  // first commit error (later units are refused with it), else OK once all is durable.
  // Errors as update().
  Status batch(const std::function<Status(Batch&)>& fn);

  // A subscription to every commit after this call.
  Watch watch(WatchFilter filter = {}, WatchOptions options = {});

  // Calls fn with a snapshot and returns a watch that delivers exactly the commits after
  // that snapshot (none missed, none repeated): a reconciler's start. Errors: fn's error
  // (no watch then).
  Result<Watch> view_and_watch(const std::function<Status(const ReadTxn&)>& fn,
                               WatchFilter filter = {}, WatchOptions options = {});

  // ---- Following another writer (a follower manager; docs/ha.md). Implemented in
  // replication.cc.

  // Applies one commit that another store made through the shared datastore, as read back
  // from it (e.g. an etcd watch): its records (table, key, encoded value; any order) change
  // the tables and indexes as if committed here, revision() becomes `revision`, and watchers
  // get one Changes. Nothing is written to the datastore.
  // Errors: kFailedPrecondition (revision not after revision()); kInternal (a record that
  // does not decode, a task whose spec is missing, a delete of an unknown object, a key twice):
  // the tables are unchanged, but the spec pool may not be: reload() before going on.
  // Errors also as update() (closed; this thread holds a ReadTxn).
  Status apply_replicated(uint64_t revision, const std::vector<Record>& records);

  // Replaces every table with what the datastore holds now (its load() again) — for a
  // follower that lost track of the writer (its watch was compacted away) or hit an error.
  // Every open watch ends with WatchState::kOverflowed, so each consumer takes a fresh
  // snapshot. On error the store keeps its old state. Errors: as open(); as update().
  Status reload();

  // From now on update() and batch() fail with `why` (a follower refers writers to its
  // leader) until accept_writes(). Waits for a running write. REQUIRES: why is not OK.
  void refuse_writes(Status why);
  void accept_writes();

  // The revision of the last commit.
  uint64_t revision() const { return revision_.load(std::memory_order_acquire); }

  // Refuses later writes (kUnavailable), closes every watch, and waits for a running write
  // and a running snapshot. Reads keep working. Idempotent. REQUIRES: the calling thread
  // holds no ReadTxn and is not inside update()/batch().
  void close();

  // Waits for a running background snapshot; returns the result of the last snapshot (OK if
  // none ran): a failed snapshot only means the datastore keeps its longer log. For tests
  // and operators' status pages. Errors also: kFailedPrecondition as update().
  Status wait_for_snapshot();

 private:
  friend class Batch;
  Store(std::unique_ptr<Datastore> datastore, std::shared_ptr<const Clock> clock,
        StoreOptions options);

  Status load();
  // load() into fresh tables and spec pool, swapped in whole on success.
  Status load_into(Tables* tables, SpecPool* specs, uint64_t* revision) REQUIRES(writer_mu_);
  void maybe_snapshot() REQUIRES(writer_mu_);
  Status writable() const REQUIRES(writer_mu_);
  std::unique_ptr<WriteTxn> begin() REQUIRES(writer_mu_);
  // Commits and ends `tx`.
  Status commit(WriteTxn& tx) REQUIRES(writer_mu_);
  struct Encoded;
  template <typename T>
  void collect(const internal::PendingMap<T>& pending, std::string_view id, Encoded* out,
               Changes* changes, SpecPool::Delta* delta) REQUIRES(writer_mu_);
  // The tables as the writer reads them: every change to them holds writer_mu_ (and mu_
  // exclusively to apply it), so the writer may read them without mu_ — which the analysis
  // cannot express (a field written under two locks, read under either).
  const Tables& writer_tables() const REQUIRES(writer_mu_) NO_THREAD_SAFETY_ANALYSIS {
    return tables_;
  }
  void apply(const Event& event) REQUIRES(mu_);
  // All of a commit's events.
  void apply_all(const std::vector<Event>& events) REQUIRES(mu_);
  static constexpr size_t kSortedApplyThreshold = 256;

  // Const after construction.
  const std::shared_ptr<const Clock> clock_;
  const StoreOptions options_;
  const std::shared_ptr<internal::WatchHub> hub_;

  // Serializes writers (and close). The single writer may read tables_ without mu_, since
  // only it changes them.
  Mutex writer_mu_;
  // datastore_ is used by the writer, and by the snapshot thread for write_snapshot() only.
  std::unique_ptr<Datastore> datastore_;
  SpecPool specs_ GUARDED_BY(writer_mu_);
  std::string arena_ GUARDED_BY(writer_mu_);  // reused encoding buffer
  bool closed_ GUARDED_BY(writer_mu_) = false;
  Status refused_ GUARDED_BY(writer_mu_);  // why writes are refused (refuse_writes)
  std::thread snapshot_thread_ GUARDED_BY(writer_mu_);
  std::atomic<bool> snapshot_running_{false};
  Mutex snapshot_mu_;
  Status snapshot_status_ GUARDED_BY(snapshot_mu_);  // of the last snapshot

  // Readers hold mu_ shared; the writer holds it exclusively to apply a commit.
  mutable absl::Mutex mu_;
  Tables tables_ GUARDED_BY(mu_);      // for writes and for readers
  std::atomic<uint64_t> revision_{0};  // written under mu_ (exclusive)
};

// The handle Store::batch passes to its callback.
class Batch {
 public:
  // Runs fn as one unit: its changes are kept whole, or dropped whole if fn fails.
  // Returns fn's error, or the error of a commit this unit triggered (or an earlier one:
  // after a failed commit every unit is refused with it).
  Status update(const std::function<Status(WriteTxn&)>& fn);

 private:
  friend class Store;
  explicit Batch(Store* store) : store_(store) {}
  Status flush();

  Store* const store_;
  std::unique_ptr<WriteTxn> tx_;
  Status failed_;
};

}  // namespace shoal::store
