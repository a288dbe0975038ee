#include "store/datastore/sqlite.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "common/mutex.h"
#include "store/datastore/framing.h"
#include "store/datastore/sqlite_util.h"

namespace shoal::store {

using sqlite_util::column_blob;
using sqlite_util::Db;
using sqlite_util::fsync_path;
using sqlite_util::remove_db_files;
using sqlite_util::sqlite_error;
using sqlite_util::Stmt;

namespace {

namespace fs = std::filesystem;

constexpr const char* kLogSchema =
    "CREATE TABLE IF NOT EXISTS log(rev INTEGER PRIMARY KEY, body BLOB NOT NULL)";

// The revision in a name "<prefix><20 digits><suffix>", or 0.
uint64_t parse_name(std::string_view name, std::string_view prefix, std::string_view suffix) {
  if (!name.starts_with(prefix) || !name.ends_with(suffix)) return 0;
  std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() != 20) return 0;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return ec == std::errc() && end == digits.data() + digits.size() ? value : 0;
}

Status apply_pragmas(Db& db, SqliteDatastore::Sync sync) {
  SHOAL_RETURN_IF_ERROR(db.exec("PRAGMA locking_mode=EXCLUSIVE"));
  SHOAL_RETURN_IF_ERROR(db.exec("PRAGMA journal_mode=WAL"));
  SHOAL_RETURN_IF_ERROR(db.exec(sync == SqliteDatastore::Sync::kFull
                                    ? "PRAGMA synchronous=FULL"
                                    : "PRAGMA synchronous=NORMAL"));
  // Fewer, larger checkpoints: each costs an fsync of the segment file.
  return db.exec("PRAGMA wal_autocheckpoint=4096");
}

}  // namespace

Result<std::unique_ptr<SqliteDatastore>> SqliteDatastore::open(const std::string& dir,
                                                               Options options) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return error(Code::kInternal, "cannot create data dir {}: {}", dir, ec.message());
  std::string lock_path = dir + "/LOCK";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return error(Code::kInternal, "open {}: {}", lock_path, std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    ::close(fd);
    if (saved == EWOULDBLOCK) {
      return error(Code::kConflict, "data dir {} is in use by another process", dir);
    }
    return error(Code::kInternal, "lock {}: {}", lock_path, std::strerror(saved));
  }
  return std::unique_ptr<SqliteDatastore>(new SqliteDatastore(dir, options, fd));
}

SqliteDatastore::~SqliteDatastore() {
  MutexLock lock(mu_);
  close_current();
  ::close(lock_fd_);  // releases the flock
}

std::string SqliteDatastore::segment_path(uint64_t start) const {
  char name[64];
  std::snprintf(name, sizeof name, "/log-%020llu.db", static_cast<unsigned long long>(start));
  return dir_ + name;
}

std::string SqliteDatastore::snapshot_path(uint64_t revision) const {
  char name[64];
  std::snprintf(name, sizeof name, "/snap-%020llu.db", static_cast<unsigned long long>(revision));
  return dir_ + name;
}

Status SqliteDatastore::open_current(uint64_t start) {
  std::string path = segment_path(start);
  bool existed = fs::exists(path);
  Db db;
  SHOAL_RETURN_IF_ERROR(db.open(path, true));
  SHOAL_RETURN_IF_ERROR(apply_pragmas(db, options_.sync));
  SHOAL_RETURN_IF_ERROR(db.exec(kLogSchema));
  SHOAL_RETURN_IF_ERROR(db.prepare("INSERT INTO log(rev, body) VALUES (?1, ?2)", &append_));
  current_ = db.release();
  sync_dir_ = !existed;
  return Status::ok();
}

void SqliteDatastore::close_current() {
  sqlite3_finalize(append_);
  append_ = nullptr;
  if (current_ != nullptr) sqlite3_close_v2(current_);
  current_ = nullptr;
}

uint64_t SqliteDatastore::log_bytes() const {
  uint64_t total = 0;
  for (const Segment& s : segments_) total += s.bytes;
  return total;
}

// ---------------------------------------------------------------------------------------------
// Recovery.

Status SqliteDatastore::replay_snapshot(uint64_t revision, const LoadFn& fn, uint64_t* bytes) {
  Db db;
  SHOAL_RETURN_IF_ERROR(db.open(snapshot_path(revision), false));
  Stmt stmt;
  SHOAL_RETURN_IF_ERROR(db.prepare("SELECT body FROM chunks ORDER BY seq", stmt.out()));
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    std::string_view body = column_blob(stmt.get(), 0);
    *bytes += body.size();
    SHOAL_RETURN_IF_ERROR(framing::parse(body, "snapshot", fn));
  }
  return rc == SQLITE_DONE ? Status::ok() : sqlite_error(db.get(), "read " + db.path(), rc);
}

