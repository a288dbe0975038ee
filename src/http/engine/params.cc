#include "http/engine/params.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

namespace shoal::http::engine {

Result<uint64_t> version_param(const Request& request, std::string_view kind) {
  std::string_view raw = request.query.value("version");
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (!raw.empty() && ec == std::errc() && end == raw.data() + raw.size()) return value;
  if (kind == "secret" || kind == "config") {
    return error(Code::kInvalidArgument, "invalid {} version", kind);
  }
  std::string_view reason =
      ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax";
  return error(Code::kInvalidArgument,
               "invalid {} version '{}': strconv.ParseUint: parsing \"{}\": {}", kind, raw, raw,
               reason);
}

Result<bool> go_bool_param(const Request& request, std::string_view name, bool fallback) {
  std::string_view v = request.query.value(name);
  if (v.empty()) return fallback;
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False")
    return false;
  return error(Code::kInvalidArgument, "invalid value for {}: {}", name, v);
}

namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

// `seconds` * 1e9 + `nanos`, or nullopt when that leaves int64.
std::optional<int64_t> unix_nanos(int64_t seconds, int64_t nanos) {
  int64_t out = 0;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &out)) return std::nullopt;
  if (__builtin_add_overflow(out, nanos, &out)) return std::nullopt;
  if (out == std::numeric_limits<int64_t>::min()) return std::nullopt;  // the zero time
  return out;
}

bool parse_int64(std::string_view text, int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<Timestamp> parse_since(std::string_view text) {
  if (text.empty()) return Timestamp();
  auto bad = [&] {
    return error(Code::kInvalidArgument, "invalid value for \"since\": \"{}\"", text);
  };
  const size_t dot = text.find('.');
  int64_t s = 0, n = 0;
  if (!parse_int64(text.substr(0, dot), s)) return bad();
  if (dot != std::string_view::npos) {
    std::string_view frac = text.substr(dot + 1);
    if (frac.size() > 9 || !parse_int64(frac, n)) return bad();
    n = static_cast<int64_t>(static_cast<double>(n) *
                             std::pow(10.0, 9 - static_cast<int>(frac.size())));
  }
  if (s == 0 && n == 0) return Timestamp();
  auto nanos = unix_nanos(s, n);
  if (!nanos) return bad();
  return Timestamp::from_unix_nanos(*nanos);
}

Result<Timestamp> parse_until(std::string_view text) {
  const bool digits =
      !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
  int64_t seconds = 0;
  if (digits && parse_int64(text, seconds)) {
    if (auto nanos = unix_nanos(seconds, 0)) return Timestamp::from_unix_nanos(*nanos);
  } else if (!digits) {
    auto t = parse_rfc3339(std::string(text));
    if (t.is_ok()) return t;
  }
  return error(Code::kInvalidArgument, "invalid filter 'until={}'", text);
}

Result<Filters> filters_param(const Request& request,
                              std::initializer_list<std::string_view> accepted,
                              std::initializer_list<std::string_view> pattern_keys) {
  SHOAL_ASSIGN_OR_RETURN(Filters filters, Filters::parse(request.query.value("filters")));
  SHOAL_RETURN_IF_ERROR(filters.validate(accepted));
  for (std::string_view key : pattern_keys) SHOAL_RETURN_IF_ERROR(filters.compile_patterns(key));
  return filters;
}

}  // namespace shoal::http::engine
