// Tasks (moby api/types/swarm task.go): Task, TaskStatus, ContainerStatus, PortStatus, and
// TaskState.
//
// Memory: a store holds up to millions of tasks, so Task is kept lean. Its Spec is a
// shared_ptr to an immutable TaskSpec that all tasks of one service version share; it is never
// null (default and decoded tasks point at TaskSpec::empty() or a decoded spec). To change a
// task's spec, point it at another TaskSpec; never mutate a shared one.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/common.h"
#include "api/enum.h"
#include "api/network.h"
#include "api/task_spec.h"

namespace shoal::api {

// Members are in swarmkit's lifecycle order, so `state > TaskState::kRunning` means "ended"
// as in swarmkit (kUnset orders first).
enum class TaskState : uint8_t {
  kUnset,
  kNew,
  kAllocated,
  kPending,
  kAssigned,
  kAccepted,
  kPreparing,
  kReady,
  kStarting,
  kRunning,
  kComplete,
  kShutdown,
  kFailed,
  kRejected,
  kRemove,
  kOrphaned,
};
template <>
struct EnumNames<TaskState> {
  static constexpr std::array<std::string_view, 16> kNames{
      "",          "new",      "allocated", "pending", "assigned", "accepted",
      "preparing", "ready",    "starting",  "running", "complete", "shutdown",
      "failed",    "rejected", "remove",    "orphaned"};
};

// The task's container as the agent last saw it.
struct ContainerStatus {
  std::string ContainerID;
  int64_t PID = 0;
  int64_t ExitCode = 0;
};

// Host-mode published ports of the task.
struct PortStatus {
  std::vector<PortConfig> Ports;
};

struct TaskStatus {
  shoal::Timestamp Timestamp;
  TaskState State = TaskState::kUnset;
  std::string Message;
  std::string Err;
  std::optional<api::ContainerStatus> ContainerStatus;
  api::PortStatus PortStatus;
};

struct Task : Meta, Annotations {
  std::string ID;
  std::shared_ptr<const TaskSpec> Spec = TaskSpec::empty();
  std::string ServiceID;
  // 1-based slot of a replicated task; 0 for global tasks; 0-based for replicated jobs.
  int64_t Slot = 0;
  std::string NodeID;
  TaskStatus Status;
  TaskState DesiredState = TaskState::kUnset;
  std::vector<NetworkAttachment> NetworksAttachments;
  std::vector<GenericResource> GenericResources;
  // The service's JobStatus.JobIteration when this job task was created; unset otherwise.
  std::optional<api::Version> JobIteration;
  // swarmkit's Task.Endpoint (not in Docker's Task): the service's Endpoint (published
  // ports, VIPs) as the allocator saw it when it allocated this task, so a node can publish
  // the task's ports without the service. Null when the service has no endpoint; shared
  // and immutable like Spec.
  std::shared_ptr<const api::Endpoint> Endpoint;
};

}  // namespace shoal::api
