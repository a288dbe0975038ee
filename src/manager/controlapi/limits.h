// Bounds a manager puts on what one request may ask for, beyond Docker's own rules, so
// that no request makes unbounded work (one service of 2^63 replicas would otherwise be
// accepted, stored, and planned again after every restart). Operators raise them with
// daemon flags.
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>

#include "api/service.h"
#include "common/status.h"

namespace shoal::manager::controlapi {

// Large enough for one service of the million-task benchmark.
inline constexpr uint64_t kDefaultMaxReplicas = 1'000'000;

struct Limits {
  // The largest Replicated.Replicas, ReplicatedJob.MaxConcurrent or TotalCompletions a
  // service may have (`shoal daemon --max-replicas`).
  uint64_t max_replicas = kDefaultMaxReplicas;
};

// OK when `spec` stays within `limits`. Errors: kInvalidArgument naming the field, the
// value, the limit and the flag that raises it.
Status check_limits(const api::ServiceSpec& spec, const Limits& limits);

}  // namespace shoal::manager::controlapi
