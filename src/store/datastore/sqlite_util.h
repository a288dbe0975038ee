// Internal to SqliteDatastore: small owners of SQLite handles and file-sync helpers.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace shoal::store::sqlite_util {

// kUnavailable for a full or read-only disk, else kInternal, with SQLite's message.
Status sqlite_error(sqlite3* db, const std::string& what, int rc);

// An owned connection.
class Db {
 public:
  Db() = default;
  ~Db() { close(); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status open(const std::string& path, bool create);
  Status exec(const char* sql);
  Status prepare(const char* sql, sqlite3_stmt** stmt);
  void close();
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

// Column `index` of the current row as bytes (valid until the next step).
std::string_view column_blob(sqlite3_stmt* stmt, int index);

// fsync()s a file or a directory.
Status fsync_path(const std::string& path, bool directory);

// Removes a database file and its -wal, -shm and -journal companions, ignoring errors.
void remove_db_files(const std::string& path);

}  // namespace shoal::store::sqlite_util
