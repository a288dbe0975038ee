// Reading Docker's json-file log lines (json_encode.h writes them) back into entries.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"
#include "runtime/logs/json_encode.h"

namespace shoal::runtime::logs {

struct LogEntry {
  Stream stream = Stream::kStdout;
  Timestamp time;
  std::string log;  // the bytes written, with their trailing '\n' when the line had one
};

// Parses one line of a json-file log (without its terminating '\n').
// Errors: kDataLoss "malformed log line: ..." when it is not a JSON object with a string
// "log", "stream" stdout|stderr and an RFC 3339 "time".
Result<LogEntry> parse_json_line(std::string_view line);

}  // namespace shoal::runtime::logs
