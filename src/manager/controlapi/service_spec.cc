// Service spec normalization and the insertDefaults view (see service_spec.h).
#include "manager/controlapi/service_spec.h"

#include <chrono>

#include "manager/controlapi/names.h"

namespace shoal::manager::controlapi {
namespace {

using std::chrono::seconds;

int count_modes(const api::ServiceMode& mode) {
  return int(mode.Replicated.has_value()) + int(mode.Global.has_value()) +
         int(mode.ReplicatedJob.has_value()) + int(mode.GlobalJob.has_value());
}

void normalize_mode(api::ServiceMode& mode) {
  if (mode.Global || mode.GlobalJob) return;
  if (mode.ReplicatedJob) {
    api::ReplicatedJob& job = *mode.ReplicatedJob;
    if (!job.MaxConcurrent) job.MaxConcurrent = 1;
    if (!job.TotalCompletions) job.TotalCompletions = job.MaxConcurrent;
    return;
  }
  if (!mode.Replicated) mode.Replicated.emplace();
  if (!mode.Replicated->Replicas) mode.Replicated->Replicas = 1;
}

void normalize_update_config(std::optional<api::UpdateConfig>& config) {
  if (!config) return;
  if (config->FailureAction == api::UpdateFailureAction::kUnset) {
    config->FailureAction = api::UpdateFailureAction::kPause;
  }
  if (config->Order == api::UpdateOrder::kUnset) config->Order = api::UpdateOrder::kStopFirst;
}

void normalize_endpoint(std::optional<api::EndpointSpec>& endpoint) {
  if (!endpoint) return;
  if (endpoint->Mode == api::ResolutionMode::kUnset) endpoint->Mode = api::ResolutionMode::kVIP;
  for (api::PortConfig& port : endpoint->Ports) {
    if (port.Protocol == api::PortConfigProtocol::kUnset)
      port.Protocol = api::PortConfigProtocol::kTCP;
    if (port.PublishMode == api::PortConfigPublishMode::kUnset) {
      port.PublishMode = api::PortConfigPublishMode::kIngress;
    }
  }
}

api::UpdateConfig default_update_config() {
  api::UpdateConfig config;
  config.Parallelism = 1;
  config.FailureAction = api::UpdateFailureAction::kPause;
  config.Monitor = seconds(5);
  config.Order = api::UpdateOrder::kStopFirst;
  return config;
}

void interpolate_update_config(std::optional<api::UpdateConfig>& config) {
  if (!config) {
    config = default_update_config();
  } else if (config->Monitor == std::chrono::nanoseconds(0)) {
    config->Monitor = seconds(5);
  }
}

}  // namespace

ModeKind mode_kind(const api::ServiceSpec& spec) {
  if (spec.Mode.Global) return ModeKind::kGlobal;
  if (spec.Mode.ReplicatedJob) return ModeKind::kReplicatedJob;
  if (spec.Mode.GlobalJob) return ModeKind::kGlobalJob;
  return ModeKind::kReplicated;
}

std::string_view mode_name(ModeKind kind) {
  switch (kind) {
    case ModeKind::kReplicated:
      return "replicated";
    case ModeKind::kGlobal:
      return "global";
    case ModeKind::kReplicatedJob:
      return "replicated-job";
    case ModeKind::kGlobalJob:
      return "global-job";
  }
  return "replicated";
}

bool is_job(const api::ServiceSpec& spec) {
  return spec.Mode.ReplicatedJob.has_value() || spec.Mode.GlobalJob.has_value();
}

Result<api::ServiceSpec> normalize_service_spec(api::ServiceSpec spec, const RandomBytes& random) {
  if (spec.Name.empty()) spec.Name = random_name(random);
  api::TaskSpec& task = spec.TaskTemplate;
  switch (task.Runtime) {
    case api::RuntimeType::kUnset:
    case api::RuntimeType::kContainer:
      if (!task.ContainerSpec) {
        return Status(Code::kInvalidArgument, "mismatched Runtime and *Spec fields");
      }
      task.Runtime = api::RuntimeType::kContainer;
      break;
    case api::RuntimeType::kPlugin:
    case api::RuntimeType::kNetworkAttachment:
      return Status(Code::kInvalidArgument, "unsupported runtime");
  }
  if (count_modes(spec.Mode) > 1) {
    return Status(Code::kInvalidArgument, "must specify only one service mode");
  }
  normalize_mode(spec.Mode);
  if (task.ContainerSpec->Isolation == api::Isolation::kUnset) {
    task.ContainerSpec->Isolation = api::Isolation::kDefault;
  }
  if (task.RestartPolicy) {
    if (task.RestartPolicy->Condition == api::RestartPolicyCondition::kUnset) {
      task.RestartPolicy->Condition = api::RestartPolicyCondition::kAny;
    }
    if (!task.RestartPolicy->MaxAttempts) task.RestartPolicy->MaxAttempts = 0;
  }
  normalize_update_config(spec.UpdateConfig);
  normalize_update_config(spec.RollbackConfig);
  normalize_endpoint(spec.EndpointSpec);
  return spec;
}

api::ServiceSpec insert_defaults(api::ServiceSpec spec) {
  api::TaskSpec& task = spec.TaskTemplate;
  if (task.ContainerSpec) {
    if (!task.ContainerSpec->StopGracePeriod) task.ContainerSpec->StopGracePeriod = seconds(10);
    if (!task.ContainerSpec->DNSConfig) task.ContainerSpec->DNSConfig.emplace();
  }
  if (!task.Resources) task.Resources.emplace();
  if (!task.RestartPolicy) {
    task.RestartPolicy =
        api::RestartPolicy{api::RestartPolicyCondition::kAny, seconds(5), 0, std::nullopt};
  } else if (!task.RestartPolicy->Delay) {
    task.RestartPolicy->Delay = seconds(5);
  }
  if (!task.Placement) task.Placement.emplace();
  interpolate_update_config(spec.UpdateConfig);
  interpolate_update_config(spec.RollbackConfig);
  return spec;
}

bool needs_ingress(const api::ServiceSpec& spec) {
  if (!spec.EndpointSpec) return false;
  for (const api::PortConfig& port : spec.EndpointSpec->Ports) {
    if (port.PublishMode == api::PortConfigPublishMode::kIngress) return true;
  }
  return false;
}

}  // namespace shoal::manager::controlapi
