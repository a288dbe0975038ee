// The scalar leaves of the text encoder: Go-compatible string escaping and number text.
#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "api/json/base64.h"
#include "api/json/text_encoder.h"
#include "common/go_json_string.h"

namespace shoal::api::json {
namespace {

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
    out += digits.substr(0, static_cast<size_t>(point)) + "." +
           digits.substr(static_cast<size_t>(point));
  }
  return out;
}

}  // namespace

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  append_go_json_escaped(out, s);
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