Status SqliteDatastore::replay_segment(uint64_t start, uint64_t after, const LoadFn& fn,
                                       uint64_t* revision, uint64_t* bytes) {
  Db db;
  SHOAL_RETURN_IF_ERROR(db.open(segment_path(start), false));
  Stmt stmt;
  SHOAL_RETURN_IF_ERROR(
      db.prepare("SELECT rev, body FROM log WHERE rev > ?1 ORDER BY rev", stmt.out()));
  sqlite3_bind_int64(stmt.get(), 1, static_cast<sqlite3_int64>(after));
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    auto rev = static_cast<uint64_t>(sqlite3_column_int64(stmt.get(), 0));
    if (rev <= *revision || rev < start) {
      return error(Code::kInternal, "corrupt log {}: revision {} after {}", db.path(), rev,
                   *revision);
    }
    std::string_view body = column_blob(stmt.get(), 1);
    *bytes += body.size();
    SHOAL_RETURN_IF_ERROR(framing::parse(body, "log entry", fn));
    *revision = rev;
  }
  return rc == SQLITE_DONE ? Status::ok() : sqlite_error(db.get(), "read " + db.path(), rc);
}

Result<uint64_t> SqliteDatastore::load(const LoadFn& fn) {
  MutexLock lock(mu_);
  if (loaded_) return Status(Code::kFailedPrecondition, "datastore already loaded");
  std::vector<uint64_t> snapshots;
  std::vector<uint64_t> starts;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".tmp")) {
      fs::remove(entry.path(), ec);  // an unfinished snapshot
    } else if (uint64_t r = parse_name(name, "snap-", ".db")) {
      snapshots.push_back(r);
    } else if (uint64_t s = parse_name(name, "log-", ".db")) {
      starts.push_back(s);
    }
  }
  if (ec) return error(Code::kInternal, "list {}: {}", dir_, ec.message());
  std::sort(snapshots.begin(), snapshots.end());
  std::sort(starts.begin(), starts.end());

  uint64_t revision = 0;
  if (!snapshots.empty()) {
    snapshot_revision_ = snapshots.back();
    for (size_t i = 0; i + 1 < snapshots.size(); ++i) remove_db_files(snapshot_path(snapshots[i]));
    SHOAL_RETURN_IF_ERROR(replay_snapshot(snapshot_revision_, fn, &snapshot_bytes_));
    revision = snapshot_revision_;
  }
  for (size_t i = 0; i < starts.size(); ++i) {
    bool covered = i + 1 < starts.size() && starts[i + 1] - 1 <= snapshot_revision_;
    if (covered) {  // every revision in it is in the snapshot
      remove_db_files(segment_path(starts[i]));
      continue;
    }
    Segment segment{starts[i], 0};
    SHOAL_RETURN_IF_ERROR(
        replay_segment(starts[i], snapshot_revision_, fn, &revision, &segment.bytes));
    segments_.push_back(segment);
  }
  if (segments_.empty()) segments_.push_back(Segment{revision + 1, 0});
  SHOAL_RETURN_IF_ERROR(open_current(segments_.back().start));
  revision_ = revision;
  loaded_ = true;
  return revision;
}

// ---------------------------------------------------------------------------------------------
// Commits.

Status SqliteDatastore::commit(const CommitBatch& batch) {
  MutexLock lock(mu_);
  if (!loaded_) return Status(Code::kFailedPrecondition, "datastore not loaded");
  if (failed_) {
    return error(Code::kUnavailable,
                 "datastore {} failed an earlier commit with an unknown outcome; restart to "
                 "recover",
                 dir_);
  }
  if (batch.revision <= revision_) {
    return error(Code::kFailedPrecondition, "store revision {} is not above the stored {}",
                 batch.revision, revision_);
  }
  std::string& body = body_;  // reused: no large allocation per commit
  body.clear();
  for (const Mutation& m : batch.mutations) {
    if (m.table.empty() || m.key.empty()) {
      return error(Code::kInvalidArgument, "store mutation without table or key");
    }
    framing::append(&body, m.op, m.table, m.key, m.value);
  }
  sqlite3_bind_int64(append_, 1, static_cast<sqlite3_int64>(batch.revision));
  sqlite3_bind_blob(append_, 2, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
  int rc = sqlite3_step(append_);
  sqlite3_reset(append_);
  sqlite3_clear_bindings(append_);
  if (rc != SQLITE_DONE) {
    Status status = sqlite_error(current_, "commit to " + segment_path(segments_.back().start), rc);
    // A full disk fails before the commit frame is written; anything else may have failed
    // while syncing it.
    if (rc != SQLITE_FULL) failed_ = true;
    return status;
  }
  if (sync_dir_) {
    // The segment (and its -wal) are new: make their directory entries durable too.
    Status synced = fsync_path(dir_, true);
    if (!synced.is_ok()) {
      failed_ = true;
      return synced;
    }
    sync_dir_ = false;
  }
  revision_ = batch.revision;
  segments_.back().bytes += body.size();
  if (body.capacity() > (size_t{64} << 20)) std::string().swap(body);  // do not hoard
  return Status::ok();
}

}  // namespace shoal::store
