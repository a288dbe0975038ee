// Go's time.ParseDuration syntax, which the docker CLI and shoal's own flags use for
// durations ("1h30m", "1.5s", "300ms").
//
// Thread safety: pure functions.
#pragma once

#include <chrono>
#include <string_view>

#include "common/status.h"

namespace shoal {

// An optional sign, then one or more decimal numbers (with optional fraction) each followed
// by a unit in ns, us, µs, ms, s, m, h; "0" alone is zero. Errors: kInvalidArgument
// "invalid duration <text>" (bad syntax, unknown unit, overflow).
Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

}  // namespace shoal
