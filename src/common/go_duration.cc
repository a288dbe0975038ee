#include "common/go_duration.h"

#include <limits>

namespace shoal {
namespace {

// Nanoseconds per unit, or 0 for an unknown unit.
int64_t unit_nanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1'000;  // µs, μs
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return 0;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses one "<number><unit>" at the front of `s`, adding its value to `total`.
bool parse_component(std::string_view& s, __int128& total) {
  size_t i = 0;
  __int128 whole = 0;
  bool any_digit = false;
  while (i < s.size() && is_digit(s[i])) {
    whole = whole * 10 + (s[i] - '0');
    if (whole > std::numeric_limits<int64_t>::max()) return false;
    any_digit = true;
    ++i;
  }
  __int128 frac = 0, frac_scale = 1;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) {
      if (frac_scale < 1'000'000'000'000'000'000) {  // digits past 1e-18 do not matter
        frac = frac * 10 + (s[i] - '0');
        frac_scale *= 10;
      }
      any_digit = true;
      ++i;
    }
  }
  if (!any_digit) return false;
  size_t unit_start = i;
  while (i < s.size() && !is_digit(s[i]) && s[i] != '.') ++i;
  int64_t unit = unit_nanos(s.substr(unit_start, i - unit_start));
  if (unit == 0) return false;
  total += whole * unit + frac * unit / frac_scale;
  if (total > std::numeric_limits<int64_t>::max()) return false;
  s.remove_prefix(i);
  return true;
}

}  // namespace

Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  auto invalid = [&] { return error(Code::kInvalidArgument, "invalid duration {}", text); };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return invalid();
  __int128 total = 0;
  while (!s.empty()) {
    if (!parse_component(s, total)) return invalid();
  }
  auto ns = static_cast<int64_t>(total);
  return std::chrono::nanoseconds(negative ? -ns : ns);
}

}  // namespace shoal
