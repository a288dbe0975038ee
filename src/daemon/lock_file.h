// LockFile: an exclusive flock(2) on a file, held for the life of a daemon, that says
// which process holds it.
//
// The daemon takes one on <data-dir>/shoal.lock and one on <socket>.lock, so a second
// daemon on the same data dir or socket refuses to start instead of corrupting the store or
// stealing the socket. The holder writes its pid into the file; a refused process reads it
// to name the other daemon. The kernel drops the lock when the holder dies (even on
// kill -9), so a crashed daemon never leaves a stale lock: the next one simply takes it.
// The file itself is never removed (removing a lock file races with a process opening it).
//
// Thread safety: a value owned by one thread; release is idempotent.
#pragma once

#include <string>

#include "common/status.h"

namespace shoal::daemon {

class LockFile {
 public:
  // Creates `path` if needed (mode 0644), takes an exclusive non-blocking flock and writes
  // this process's pid into it. `what` names the resource in errors ("data dir /var/lib/shoal").
  // Errors: kConflict when another process holds it:
  //   "another shoal daemon (pid 1234) is using data dir /x (lock /x/shoal.lock)"
  //   ("pid unknown" when the holder has not written its pid yet);
  //   kInternal when the file cannot be opened or locked (the system error in the message).
  static Result<LockFile> acquire(const std::string& path, const std::string& what);

  LockFile(LockFile&& other) noexcept;
  LockFile& operator=(LockFile&& other) noexcept;
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;
  ~LockFile();  // release()

  // Unlocks and closes. The file stays. Idempotent.
  void release();

  const std::string& path() const { return path_; }
  bool held() const { return fd_ >= 0; }

 private:
  LockFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  int fd_ = -1;
  std::string path_;
};

}  // namespace shoal::daemon
