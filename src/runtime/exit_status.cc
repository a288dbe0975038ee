#include "runtime/exit_status.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "common/cgroups.h"
#include "runtime/health.h"

namespace shoal::runtime {

std::optional<uint64_t> oom_kill_count(std::string_view file_text) {
  constexpr std::string_view kKey = "oom_kill ";
  size_t pos = 0;
  while (pos < file_text.size()) {
    size_t end = file_text.find('\n', pos);
    if (end == std::string_view::npos) end = file_text.size();
    std::string_view line = file_text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.starts_with(kKey)) continue;
    std::string_view digits = line.substr(kKey.size());
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && p != digits.data()) return n;
  }
  return std::nullopt;
}

bool oom_killed(const std::string& id) {
  for (const auto& root : cgroup_roots()) {
    for (const char* file : {"memory.oom_control", "memory.events"}) {
      std::ifstream in(root / "shoal" / id / file);
      if (!in) continue;
      std::stringstream text;
      text << in.rdbuf();
      if (oom_kill_count(text.str()).value_or(0) > 0) return true;
    }
  }
  return false;
}

agent::ExitStatus exit_status(int64_t code, bool unhealthy, bool oom_killed) {
  agent::ExitStatus exit{code, {}};
  if (code == 0) return exit;
  if (unhealthy) {
    exit.Err = fmt::format("task: non-zero exit ({}): {}", code, kUnhealthyError);
  } else if (oom_killed) {
    exit.Err = fmt::format("task: non-zero exit ({}): {}", code, kOomKilledCause);
  }
  return exit;
}

}  // namespace shoal::runtime
