// What a task runs and under which constraints (moby api/types/swarm task.go and runtime/):
// TaskSpec (a service's TaskTemplate; shared, immutable, by all tasks of one service version),
// with ResourceRequirements, RestartPolicy, Placement, the plugin and network-attachment
// runtimes, and the RuntimeType enum.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/common.h"
#include "api/container.h"
#include "api/enum.h"
#include "api/network.h"

namespace shoal::api {

// Go RuntimeType; kNetworkAttachment is spelled "attachment".
enum class RuntimeType : uint8_t { kUnset, kContainer, kPlugin, kNetworkAttachment };
template <>
struct EnumNames<RuntimeType> {
  static constexpr std::array<std::string_view, 4> kNames{"", "container", "plugin", "attachment"};
};

// Go RuntimeURL values.
inline constexpr std::string_view kRuntimeURLContainer = "types.docker.com/RuntimeContainer";
inline constexpr std::string_view kRuntimeURLPlugin = "types.docker.com/RuntimePlugin";

namespace runtime {
// Go runtime.PluginPrivilege (protobuf; JSON keys are lower-case).
struct PluginPrivilege {
  std::string Name;
  std::string Description;
  std::vector<std::string> Value;
};

// Go runtime.PluginSpec (protobuf; JSON keys are lower-case).
struct PluginSpec {
  std::string Name;
  std::string Remote;
  std::vector<PluginPrivilege> Privileges;
  bool Disabled = false;
  std::vector<std::string> Env;
};
}  // namespace runtime

// Spec of a network-attachment task (a container attached to a swarm network).
struct NetworkAttachmentSpec {
  std::string ContainerID;
};

struct ResourceRequirements {
  std::optional<Limit> Limits;
  std::optional<api::Resources> Reservations;
};

enum class RestartPolicyCondition : uint8_t { kUnset, kNone, kOnFailure, kAny };
template <>
struct EnumNames<RestartPolicyCondition> {
  static constexpr std::array<std::string_view, 4> kNames{"", "none", "on-failure", "any"};
};

struct RestartPolicy {
  RestartPolicyCondition Condition = RestartPolicyCondition::kUnset;
  std::optional<std::chrono::nanoseconds> Delay;
  std::optional<uint64_t> MaxAttempts;
  std::optional<std::chrono::nanoseconds> Window;
};

struct SpreadOver {
  // Label descriptor, e.g. "node.labels.datacenter".
  std::string SpreadDescriptor;
};

struct PlacementPreference {
  std::optional<SpreadOver> Spread;
};

struct Placement {
  std::vector<std::string> Constraints;
  std::vector<PlacementPreference> Preferences;
  // Maximum tasks of the service per node; 0 = unlimited.
  uint64_t MaxReplicas = 0;
  // Platforms the service's image supports (from the registry); empty = any.
  std::vector<Platform> Platforms;
};

// Exactly one of ContainerSpec, PluginSpec, NetworkAttachmentSpec describes the runtime.
struct TaskSpec {
  std::optional<api::ContainerSpec> ContainerSpec;
  std::optional<runtime::PluginSpec> PluginSpec;
  std::optional<api::NetworkAttachmentSpec> NetworkAttachmentSpec;
  std::optional<ResourceRequirements> Resources;
  std::optional<api::RestartPolicy> RestartPolicy;
  std::optional<api::Placement> Placement;
  std::vector<NetworkAttachmentConfig> Networks;
  // Falls back to the cluster's TaskDefaults.LogDriver, then the engine default.
  std::optional<Driver> LogDriver;
  // A counter that forces a redeploy when changed.
  uint64_t ForceUpdate = 0;
  RuntimeType Runtime = RuntimeType::kUnset;
  // Not Docker's: the service's name (swarmkit's Task.ServiceAnnotations.Name), so the node
  // running a task can expand {{.Service.Name}} and {{.Task.Name}}. Set by the manager; the
  // control API strips it from every answer.
  std::string ServiceName;

  // A shared empty spec: the value of Task::Spec until one is set. Never null.
  static const std::shared_ptr<const TaskSpec>& empty();
};

}  // namespace shoal::api
