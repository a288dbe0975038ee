// Small system helpers of shoal-monitor (libc only).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace shoal::monitor {

// CLOCK_REALTIME in nanoseconds since the epoch.
int64_t now_nanos();
// write(2) until all of `data` is written or an error other than EINTR.
void write_all(int fd, std::string_view data);
// Whether `pid` has a handler for `sig` (SigCgt in /proc/<pid>/status); true when unknown.
bool catches(pid_t pid, int sig);
// The first 256 bytes of a small file ("" when unreadable).
std::string read_small_file(const std::string& path);
// Writes `content` to dir/name atomically (temp file, fsync, rename); best effort.
void write_file_atomic(const std::string& dir, std::string_view name, std::string_view content);

}  // namespace shoal::monitor
