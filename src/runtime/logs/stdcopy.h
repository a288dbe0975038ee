// Docker's multiplexed stream format (moby api/pkg/stdcopy), the body of GET
// /services/{id}/logs and /tasks/{id}/logs for non-TTY tasks: frames of an 8-byte header
// [stream, 0, 0, 0, size as big-endian uint32] followed by `size` bytes of payload. One log
// line per frame.
//
// And the payload of one log frame as moby's logstream.Write builds it:
//   [<RFC3339Nano, 9 fraction digits> ' '] [<details> ' '] <line>
// where details are the entry's attributes "k=v" comma-joined, keys sorted, both sides
// url.QueryEscape'd. The docker CLI parses exactly this (docker-cli-api.md §7.10).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace shoal::runtime::logs {

enum class FrameStream : uint8_t { kStdin = 0, kStdout = 1, kStderr = 2, kSystemErr = 3 };

inline constexpr size_t kFrameHeaderSize = 8;

// Appends one frame carrying `payload`. REQUIRES: payload.size() < 4 GiB.
void append_frame(std::string& out, FrameStream stream, std::string_view payload);

struct Frame {
  FrameStream stream = FrameStream::kStdout;
  std::string payload;
};

// Splits a whole multiplexed body into frames. Errors: kDataLoss for a truncated frame or an
// unknown stream byte.
Result<std::vector<Frame>> split_frames(std::string_view data);

// url.QueryEscape: letters, digits and "-_.~" kept, ' ' → '+', every other byte %XX.
std::string query_escape(std::string_view s);

// "k1=v1,k2=v2" (keys sorted, both escaped): the details part of a log payload.
std::string details_text(const std::map<std::string, std::string>& attrs);

struct PayloadOptions {
  bool timestamps = false;
  const std::string* details = nullptr;  // when set: details_text() of the entry's attrs
};

// The payload of one log frame (see above). A line without a trailing '\n' (cut at the size
// limit, or the last bytes before its stream closed) gets one, so every frame is one line.
std::string log_payload(Timestamp time, std::string_view line, const PayloadOptions& options);

}  // namespace shoal::runtime::logs
