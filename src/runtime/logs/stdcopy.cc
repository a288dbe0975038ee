#include "runtime/logs/stdcopy.h"

#include "runtime/logs/json_encode.h"

namespace shoal::runtime::logs {

void append_frame(std::string& out, FrameStream stream, std::string_view payload) {
  uint32_t size = static_cast<uint32_t>(payload.size());
  char header[kFrameHeaderSize] = {static_cast<char>(stream),
                                   0,
                                   0,
                                   0,
                                   static_cast<char>(size >> 24),
                                   static_cast<char>(size >> 16),
                                   static_cast<char>(size >> 8),
                                   static_cast<char>(size)};
  out.append(header, kFrameHeaderSize);
  out.append(payload);
}

Result<std::vector<Frame>> split_frames(std::string_view data) {
  std::vector<Frame> frames;
  while (!data.empty()) {
    if (data.size() < kFrameHeaderSize) {
      return error(Code::kDataLoss, "truncated frame header ({} bytes)", data.size());
    }
    auto byte = [&](size_t i) {
      return static_cast<uint32_t>(static_cast<unsigned char>(data[i]));
    };
    if (byte(0) > 3) return error(Code::kDataLoss, "unknown stream {} in frame header", byte(0));
    uint32_t size = byte(4) << 24 | byte(5) << 16 | byte(6) << 8 | byte(7);
    if (data.size() - kFrameHeaderSize < size) {
      return error(Code::kDataLoss, "truncated frame: {} of {} payload bytes",
                   data.size() - kFrameHeaderSize, size);
    }
    frames.push_back(
        Frame{static_cast<FrameStream>(byte(0)), std::string(data.substr(kFrameHeaderSize, size))});
    data.remove_prefix(kFrameHeaderSize + size);
  }
  return frames;
}

std::string query_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || c == '~';
    if (keep) {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string details_text(const std::map<std::string, std::string>& attrs) {
  std::string out;
  for (const auto& [key, value] : attrs) {
    if (!out.empty()) out += ',';
    out += query_escape(key);
    out += '=';
    out += query_escape(value);
  }
  return out;
}

std::string log_payload(Timestamp time, std::string_view line, const PayloadOptions& options) {
  std::string out;
  out.reserve(line.size() + 48 + (options.details ? options.details->size() + 1 : 0));
  if (options.timestamps) {
    append_rfc3339_fixed(out, time.is_zero() ? 0 : time.unix_nanos());
    out += ' ';
  }
  if (options.details) {
    out += *options.details;
    out += ' ';
  }
  out += line;
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

}  // namespace shoal::runtime::logs
