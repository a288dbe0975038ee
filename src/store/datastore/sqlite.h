// SqliteDatastore: the embedded, single-manager Datastore: a log of commits and periodic
// snapshots, in SQLite files in the data dir.
//
// Files in <dir>:
//   LOCK              flock()ed by the one process that has the datastore open
//   log-<R>.db        a log segment: table log(rev INTEGER PRIMARY KEY, body BLOB), one row
//                     per commit (the batch's mutations, framing.h), revisions R, R+1, ...
//   snap-<R>.db       a snapshot: the full state as of revision R, in table
//                     chunks(seq INTEGER PRIMARY KEY, body BLOB) of ~1 MiB of framed puts
// The state is the newest snapshot plus every log row after it. A commit is one INSERT into
// the newest segment: an append, whatever keys it touches (a B-tree of records keyed by
// random IDs would rewrite a random 4 KiB page per record). When the log outgrows the last
// snapshot (Options), the store writes a new snapshot from memory in the background
// (begin_snapshot starts a new segment at R+1; write_snapshot writes snap-<R>.db.tmp, fsyncs
// it, renames it into place, fsyncs the directory, then deletes the segments and snapshot it
// replaces). A crash at any point leaves either the old or the new snapshot complete, and
// every segment after it.
//
// Durability settings (log segments) and why an acknowledged commit survives:
//   journal_mode=WAL    a commit appends the changed pages to the segment's -wal file with
//                       a checksummed commit frame; recovery after a crash uses only frames
//                       up to the last intact commit frame, so a torn write drops the whole
//                       batch and a batch is all-or-nothing.
//   synchronous=FULL    (default, Sync::kFull) SQLite fsyncs the WAL before COMMIT returns:
//                       commit() returns OK only when the batch is on stable storage, so it
//                       survives kill -9 and power loss (given a disk that honours flushes).
//                       Cost: one fsync per commit, hence the store's batched writes.
//   synchronous=NORMAL  (Sync::kNormal, opt-in) no fsync per commit. The WAL write() has
//                       reached the kernel before COMMIT returns, so an acknowledged batch
//                       still survives kill -9 of this process, but not power loss or a
//                       kernel crash.
//   locking_mode=EXCLUSIVE  one connection per segment; no shared-memory index.
//
// Thread safety: as Datastore (write_snapshot may run beside commit()).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "store/datastore/datastore.h"

struct sqlite3;
struct sqlite3_stmt;

namespace shoal::store {

class SqliteDatastore final : public Datastore {
 public:
  enum class Sync { kFull, kNormal };
  struct Options {
    Sync sync = Sync::kFull;
    // A snapshot is wanted once the log since the last one holds this many bytes and at
    // least as many as that snapshot.
    uint64_t min_snapshot_log_bytes = uint64_t{64} << 20;
  };

  // Opens or creates the datastore in `dir` (creating `dir` if missing) and locks it.
  // Errors: kConflict (another process has it open), kInternal (cannot create or lock).
  static Result<std::unique_ptr<SqliteDatastore>> open(const std::string& dir, Options options);
  static Result<std::unique_ptr<SqliteDatastore>> open(const std::string& dir) {
    return open(dir, Options{});
  }

  ~SqliteDatastore() override;
  SqliteDatastore(const SqliteDatastore&) = delete;
  SqliteDatastore& operator=(const SqliteDatastore&) = delete;

  // REQUIRES: called once, before the other methods.
  Result<uint64_t> load(const LoadFn& fn) override;
  Status commit(const CommitBatch& batch) override;
  bool wants_snapshot() const override;
  Status begin_snapshot(uint64_t revision) override;
  Status write_snapshot(uint64_t revision, const SnapshotFn& produce) override;

  const std::string& dir() const { return dir_; }

 private:
  struct Segment {
    uint64_t start = 0;  // first revision it may hold
    uint64_t bytes = 0;  // bytes of log bodies in it
  };

  SqliteDatastore(std::string dir, Options options, int lock_fd)
      : dir_(std::move(dir)), options_(options), lock_fd_(lock_fd) {}

  std::string segment_path(uint64_t start) const;
  std::string snapshot_path(uint64_t revision) const;
  Status open_current(uint64_t start) REQUIRES(mu_);
  void close_current() REQUIRES(mu_);
  Status replay_snapshot(uint64_t revision, const LoadFn& fn, uint64_t* bytes);
  Status replay_segment(uint64_t start, uint64_t after, const LoadFn& fn, uint64_t* revision,
                        uint64_t* bytes);
  uint64_t log_bytes() const REQUIRES(mu_);

  // Const after construction.
  const std::string dir_;
  const Options options_;
  const int lock_fd_;

  mutable Mutex mu_;
  bool loaded_ GUARDED_BY(mu_) = false;
  sqlite3* current_ GUARDED_BY(mu_) = nullptr;  // the newest segment
  sqlite3_stmt* append_ GUARDED_BY(mu_) = nullptr;
  bool sync_dir_ GUARDED_BY(mu_) = false;           // current_ is new; fsync the dir
  std::vector<Segment> segments_ GUARDED_BY(mu_);   // oldest first; back() is current_
  uint64_t revision_ GUARDED_BY(mu_) = 0;           // of the last durable commit
  uint64_t snapshot_revision_ GUARDED_BY(mu_) = 0;  // 0 = no snapshot
  uint64_t snapshot_bytes_ GUARDED_BY(mu_) = 0;
  uint64_t pending_snapshot_ GUARDED_BY(mu_) = 0;      // begun, not yet written
  uint64_t snapshot_retry_bytes_ GUARDED_BY(mu_) = 0;  // after a failed snapshot
  bool failed_ GUARDED_BY(mu_) = false;                // a commit's outcome is unknown
  std::string body_ GUARDED_BY(mu_);                   // reused commit buffer
};

}  // namespace shoal::store
