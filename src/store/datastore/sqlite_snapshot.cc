// SqliteDatastore snapshots: writing snap-<R>.db beside the log, then dropping what it
// replaces (see sqlite.h for the file layout and the crash argument).
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>

#include "common/mutex.h"
#include "store/datastore/framing.h"
#include "store/datastore/sqlite.h"
#include "store/datastore/sqlite_util.h"

namespace shoal::store {

using sqlite_util::Db;
using sqlite_util::fsync_path;
using sqlite_util::remove_db_files;
using sqlite_util::sqlite_error;
using sqlite_util::Stmt;

namespace {
constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr const char* kSnapshotSchema =
    "CREATE TABLE chunks(seq INTEGER PRIMARY KEY, body BLOB NOT NULL)";
}  // namespace

bool SqliteDatastore::wants_snapshot() const {
  MutexLock lock(mu_);
  if (!loaded_ || failed_ || pending_snapshot_ != 0 || revision_ == snapshot_revision_) {
    return false;
  }
  uint64_t threshold =
      std::max({options_.min_snapshot_log_bytes, snapshot_bytes_, snapshot_retry_bytes_});
  return log_bytes() >= threshold;
}

Status SqliteDatastore::begin_snapshot(uint64_t revision) {
  MutexLock lock(mu_);
  if (!loaded_ || revision != revision_ || pending_snapshot_ != 0) {
    return error(Code::kFailedPrecondition, "cannot snapshot revision {} now", revision);
  }
  if (segments_.back().start != revision + 1) {
    // Later commits go to a new segment, so the ones up to `revision` can be deleted whole.
    close_current();
    segments_.push_back(Segment{revision + 1, 0});
    SHOAL_RETURN_IF_ERROR(open_current(revision + 1));
  }
  pending_snapshot_ = revision;
  return Status::ok();
}

Status SqliteDatastore::write_snapshot(uint64_t revision, const SnapshotFn& produce) {
  {
    MutexLock lock(mu_);
    if (pending_snapshot_ != revision) {
      return error(Code::kFailedPrecondition, "snapshot {} was not begun", revision);
    }
  }
  const std::string path = snapshot_path(revision);
  const std::string tmp = path + ".tmp";
  uint64_t bytes = 0;
  Status status = [&]() -> Status {
    remove_db_files(tmp);
    Db db;
    SHOAL_RETURN_IF_ERROR(db.open(tmp, true));
    // Durability comes from the fsync and rename below, not from a journal.
    SHOAL_RETURN_IF_ERROR(db.exec("PRAGMA journal_mode=OFF"));
    SHOAL_RETURN_IF_ERROR(db.exec("PRAGMA synchronous=OFF"));
    SHOAL_RETURN_IF_ERROR(db.exec("PRAGMA locking_mode=EXCLUSIVE"));
    SHOAL_RETURN_IF_ERROR(db.exec(kSnapshotSchema));
    SHOAL_RETURN_IF_ERROR(db.exec("BEGIN"));
    Stmt insert;
    SHOAL_RETURN_IF_ERROR(db.prepare("INSERT INTO chunks(body) VALUES (?1)", insert.out()));
    std::string chunk;
    auto flush = [&]() -> Status {
      if (chunk.empty()) return Status::ok();
      sqlite3_bind_blob(insert.get(), 1, chunk.data(), static_cast<int>(chunk.size()),
                        SQLITE_STATIC);
      int rc = sqlite3_step(insert.get());
      sqlite3_reset(insert.get());
      if (rc != SQLITE_DONE) return sqlite_error(db.get(), "write " + tmp, rc);
      bytes += chunk.size();
      chunk.clear();
      return Status::ok();
    };
    SHOAL_RETURN_IF_ERROR(produce(
        [&](std::string_view table, std::string_view key, std::string_view value) -> Status {
          framing::append(&chunk, Mutation::Op::kPut, table, key, value);
          return chunk.size() >= kChunkBytes ? flush() : Status::ok();
        }));
    SHOAL_RETURN_IF_ERROR(flush());
    SHOAL_RETURN_IF_ERROR(db.exec("COMMIT"));
    sqlite3_finalize(*insert.out());
    *insert.out() = nullptr;
    db.close();
    SHOAL_RETURN_IF_ERROR(fsync_path(tmp, false));
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) return error(Code::kInternal, "rename {}: {}", tmp, ec.message());
    return fsync_path(dir_, true);
  }();

  MutexLock lock(mu_);
  pending_snapshot_ = 0;
  if (!status.is_ok()) {
    remove_db_files(tmp);
    snapshot_retry_bytes_ = log_bytes() + options_.min_snapshot_log_bytes;
    return status;
  }
  uint64_t old = snapshot_revision_;
  snapshot_revision_ = revision;
  snapshot_bytes_ = bytes;
  snapshot_retry_bytes_ = 0;
  // Segments whose every revision is in the snapshot go; so does the snapshot it replaces.
  while (segments_.size() > 1 && segments_[1].start - 1 <= revision) {
    remove_db_files(segment_path(segments_.front().start));
    segments_.erase(segments_.begin());
  }
  if (old != 0 && old != revision) remove_db_files(snapshot_path(old));
  return Status::ok();
}

}  // namespace shoal::store
