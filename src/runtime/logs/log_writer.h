// The monitor's log file: the container's stdout and stderr bytes as json-file lines
// (runtime/logs/json_encode.h) in <state-dir>/container.log, rotated once to container.log.1
// when it would grow past its cap (so a task keeps at most twice the cap on disk).
//
// Lines are what the container wrote up to each '\n'; a line longer than kMaxLine is cut
// into pieces without '\n' (as Docker does at 16 KiB), and the bytes left when a stream
// closes are written as a last piece. Each stream has its own partial-line buffer, so stdout
// and stderr never mix inside one line.
//
// Used by shoal-monitor, so like json_encode.h it needs nothing but libc and libstdc++.
//
// Thread safety: none (the monitor is single-threaded).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/logs/json_encode.h"

namespace shoal::runtime::logs {

class LogWriter {
 public:
  static constexpr size_t kMaxLine = 16 * 1024;

  LogWriter(std::string dir, int64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Opens (creating or appending to) container.log. False on failure (errno set).
  bool open();

  // `data` was read from `stream` at `now_nanos`: writes its complete lines.
  void append(Stream stream, std::string_view data, int64_t now_nanos);
  // The stream closed: writes its partial line, if any.
  void finish(Stream stream, int64_t now_nanos);

 private:
  std::string& pending(Stream s) { return s == Stream::kStderr ? err_ : out_; }
  void emit(Stream stream, std::string_view piece, int64_t now_nanos);
  void write_out(const std::string& encoded);
  void rotate();

  const std::string dir_;
  const int64_t max_bytes_;
  int fd_ = -1;
  int64_t size_ = 0;
  std::string out_, err_;  // partial lines
  std::string encoded_;    // reused encode buffer
};

}  // namespace shoal::runtime::logs
