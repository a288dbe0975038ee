// Writing Docker's json-file log format: one JSON object per line,
//   {"log":"hello\n","stream":"stdout","time":"2024-05-01T10:00:00.123456789Z"}
// where "log" holds the bytes the container wrote, up to and including the newline (a line
// cut at the size limit, or the last bytes before the stream closed, have none).
//
// This file is shared by the daemon and the shoal-monitor process, which links nothing but
// libc and libstdc++: it uses no fmt, spdlog or JSON library, only std::string. Reading the
// format back is json_line.h (with nlohmann-json, daemon side).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shoal::runtime::logs {

// Which output of the container a line came from; the values are stdcopy's stream bytes.
enum class Stream : uint8_t { kStdout = 1, kStderr = 2 };

std::string_view stream_name(Stream stream);  // "stdout" | "stderr"

// Appends "2006-01-02T15:04:05.000000000Z" (UTC, always 9 fraction digits: the fixed-width
// form Docker puts before log lines with `timestamps=1`) for `unix_nanos`.
// REQUIRES: 0 <= unix_nanos (times before 1970 do not occur in logs).
void append_rfc3339_fixed(std::string& out, int64_t unix_nanos);

// Appends `s` as the inside of a JSON string (no quotes), escaped as Go's encoding/json
// does (common/go_json_string.h).
void append_json_escaped(std::string& out, std::string_view s);

// Appends one json-file line for `log` (with its trailing '\n' if it had one) followed by
// '\n'. REQUIRES: 0 <= unix_nanos.
void append_json_line(std::string& out, std::string_view log, Stream stream, int64_t unix_nanos);

}  // namespace shoal::runtime::logs
