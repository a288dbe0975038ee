// Swarmkit's defaults (api/defaults) for the settings a service may leave unset, and the
// orchestrators' own timing constants. One place, so the planners and their tests agree.
#pragma once

#include <chrono>
#include <cstdint>

#include "api/service.h"
#include "api/task_spec.h"

namespace shoal::manager::orchestrator {

using namespace std::chrono_literals;

// RestartPolicy: Condition any, Delay 5 s, no MaxAttempts, no Window.
inline constexpr api::RestartPolicyCondition kDefaultRestartCondition =
    api::RestartPolicyCondition::kAny;
inline constexpr std::chrono::nanoseconds kDefaultRestartDelay = 5s;

// UpdateConfig and RollbackConfig: Parallelism 1, Delay 0, FailureAction pause, Monitor 5 s,
// MaxFailureRatio 0, Order stop-first.
inline constexpr uint64_t kDefaultUpdateParallelism = 1;
inline constexpr std::chrono::nanoseconds kDefaultUpdateMonitor = 5s;

// Cluster Spec.Orchestration.TaskHistoryRetentionLimit when unset.
inline constexpr int64_t kDefaultTaskHistoryRetentionLimit = 5;

// How long a replacement waits for the task it replaces to stop before starting anyway
// (swarmkit restart.defaultOldTaskTimeout).
inline constexpr std::chrono::nanoseconds kOldTaskTimeout = 1min;

// ReplicatedService.Replicas and ReplicatedJob.MaxConcurrent when unset; TotalCompletions
// defaults to MaxConcurrent (moby's convert).
inline constexpr uint64_t kDefaultReplicas = 1;
inline constexpr uint64_t kDefaultMaxConcurrent = 1;

// The update (or rollback) settings a service runs with: its config with swarmkit's defaults
// filled in. `rollback` selects RollbackConfig.
api::UpdateConfig effective_update_config(const api::ServiceSpec& spec, bool rollback);

// The monitor period of `config` (Monitor, or the 5 s default when zero).
std::chrono::nanoseconds monitor_period(const api::UpdateConfig& config);

}  // namespace shoal::manager::orchestrator
