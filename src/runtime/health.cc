#include "runtime/health.h"

namespace shoal::runtime {

std::optional<HealthCheck> resolve_health(const std::optional<api::HealthConfig>& spec,
                                          const image::ImageConfig& image) {
  HealthCheck check;
  check.test = image.HealthcheckTest;
  if (image.HealthcheckInterval > 0)
    check.interval = std::chrono::nanoseconds(image.HealthcheckInterval);
  if (image.HealthcheckTimeout > 0)
    check.timeout = std::chrono::nanoseconds(image.HealthcheckTimeout);
  if (image.HealthcheckStartPeriod > 0) {
    check.start_period = std::chrono::nanoseconds(image.HealthcheckStartPeriod);
  }
  if (image.HealthcheckRetries > 0) check.retries = image.HealthcheckRetries;
  if (spec) {
    if (!spec->Test.empty()) check.test = spec->Test;
    if (spec->Interval.count() > 0) check.interval = spec->Interval;
    if (spec->Timeout.count() > 0) check.timeout = spec->Timeout;
    if (spec->StartPeriod.count() > 0) check.start_period = spec->StartPeriod;
    if (spec->Retries > 0) check.retries = spec->Retries;
  }
  if (check.test.empty() || check.test.front() == "NONE") return std::nullopt;
  return check;
}

std::vector<std::string> probe_argv(const HealthCheck& check) {
  const auto& t = check.test;
  if (t.size() >= 2 && t[0] == "CMD") return std::vector<std::string>(t.begin() + 1, t.end());
  if (t.size() == 2 && t[0] == "CMD-SHELL") return {"/bin/sh", "-c", t[1]};
  return {};
}

HealthState on_probe(const HealthState& state, const HealthCheck& check, Timestamp started,
                     Timestamp probe_start, bool passed) {
  HealthState next = state;
  if (passed) {
    next.failing_streak = 0;
    next.status = HealthStatus::kHealthy;
    return next;
  }
  if (state.status == HealthStatus::kStarting && probe_start - started < check.start_period) {
    return next;  // failures within the start period do not count
  }
  next.failing_streak++;
  if (next.failing_streak >= check.retries) next.status = HealthStatus::kUnhealthy;
  return next;
}

}  // namespace shoal::runtime
