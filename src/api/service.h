// Services (moby api/types/swarm service.go): Service, ServiceSpec, ServiceMode (replicated,
// global, and the v1.41 jobs), UpdateConfig (also used for rollback), UpdateStatus,
// ServiceStatus, JobStatus, their enums, and the create/update responses.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/common.h"
#include "api/enum.h"
#include "api/network.h"
#include "api/task_spec.h"

namespace shoal::api {

struct ReplicatedService {
  // Unset in a request means 1 (the server fills it in).
  std::optional<uint64_t> Replicas;
};

struct GlobalService {};

// A job run to TotalCompletions completions, MaxConcurrent at a time.
struct ReplicatedJob {
  std::optional<uint64_t> MaxConcurrent;
  std::optional<uint64_t> TotalCompletions;
};

// A job run once on every eligible node.
struct GlobalJob {};

// Exactly one member is set.
struct ServiceMode {
  std::optional<ReplicatedService> Replicated;
  std::optional<GlobalService> Global;
  std::optional<api::ReplicatedJob> ReplicatedJob;
  std::optional<api::GlobalJob> GlobalJob;
};

// Go UpdateFailureAction* constants (a plain string in Go).
enum class UpdateFailureAction : uint8_t { kUnset, kPause, kContinue, kRollback };
template <>
struct EnumNames<UpdateFailureAction> {
  static constexpr std::array<std::string_view, 4> kNames{"", "pause", "continue", "rollback"};
};

// Go UpdateOrder* constants (a plain string in Go).
enum class UpdateOrder : uint8_t { kUnset, kStopFirst, kStartFirst };
template <>
struct EnumNames<UpdateOrder> {
  static constexpr std::array<std::string_view, 3> kNames{"", "stop-first", "start-first"};
};

// How a rolling update (or rollback) proceeds.
struct UpdateConfig {
  // Tasks updated at once; 0 = all at once.
  uint64_t Parallelism = 0;
  // Pause between batches.
  std::chrono::nanoseconds Delay{0};
  UpdateFailureAction FailureAction = UpdateFailureAction::kUnset;
  // How long a new task is watched for failure; 0 = the default.
  std::chrono::nanoseconds Monitor{0};
  // Fraction of updated tasks that may fail before FailureAction applies.
  float MaxFailureRatio = 0;
  UpdateOrder Order = UpdateOrder::kUnset;
};

struct ServiceSpec : Annotations {
  TaskSpec TaskTemplate;
  ServiceMode Mode;
  std::optional<api::UpdateConfig> UpdateConfig;
  std::optional<api::UpdateConfig> RollbackConfig;
  // Deprecated: use TaskTemplate.Networks.
  std::vector<NetworkAttachmentConfig> Networks;
  std::optional<api::EndpointSpec> EndpointSpec;
};

enum class UpdateState : uint8_t {
  kUnset,
  kUpdating,
  kPaused,
  kCompleted,
  kRollbackStarted,
  kRollbackPaused,
  kRollbackCompleted,
};
template <>
struct EnumNames<UpdateState> {
  static constexpr std::array<std::string_view, 7> kNames{"",
                                                          "updating",
                                                          "paused",
                                                          "completed",
                                                          "rollback_started",
                                                          "rollback_paused",
                                                          "rollback_completed"};
};

struct UpdateStatus {
  UpdateState State = UpdateState::kUnset;
  std::optional<Timestamp> StartedAt;
  std::optional<Timestamp> CompletedAt;
  std::string Message;
};

// Task counts, returned with GET /services?status=true.
struct ServiceStatus {
  uint64_t RunningTasks = 0;
  uint64_t DesiredTasks = 0;
  uint64_t CompletedTasks = 0;
};

// Progress of a job service.
struct JobStatus {
  // Incremented on every (re)start of the job; tasks carry the iteration they belong to.
  Version JobIteration;
  Timestamp LastExecution;
};

struct Service : Meta {
  std::string ID;
  ServiceSpec Spec;
  std::optional<ServiceSpec> PreviousSpec;
  api::Endpoint Endpoint;
  std::optional<api::UpdateStatus> UpdateStatus;
  std::optional<api::ServiceStatus> ServiceStatus;
  std::optional<api::JobStatus> JobStatus;
};

// Response of POST /services/create.
struct ServiceCreateResponse {
  std::string ID;
  std::vector<std::string> Warnings;
};

// Response of POST /services/{id}/update.
struct ServiceUpdateResponse {
  std::vector<std::string> Warnings;
};

}  // namespace shoal::api
