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

#include "store/datastore/framing.h"

namespace shoal::store {
namespace {

namespace fs = std::filesystem;

constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr const char* kLogSchema =
    "CREATE TABLE IF NOT EXISTS log(rev INTEGER PRIMARY KEY, body BLOB NOT NULL)";
constexpr const char* kSnapshotSchema =
    "CREATE TABLE chunks(seq INTEGER PRIMARY KEY, body BLOB NOT NULL)";

Status sqlite_error(sqlite3* db, const std::string& what, int rc) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  Code code = (rc == SQLITE_FULL || rc == SQLITE_READONLY) ? Code::kUnavailable : Code::kInternal;
  return error(code, "{}: {}", what, detail);
}

// An owned connection, with the statement helpers the datastore needs.
class Db {
 public:
  Db() = default;
  ~Db() { close(); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status open(const std::string& path, bool create) {
    path_ = path;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    return rc == SQLITE_OK ? Status::ok() : sqlite_error(db_, "open " + path, rc);
  }
  Status exec(const char* sql) {
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::ok() : sqlite_error(db_, path_ + ": " + sql, rc);
  }
  Status prepare(const char* sql, sqlite3_stmt** stmt) {
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr);
    return rc == SQLITE_OK ? Status::ok() : sqlite_error(db_, path_ + ": prepare", rc);
  }
  void close() {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = nullptr;
  }
  sqlite3* get() const { return db_; }
  sqlite3* release() { return std::exchange(db_, nullptr); }
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A statement finalized on scope exit.
class Stmt {
 public:
  Stmt() = default;
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt** out() { return &stmt_; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::string_view column_blob(sqlite3_stmt* stmt, int index) {
  const void* data = sqlite3_column_blob(stmt, index);
  int size = sqlite3_column_bytes(stmt, index);
  return data == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(data), size);
}

Status fsync_path(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return error(Code::kInternal, "open {} to sync: {}", path, std::strerror(errno));
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) return error(Code::kInternal, "fsync {}: {}", path, std::strerror(saved));
  return Status::ok();
}

void remove_db_files(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
}

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
  SHOAL_RETURN_IF_ERROR(db.exec(sync == SqliteDatastore::Sync::kFull ? "PRAGMA synchronous=FULL"
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
  std::lock_guard lock(mu_);
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
  std::lock_guard lock(mu_);
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
  std::lock_guard lock(mu_);
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

// ---------------------------------------------------------------------------------------------
// Snapshots.

bool SqliteDatastore::wants_snapshot() const {
  std::lock_guard lock(mu_);
  if (!loaded_ || failed_ || pending_snapshot_ != 0 || revision_ == snapshot_revision_) {
    return false;
  }
  uint64_t threshold =
      std::max({options_.min_snapshot_log_bytes, snapshot_bytes_, snapshot_retry_bytes_});
  return log_bytes() >= threshold;
}

Status SqliteDatastore::begin_snapshot(uint64_t revision) {
  std::lock_guard lock(mu_);
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
    std::lock_guard lock(mu_);
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
    fs::rename(tmp, path, ec);
    if (ec) return error(Code::kInternal, "rename {}: {}", tmp, ec.message());
    return fsync_path(dir_, true);
  }();

  std::lock_guard lock(mu_);
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
