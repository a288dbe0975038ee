// The scalar leaves of the text encoder: Go-compatible string escaping and number text.
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "api/json/base64.h"
#include "api/json/text_encoder.h"

namespace shoal::api::json {
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
  if (c0 >= 0xC2 && c0 <= 0xDF) n = 2, rune = c0 & 0x1F, min = 0x80;
  else if (c0 >= 0xE0 && c0 <= 0xEF) n = 3, rune = c0 & 0x0F, min = 0x800;
  else if (c0 >= 0xF0 && c0 <= 0xF4) n = 4, rune = c0 & 0x07, min = 0x10000;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if (!is_continuation(c)) return 0;
    rune = (rune << 6) | (c & 0x3F);
  }
  if (rune < min || rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) return 0;
  return n;
}

void append_u00(std::string& out, unsigned char b) {
  out += "\\u00";
  out += kHex[b >> 4];
  out += kHex[b & 0xF];
}

// An ASCII byte that Go writes as is (escapeHTML on).
bool is_safe_ascii(unsigned char b) {
  return b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&';
}

void append_escaped_ascii(std::string& out, unsigned char b) {
  switch (b) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default: append_u00(out, b);
  }
}

// Rewrites fmt's shortest "d.ddde-XX" as plain decimal digits ("0.00000123").
std::string expand_exponent(const std::string& shortest) {
  const size_t e = shortest.find('e');
  const int exponent = std::stoi(shortest.substr(e + 1));
  std::string mantissa = shortest.substr(0, e);
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  // value = 0.digits * 10^(exponent + 1)
  const int point = exponent + 1;
  std::string out = negative ? "-" : "";
  if (point <= 0) {
    out += "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out += digits + std::string(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out += digits.substr(0, static_cast<size_t>(point)) + "." + digits.substr(static_cast<size_t>(point));
  }
  return out;
}

}  // namespace

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
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
  out += '"';
}

void append_number(std::string& out, int64_t v) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, end);
}

void append_number(std::string& out, uint64_t v) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, end);
}

void append_float32(std::string& out, float v) {
  const float a = std::fabs(v);
  std::string shortest = fmt::format("{}", v);
  const bool go_uses_exponent = a != 0 && (a < 1e-6f || a >= 1e21f);
  if (go_uses_exponent) {
    // Go cleans "e-07" to "e-7".
    const size_t e = shortest.find('e');
    if (e != std::string::npos && e + 3 < shortest.size() && shortest[e + 1] == '-' &&
        shortest[e + 2] == '0') {
      shortest.erase(e + 2, 1);
    }
  } else if (shortest.find('e') != std::string::npos) {
    shortest = expand_exponent(shortest);
  }
  out += shortest;
}

void write_value(std::string& out, const Bytes& v, Tag) {
  out += '"';
  out += base64_encode(v);
  out += '"';
}

void write_value(std::string& out, Timestamp v, Tag) {
  out += '"';
  append_rfc3339_nano(out, v);
  out += '"';
}

}  // namespace shoal::api::json
