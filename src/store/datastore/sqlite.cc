#include "store/datastore/sqlite.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

namespace shoal::store {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS records("
    "  tbl TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,"
    "  PRIMARY KEY (tbl, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS meta("
    "  name TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;";

// Binds a view that outlives the statement's step (SQLITE_STATIC: no copy).
int bind_text(sqlite3_stmt* stmt, int index, std::string_view text) {
  return sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string_view column_view(sqlite3_stmt* stmt, int index) {
  const void* data = sqlite3_column_blob(stmt, index);
  int size = sqlite3_column_bytes(stmt, index);
  return data == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(data), size);
}

// Resets a statement on scope exit so it holds no read lock or bound views.
class StmtReset {
 public:
  explicit StmtReset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StmtReset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StmtReset(const StmtReset&) = delete;
  StmtReset& operator=(const StmtReset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

}  // namespace

Result<std::unique_ptr<SqliteDatastore>> SqliteDatastore::open(const std::string& dir,
                                                               Options options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return error(Code::kInternal, "cannot create data dir {}: {}", dir, ec.message());
  std::unique_ptr<SqliteDatastore> ds(new SqliteDatastore(dir + "/store.db"));
  SHOAL_RETURN_IF_ERROR(ds->init(options));
  return ds;
}

Status SqliteDatastore::init(Options options) {
  int rc = sqlite3_open_v2(path_.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return error_status("open", rc);
  // Exclusive locking is taken at the first read; an immediate write transaction takes it
  // now, so a second process fails here rather than at its first commit.
  SHOAL_RETURN_IF_ERROR(exec("PRAGMA locking_mode=EXCLUSIVE"));
  SHOAL_RETURN_IF_ERROR(exec("PRAGMA journal_mode=WAL"));
  SHOAL_RETURN_IF_ERROR(exec(options.sync == Sync::kFull ? "PRAGMA synchronous=FULL"
                                                         : "PRAGMA synchronous=NORMAL"));
  SHOAL_RETURN_IF_ERROR(exec("PRAGMA cache_size=-65536"));  // 64 MiB of page cache
  SHOAL_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE"));
  Status schema = exec(kSchema);
  if (!schema.is_ok()) {
    rollback();
    return schema;
  }
  SHOAL_RETURN_IF_ERROR(exec("COMMIT"));
  SHOAL_RETURN_IF_ERROR(prepare(
      "INSERT INTO records(tbl, key, value) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(tbl, key) DO UPDATE SET value = excluded.value",
      &put_));
  SHOAL_RETURN_IF_ERROR(prepare("DELETE FROM records WHERE tbl = ?1 AND key = ?2", &delete_));
  SHOAL_RETURN_IF_ERROR(prepare("SELECT value FROM meta WHERE name = 'revision'", &get_revision_));
  SHOAL_RETURN_IF_ERROR(prepare(
      "INSERT INTO meta(name, value) VALUES ('revision', ?1) "
      "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
      &set_revision_));
  SHOAL_RETURN_IF_ERROR(
      prepare("SELECT key, value FROM records WHERE tbl = ?1 ORDER BY key", &scan_));
  SHOAL_ASSIGN_OR_RETURN(revision_, revision());
  return Status::ok();
}

SqliteDatastore::~SqliteDatastore() {
  for (sqlite3_stmt* stmt : {put_, delete_, get_revision_, set_revision_, scan_}) {
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db_);
}

Status SqliteDatastore::error_status(const char* what, int rc) {
  const char* detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    return error(Code::kConflict, "store {} is in use by another process ({}: {})", path_, what,
                 detail);
  }
  if (rc == SQLITE_FULL || rc == SQLITE_READONLY) {
    return error(Code::kUnavailable, "store {}: {}: {}", path_, what, detail);
  }
  return error(Code::kInternal, "store {}: {}: {}", path_, what, detail);
}

Status SqliteDatastore::exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::ok() : error_status(sql, rc);
}

Status SqliteDatastore::prepare(const char* sql, sqlite3_stmt** stmt) {
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr);
  return rc == SQLITE_OK ? Status::ok() : error_status("prepare", rc);
}

void SqliteDatastore::rollback() {
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Result<uint64_t> SqliteDatastore::revision() {
  StmtReset reset(get_revision_);
  int rc = sqlite3_step(get_revision_);
  if (rc == SQLITE_DONE) return uint64_t{0};
  if (rc != SQLITE_ROW) return error_status("read revision", rc);
  return static_cast<uint64_t>(sqlite3_column_int64(get_revision_, 0));
}

Status SqliteDatastore::scan(std::string_view table, const ScanFn& fn) {
  StmtReset reset(scan_);
  int rc = bind_text(scan_, 1, table);
  if (rc != SQLITE_OK) return error_status("scan", rc);
  while ((rc = sqlite3_step(scan_)) == SQLITE_ROW) {
    SHOAL_RETURN_IF_ERROR(fn(column_view(scan_, 0), column_view(scan_, 1)));
  }
  return rc == SQLITE_DONE ? Status::ok() : error_status("scan", rc);
}

// Writes the batch's rows inside the open transaction.
Status SqliteDatastore::apply(const CommitBatch& batch) {
  for (const Mutation& m : batch.mutations) {
    if (m.table.empty() || m.key.empty()) {
      return error(Code::kInvalidArgument, "store mutation without table or key");
    }
    sqlite3_stmt* stmt = m.op == Mutation::Op::kPut ? put_ : delete_;
    StmtReset reset(stmt);
    bind_text(stmt, 1, m.table);
    bind_text(stmt, 2, m.key);
    if (m.op == Mutation::Op::kPut) {
      sqlite3_bind_blob(stmt, 3, m.value.data(), static_cast<int>(m.value.size()), SQLITE_STATIC);
    }
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) return error_status("write record", rc);
  }
  StmtReset reset(set_revision_);
  sqlite3_bind_int64(set_revision_, 1, static_cast<sqlite3_int64>(batch.revision));
  int rc = sqlite3_step(set_revision_);
  return rc == SQLITE_DONE ? Status::ok() : error_status("write revision", rc);
}

Status SqliteDatastore::commit(const CommitBatch& batch) {
  if (failed_) {
    return error(Code::kUnavailable,
                 "store {} failed an earlier commit with an unknown outcome; restart to recover",
                 path_);
  }
  if (batch.revision <= revision_) {
    return error(Code::kFailedPrecondition, "store revision {} is not above the stored {}",
                 batch.revision, revision_);
  }
  SHOAL_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE"));
  Status status = apply(batch);
  if (!status.is_ok()) {
    rollback();  // nothing was synced: a clean failure
    return status;
  }
  int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    // The commit frame may or may not have reached the disk: stop writing until a reopen
    // reads which one it was.
    status = error_status("commit", rc);
    rollback();
    failed_ = true;
    return status;
  }
  revision_ = batch.revision;
  return Status::ok();
}

}  // namespace shoal::store
