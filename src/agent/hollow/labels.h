// The labels that script a hollow task's life, and Go's duration syntax they use.
//
//   shoal.hollow.fail=<exit code>          the task fails with this code (right after it
//                                          starts, unless fail-after says when)
//   shoal.hollow.fail-after=<duration>     the task fails after running this long (code from
//                                          shoal.hollow.fail, else 1)
//   shoal.hollow.complete-after=<duration> the task completes (exit 0) after running this
//                                          long; "0s" completes at once (job tasks)
// Without them a hollow task runs until it is shut down. When both a failure and a
// completion are scripted, the earlier one happens (the failure on a tie).
// Labels are read from the task's ContainerSpec.Labels, then the task's own Labels (the
// container's win).
//
// Thread safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "api/task.h"
#include "common/status.h"

namespace shoal::agent::hollow {

inline constexpr std::string_view kFailLabel = "shoal.hollow.fail";
inline constexpr std::string_view kFailAfterLabel = "shoal.hollow.fail-after";
inline constexpr std::string_view kCompleteAfterLabel = "shoal.hollow.complete-after";

// How a hollow task ends on its own, if it does.
struct Script {
  // The process exits with `exit_code` after running for `after`.
  struct Exit {
    int64_t exit_code = 0;
    std::chrono::nanoseconds after{0};
  };
  std::optional<Exit> exit;  // nullopt: runs until shut down
};

// Reads the task's script. Errors: kInvalidArgument "invalid label <key>=<value>: <why>"
// for an exit code that is not an integer, or a duration that is not Go syntax or is
// negative.
Result<Script> read_script(const api::Task& task);

}  // namespace shoal::agent::hollow
