#include "store/datastore/sqlite_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace shoal::store::sqlite_util {

Status sqlite_error(sqlite3* db, const std::string& what, int rc) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  Code code = (rc == SQLITE_FULL || rc == SQLITE_READONLY) ? Code::kUnavailable : Code::kInternal;
  return error(code, "{}: {}", what, detail);
}

Status Db::open(const std::string& path, bool create) {
  path_ = path;
  // SQLite creates a database with 0644 and its -wal/-shm with the database's mode: the file
  // is made (or narrowed, if an older shoal left it looser) 0600 first, whatever the umask.
  if (create) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return error(Code::kInternal, "create {}: {}", path, std::strerror(errno));
    ::close(fd);
  }
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    if (::chmod(file.c_str(), 0600) != 0 && errno != ENOENT) {
      return error(Code::kInternal, "chmod {}: {}", file, std::strerror(errno));
    }
  }
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  return rc == SQLITE_OK ? Status::ok() : sqlite_error(db_, "open " + path, rc);
}

Status Db::exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::ok() : sqlite_error(db_, path_ + ": " + sql, rc);
}

Status Db::prepare(const char* sql, sqlite3_stmt** stmt) {
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr);
  return rc == SQLITE_OK ? Status::ok() : sqlite_error(db_, path_ + ": prepare", rc);
}

void Db::close() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

std::string_view column_blob(sqlite3_stmt* stmt, int index) {
  const void* data = sqlite3_column_blob(stmt, index);
  int size = sqlite3_column_bytes(stmt, index);
  return data == nullptr ? std::string_view()
                         : std::string_view(static_cast<const char*>(data), size);
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
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix, ec);
  }
}

}  // namespace shoal::store::sqlite_util
