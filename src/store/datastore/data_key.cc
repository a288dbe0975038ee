#include "store/datastore/data_key.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace shoal::store {
namespace {

Status io_error(std::string_view what, const std::string& path) {
  return error(Code::kInternal, "cannot {} {}: {}", what, path, std::strerror(errno));
}

// Creates `dir` with `mode`, or narrows the mode of an existing one to `mode`.
Status private_dir(const std::string& dir, mode_t mode) {
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) return io_error("create", dir);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return io_error("stat", dir);
  if (!S_ISDIR(st.st_mode)) return error(Code::kInternal, "{} is not a directory", dir);
  if ((st.st_mode & 07777) != mode) {
    if (::chmod(dir.c_str(), mode) != 0) return io_error("chmod", dir);
  }
  return Status::ok();
}

Status fsync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::ok() : io_error("fsync", path);
}

Status write_new_key(const std::string& dir, const std::string& path, const DataKey& key) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return io_error("create", tmp);
  auto bytes = key.bytes();
  ssize_t n = ::write(fd, bytes.data(), bytes.size());
  bool ok = n == static_cast<ssize_t>(bytes.size()) && ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
  Status st = ok ? Status::ok() : io_error("write", tmp);
  ::close(fd);
  if (st.is_ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = io_error("rename", tmp);
  if (!st.is_ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return fsync_path(dir);
}

}  // namespace

Result<DataKey> DataKey::generate() {
  DataKey key;
  if (RAND_priv_bytes(key.bytes_.data(), static_cast<int>(kSize)) != 1) {
    return error(Code::kInternal, "cannot generate a data key: the random generator failed");
  }
  return key;
}

Result<DataKey> DataKey::from_bytes(std::span<const uint8_t> bytes) {
  if (bytes.size() != kSize) {
    return error(Code::kInvalidArgument, "a data key has {} bytes, not {}", kSize, bytes.size());
  }
  DataKey key;
  std::memcpy(key.bytes_.data(), bytes.data(), kSize);
  return key;
}

DataKey::~DataKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

std::string FileKeyStore::path() const { return dir_ + "/" + kDir + "/" + kFile; }

Status FileKeyStore::replace(const DataKey& key) {
  const std::string dir = dir_ + "/" + kDir;
  SHOAL_RETURN_IF_ERROR(private_dir(dir, 0700));
  return write_new_key(dir, path(), key);
}

Result<DataKey> FileKeyStore::data_key() {
  const std::string dir = dir_ + "/" + kDir;
  const std::string file = path();
  SHOAL_RETURN_IF_ERROR(private_dir(dir, 0700));
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) {
    SHOAL_ASSIGN_OR_RETURN(DataKey key, DataKey::generate());
    SHOAL_RETURN_IF_ERROR(write_new_key(dir, file, key));
    spdlog::info("created the data key {}", file);
    return key;
  }
  if (fd < 0) return io_error("open", file);
  std::vector<uint8_t> bytes(DataKey::kSize + 1);
  size_t got = 0;
  Status st;
  while (got < bytes.size()) {
    ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = io_error("read", file);
      break;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  struct stat info {};
  if (st.is_ok() && ::fstat(fd, &info) == 0 && (info.st_mode & 07777) != 0600) {
    spdlog::warn("data key file {} had mode {:o}; set to 600", file, info.st_mode & 07777);
    if (::fchmod(fd, 0600) != 0) st = io_error("chmod", file);
  }
  ::close(fd);
  Result<DataKey> key = DataKey::from_bytes(std::span(bytes.data(), got));
  OPENSSL_cleanse(bytes.data(), bytes.size());
  if (!st.is_ok()) return st;
  if (!key.is_ok()) {
    return error(Code::kDataLoss, "data key file {} is corrupt: {} bytes, expected {}", file, got,
                 DataKey::kSize);
  }
  return key;
}

}  // namespace shoal::store
