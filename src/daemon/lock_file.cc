#include "daemon/lock_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace shoal::daemon {
namespace {

// The pid written by the holder, or "" when there is none (yet).
std::string read_pid(int fd) {
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return "";
  std::string s(buf, static_cast<size_t>(n));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char c : s) {
    if (c < '0' || c > '9') return "";
  }
  return s;
}

}  // namespace

Result<LockFile> LockFile::acquire(const std::string& path, const std::string& what) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return error(Code::kInternal, "cannot open lock file {} for {}: {}", path, what,
                 std::strerror(errno));
  }
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    if (err == EWOULDBLOCK) {
      std::string pid = read_pid(fd);
      ::close(fd);
      return error(Code::kConflict, "another shoal daemon ({}) is using {} (lock {})",
                   pid.empty() ? "pid unknown" : "pid " + pid, what, path);
    }
    ::close(fd);
    return error(Code::kInternal, "cannot lock {} for {}: {}", path, what, std::strerror(err));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    int err = errno;
    ::close(fd);
    return error(Code::kInternal, "cannot write pid to lock file {}: {}", path, std::strerror(err));
  }
  return LockFile(fd, path);
}

LockFile::LockFile(LockFile&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

LockFile& LockFile::operator=(LockFile&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

LockFile::~LockFile() { release(); }

void LockFile::release() {
  if (fd_ < 0) return;
  ::close(fd_);  // drops the flock
  fd_ = -1;
}

}  // namespace shoal::daemon
