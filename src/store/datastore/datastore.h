// Datastore: the durability seam under the in-memory store.
//
// The store (src/store/store.h) keeps every object in memory and makes each write durable
// through a Datastore before it becomes visible. A Datastore keeps named tables of
// (key → encoded bytes) and a revision, and knows nothing of object types: the store encodes
// and decodes. Since the store holds the whole state in memory, a datastore need not be a
// queryable database; the SQLite one is a log of commits plus periodic snapshots (as a raft
// log is), which keeps every commit an append.
//
// Implementations: SqliteDatastore (datastore/sqlite.h, the embedded default),
// MemoryDatastore (datastore/memory.h, for tests, with failure injection), and
// etcd::EtcdDatastore (src/etcd/datastore.h) for managers that share one store.
//
// Lifecycle, recovery first:
//   1. load(): streams the durable state once, before anything else.
//   2. commit(): once per store transaction, from one thread at a time.
//   3. snapshots (optional, for log-structured datastores): when wants_snapshot() says so,
//      the store calls begin_snapshot(R) between commits (R = the last committed revision),
//      then write_snapshot(R, produce) from another thread, concurrently with later commits.
//
// Contract of commit():
//   - Atomic: after a crash at any moment, a later load() sees either all of a batch
//     (records and revision) or none of it.
//   - Durable when acknowledged: OK is returned only after the batch survives the loss of
//     the process (kill -9). Whether it also survives power loss is each implementation's
//     documented setting (SqliteDatastore: yes, synchronous=FULL).
//   - On error nothing of the batch is durable, or — when the outcome on disk cannot be known
//     (an I/O error while syncing) — the datastore fails every later commit with
//     kUnavailable until it is reopened, so memory and disk never drift further apart; a
//     reopen then reads the truth.
//
// Thread safety: commit(), begin_snapshot() and wants_snapshot() are called by one thread at
// a time (the store's writer); write_snapshot() may run on another thread at the same time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shoal::store {

// One change to one record. The views belong to the caller: valid for the duration of the
// call they are passed to.
struct Mutation {
  enum class Op : uint8_t { kPut, kDelete };

  Op op = Op::kPut;
  std::string_view table;  // e.g. "tasks"
  std::string_view key;
  std::string_view value;  // kPut: the encoded record; kDelete: empty
};

// Everything one store transaction writes, made durable together with `revision`.
struct CommitBatch {
  uint64_t revision = 0;  // the store revision after this batch; strictly increasing
  std::vector<Mutation> mutations;
};

// One record or change as load() replays it.
using Record = Mutation;
using LoadFn = std::function<Status(const Record& record)>;

// Receives every record of a snapshot; returns an error to abort the snapshot.
using RecordSink =
    std::function<Status(std::string_view table, std::string_view key, std::string_view value)>;
// Produces a snapshot by calling the sink once per record.
using SnapshotFn = std::function<Status(const RecordSink& sink)>;

class Datastore {
 public:
  virtual ~Datastore() = default;

  // Replays the durable state: calls fn for each record, in an order whose application, one
  // by one, rebuilds the state of the last durable commit (puts of a snapshot in the order
  // they were produced, then each later batch's mutations in commit order). Returns that
  // commit's revision (0 for an empty datastore).
  // Errors: fn's error (replay stops); kInternal when the storage is unreadable or corrupt.
  virtual Result<uint64_t> load(const LoadFn& fn) = 0;

  // Makes `batch` durable atomically (see the contract above). REQUIRES: batch.revision is
  // greater than every revision committed before.
  // Errors: kFailedPrecondition (revision not increasing), kInvalidArgument (a mutation
  // without table or key), kUnavailable (failed earlier, or full/read-only storage),
  // kInternal (I/O error; later commits then fail with kUnavailable). Nothing is written on
  // any of these, except possibly with kInternal (outcome unknown, see above).
  virtual Status commit(const CommitBatch& batch) = 0;

  // True when the datastore would like a snapshot (its log has grown).
  virtual bool wants_snapshot() const { return false; }
  // Marks revision R (the last committed) as the point of the next snapshot; later commits
  // go after it. Called between commits by the committing thread.
  virtual Status begin_snapshot(uint64_t /*revision*/) { return Status::ok(); }
  // Stores the full state as of `revision` (what produce yields) as the new base and drops
  // what it makes redundant. REQUIRES: begin_snapshot(revision) came first; one snapshot at
  // a time. On error the old base and log stay in use.
  virtual Status write_snapshot(uint64_t /*revision*/, const SnapshotFn& /*produce*/) {
    return Status::ok();
  }
};

}  // namespace shoal::store
