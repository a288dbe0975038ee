// Datastore: the durability seam under the in-memory store.
//
// The store (src/store/store.h) keeps every object in memory and makes each write durable
// through a Datastore before it becomes visible. A Datastore is a small transactional
// key/value space: named tables of (key → encoded bytes) plus one revision number, written
// only in whole batches. It knows nothing of object types; the store encodes and decodes.
//
// Implementations: SqliteDatastore (datastore/sqlite.h, the embedded default),
// MemoryDatastore (datastore/memory.h, for tests, with failure injection). etcd is the
// planned second durable implementation.
//
// Lifecycle, recovery first:
//   1. recover: revision() and scan() read what the last durable commit left. Idempotent.
//   2. commit(): called once per store transaction, never concurrently.
//
// Contract of commit():
//   - Atomic: after a crash at any moment, a later load sees either all of a batch
//     (records and revision) or none of it.
//   - Durable when acknowledged: OK is returned only after the batch survives the loss of
//     the process (kill -9). Whether it also survives power loss is each implementation's
//     documented setting (SqliteDatastore: yes, synchronous=FULL).
//   - On error nothing of the batch is visible to later scans of this instance. If the
//     outcome on disk cannot be known (an I/O error while syncing), the datastore fails
//     every later commit with kUnavailable until it is reopened, so memory and disk never
//     drift further apart; a reopen then reads the truth.
//
// Thread safety: thread-compatible. The store calls it from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shoal::store {

// One change to one record.
struct Mutation {
  enum class Op : uint8_t { kPut, kDelete };

  Op op = Op::kPut;
  std::string_view table;  // a name with static storage, e.g. "tasks"
  std::string key;
  std::string value;  // kPut: the encoded record; kDelete: empty
};

// Everything one store transaction writes, made durable together with `revision`.
struct CommitBatch {
  uint64_t revision = 0;  // the store revision after this batch; strictly increasing
  std::vector<Mutation> mutations;
};

// Called once per record; a non-OK result stops the scan and is returned by scan().
using ScanFn = std::function<Status(std::string_view key, std::string_view value)>;

class Datastore {
 public:
  virtual ~Datastore() = default;

  // The revision of the last durable commit; 0 for an empty datastore.
  // Errors: kInternal when the backing storage cannot be read.
  virtual Result<uint64_t> revision() = 0;

  // Calls fn for every record of `table`, in key order. The views passed to fn are valid
  // only during that call.
  // Errors: fn's error; kInternal when the backing storage cannot be read.
  virtual Status scan(std::string_view table, const ScanFn& fn) = 0;

  // Makes `batch` durable atomically (see the contract above). REQUIRES: batch.revision is
  // greater than every revision committed before.
  // Errors: kUnavailable (datastore failed earlier, or full/read-only storage),
  // kInternal (I/O error; later commits then fail with kUnavailable).
  virtual Status commit(const CommitBatch& batch) = 0;
};

}  // namespace shoal::store
