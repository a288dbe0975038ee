// Container healthchecks as Docker runs them (moby daemon/health.go), as a pure state
// machine: the executor runs the probes (runc exec, on the event loop's timers) and feeds
// each result here.
//
//   - the check is ContainerSpec.Healthcheck over the image's HEALTHCHECK: a Test of {} or
//     zero durations inherit the image's; {"NONE"} disables it;
//   - Interval 30 s, Timeout 30 s, Retries 3, StartPeriod 0 when unset (Docker's defaults);
//   - a probe passes with exit code 0; anything else (or running past Timeout) fails it;
//   - a pass resets the failing streak and makes the container healthy; a failure while still
//     "starting" and within StartPeriod of the start does not count; otherwise the streak
//     grows and reaching Retries makes the container unhealthy.
// An unhealthy task is stopped by the executor and fails with Docker's swarm error
// "task: non-zero exit (<code>): dockerexec: unhealthy container".
//
// Thread safety: pure functions and values.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "api/container.h"
#include "common/time.h"
#include "runtime/image/image.h"

namespace shoal::runtime {

inline constexpr std::chrono::seconds kDefaultHealthInterval{30};
inline constexpr std::chrono::seconds kDefaultHealthTimeout{30};
inline constexpr int64_t kDefaultHealthRetries = 3;
inline constexpr std::string_view kUnhealthyError = "dockerexec: unhealthy container";

struct HealthCheck {
  std::vector<std::string> test;  // {"CMD", args...} or {"CMD-SHELL", command}
  std::chrono::nanoseconds interval = kDefaultHealthInterval;
  std::chrono::nanoseconds timeout = kDefaultHealthTimeout;
  std::chrono::nanoseconds start_period{0};
  int64_t retries = kDefaultHealthRetries;
};

// The check a container runs, or nullopt when it has none (no test anywhere, or NONE).
std::optional<HealthCheck> resolve_health(const std::optional<api::HealthConfig>& spec,
                                          const image::ImageConfig& image);

// The argv a probe runs in the container: CMD → its args; CMD-SHELL → /bin/sh -c <command>.
// Empty for a malformed test (a probe of it fails).
std::vector<std::string> probe_argv(const HealthCheck& check);

enum class HealthStatus : uint8_t { kStarting, kHealthy, kUnhealthy };

struct HealthState {
  HealthStatus status = HealthStatus::kStarting;
  int64_t failing_streak = 0;
};

// The state after a probe that started at `probe_start` (the container started at
// `started`) and passed or not.
HealthState on_probe(const HealthState& state, const HealthCheck& check, Timestamp started,
                     Timestamp probe_start, bool passed);

}  // namespace shoal::runtime
