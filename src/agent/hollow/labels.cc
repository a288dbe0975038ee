#include "agent/hollow/labels.h"

#include <charconv>
#include <limits>
#include <string>

namespace shoal::agent::hollow {

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

Status invalid_label(std::string_view key, std::string_view value, std::string_view why) {
  return error(Code::kInvalidArgument, "invalid label {}={}: {}", key, value, why);
}

// The label's value from the container's labels, else the task's; nullptr when absent.
const std::string* find_label(const api::Task& task, std::string_view key) {
  std::string k(key);
  if (task.Spec->ContainerSpec) {
    auto it = task.Spec->ContainerSpec->Labels.find(k);
    if (it != task.Spec->ContainerSpec->Labels.end()) return &it->second;
  }
  auto it = task.Labels.find(k);
  return it != task.Labels.end() ? &it->second : nullptr;
}

Result<std::optional<std::chrono::nanoseconds>> read_duration(const api::Task& task,
                                                              std::string_view key) {
  const std::string* value = find_label(task, key);
  if (value == nullptr) return std::optional<std::chrono::nanoseconds>();
  auto d = parse_go_duration(*value);
  if (!d.is_ok()) return invalid_label(key, *value, d.status().message());
  if (d->count() < 0) return invalid_label(key, *value, "negative duration");
  return std::optional<std::chrono::nanoseconds>(*d);
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

Result<Script> read_script(const api::Task& task) {
  Script script;
  std::optional<int64_t> fail_code;
  if (const std::string* value = find_label(task, kFailLabel)) {
    int64_t code = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), code);
    if (ec != std::errc() || end != value->data() + value->size()) {
      return invalid_label(kFailLabel, *value, "not an exit code");
    }
    fail_code = code;
  }
  SHOAL_ASSIGN_OR_RETURN(auto fail_after, read_duration(task, kFailAfterLabel));
  SHOAL_ASSIGN_OR_RETURN(auto complete_after, read_duration(task, kCompleteAfterLabel));

  std::optional<Script::Exit> failure;
  if (fail_code || fail_after) {
    failure = Script::Exit{fail_code.value_or(1), fail_after.value_or(std::chrono::nanoseconds(0))};
  }
  std::optional<Script::Exit> completion;
  if (complete_after) completion = Script::Exit{0, *complete_after};

  if (failure && (!completion || failure->after <= completion->after)) {
    script.exit = failure;
  } else {
    script.exit = completion;
  }
  return script;
}

}  // namespace shoal::agent::hollow
