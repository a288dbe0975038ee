#include "common/go_json_string.h"

#include <cstdint>

namespace shoal {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence starting at s[i] (2 to 4), or 0 if invalid there (Go's
// utf8.DecodeRuneInString rules: no overlongs, no surrogates, nothing above U+10FFFF).
// Sets `rune` to the decoded code point.
size_t utf8_sequence(std::string_view s, size_t i, uint32_t& rune) {
  const auto c0 = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  uint32_t min = 0;
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    n = 2, rune = c0 & 0x1F, min = 0x80;
  } else if (c0 >= 0xE0 && c0 <= 0xEF) {
    n = 3, rune = c0 & 0x0F, min = 0x800;
  } else if (c0 >= 0xF0 && c0 <= 0xF4) {
    n = 4, rune = c0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if (!is_continuation(c)) return 0;
    rune = (rune << 6) | (c & 0x3F);
  }
  if (rune < min || rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) return 0;
  return n;
}

// An ASCII byte that Go writes as is (escapeHTML on).
bool is_safe_ascii(unsigned char b) {
  return b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&';
}

void append_escaped_ascii(std::string& out, unsigned char b) {
  switch (b) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      out += "\\u00";
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
  }
}

}  // namespace

void append_go_json_escaped(std::string& out, std::string_view s) {
  // Runs of bytes that need no escape are appended at once.
  size_t start = 0;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (is_safe_ascii(b)) {
        ++i;
        continue;
      }
      out.append(s, start, i - start);
      append_escaped_ascii(out, b);
      start = ++i;
      continue;
    }
    uint32_t rune = 0;
    const size_t n = utf8_sequence(s, i, rune);
    if (n != 0 && rune != 0x2028 && rune != 0x2029) {
      i += n;
      continue;
    }
    out.append(s, start, i - start);
    out += n == 0 ? "\\ufffd" : (rune == 0x2028 ? "\\u2028" : "\\u2029");
    i += n == 0 ? 1 : n;
    start = i;
  }
  out.append(s, start, s.size() - start);
}

}  // namespace shoal
