// SqliteDatastore: the embedded, single-manager Datastore, one SQLite file in the data dir.
//
// Layout: <dir>/store.db holds `records(tbl, key, value)` (primary key (tbl, key), without
// rowid) and `meta(name, value)` with the revision. Every commit() is one SQLite
// transaction: all records of the batch and the new revision, or nothing.
//
// Durability settings and why an acknowledged commit survives:
//   journal_mode=WAL    A commit appends the changed pages to store.db-wal and ends with a
//                       commit frame; a reader or a recovery after a crash uses only frames
//                       up to the last intact commit frame (checksummed), so a torn write
//                       is dropped as a whole and the batch is all-or-nothing.
//   synchronous=FULL    (default, Sync::kFull) SQLite fsyncs the WAL before COMMIT returns,
//                       so commit() returns OK only when the batch is on stable storage: it
//                       survives kill -9 and power loss (given a disk that honours flushes).
//                       Cost: one fsync per commit (~0.2 ms here), hence the store's
//                       batched writes.
//   synchronous=NORMAL  (Sync::kNormal, opt-in) no fsync per commit, only at checkpoints.
//                       The WAL write() has reached the kernel before COMMIT returns, so an
//                       acknowledged batch still survives kill -9 of this process, but the
//                       last commits can be lost on power loss or a kernel crash.
//   locking_mode=EXCLUSIVE  one process owns the file (a second open fails with kConflict);
//                       no shared-memory index file is needed.
//
// Thread safety: thread-compatible (see Datastore); one instance per file.
#pragma once

#include <memory>
#include <string>

#include "store/datastore/datastore.h"

struct sqlite3;
struct sqlite3_stmt;

namespace shoal::store {

class SqliteDatastore final : public Datastore {
 public:
  enum class Sync { kFull, kNormal };
  struct Options {
    Sync sync = Sync::kFull;
  };

  // Opens or creates <dir>/store.db (creating `dir` if missing).
  // Errors: kConflict (another process has it open), kInternal (cannot create or read the
  // file, or it is not a shoal store).
  static Result<std::unique_ptr<SqliteDatastore>> open(const std::string& dir, Options options);
  static Result<std::unique_ptr<SqliteDatastore>> open(const std::string& dir) {
    return open(dir, Options{});
  }

  ~SqliteDatastore() override;
  SqliteDatastore(const SqliteDatastore&) = delete;
  SqliteDatastore& operator=(const SqliteDatastore&) = delete;

  Result<uint64_t> revision() override;
  Status scan(std::string_view table, const ScanFn& fn) override;
  // Also fails with kInvalidArgument (nothing written) for a mutation with an empty table or
  // key, and kFailedPrecondition for a revision not above the stored one.
  Status commit(const CommitBatch& batch) override;

  const std::string& path() const { return path_; }

 private:
  explicit SqliteDatastore(std::string path) : path_(std::move(path)) {}
  Status init(Options options);
  Status exec(const char* sql);
  Status prepare(const char* sql, sqlite3_stmt** stmt);
  Status error_status(const char* what, int rc);
  Status apply(const CommitBatch& batch);
  void rollback();

  const std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* delete_ = nullptr;
  sqlite3_stmt* get_revision_ = nullptr;
  sqlite3_stmt* set_revision_ = nullptr;
  sqlite3_stmt* scan_ = nullptr;
  uint64_t revision_ = 0;  // of the last durable commit
  bool failed_ = false;    // an earlier commit ended with an unknown outcome
};

}  // namespace shoal::store
