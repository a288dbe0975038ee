// swarmkit's validateServiceSpec (manager/controlapi/service.go), in our own words.
#include <chrono>
#include <map>
#include <set>
#include <utility>

#include "manager/constraint.h"
#include "manager/controlapi/errors.h"
#include "manager/controlapi/name_rules.h"
#include "manager/controlapi/image_ref.h"
#include "manager/controlapi/service_spec.h"

namespace shoal::manager::controlapi {
namespace {

using std::chrono::nanoseconds;

constexpr nanoseconds kMinHealthDuration = std::chrono::milliseconds(1);
constexpr int64_t kMinNanoCPUs = 1'000'000;
constexpr int64_t kMinMemoryBytes = 4 * 1024 * 1024;

Status invalid(std::string_view message) { return rpc_status(Code::kInvalidArgument, message); }

Status validate_amounts(int64_t nano_cpus, int64_t memory_bytes) {
  if (nano_cpus != 0 && nano_cpus < kMinNanoCPUs) {
    return rpc_error(Code::kInvalidArgument, "invalid cpu value {}: Must be at least {}",
                     static_cast<double>(nano_cpus) / 1e9, 0.001);
  }
  if (memory_bytes != 0 && memory_bytes < kMinMemoryBytes) {
    return rpc_error(Code::kInvalidArgument, "invalid memory value {}: Must be at least 4MiB",
                     memory_bytes);
  }
  return Status::ok();
}

Status validate_resources(const std::optional<api::ResourceRequirements>& resources) {
  if (!resources) return Status::ok();
  if (resources->Limits) {
    SHOAL_RETURN_IF_ERROR(
        validate_amounts(resources->Limits->NanoCPUs, resources->Limits->MemoryBytes));
  }
  if (resources->Reservations) {
    SHOAL_RETURN_IF_ERROR(
        validate_amounts(resources->Reservations->NanoCPUs, resources->Reservations->MemoryBytes));
  }
  return Status::ok();
}

Status validate_restart(const std::optional<api::RestartPolicy>& policy) {
  if (!policy) return Status::ok();
  if (policy->Delay && *policy->Delay < nanoseconds(0)) {
    return invalid("TaskSpec: restart-delay cannot be negative");
  }
  if (policy->Window && *policy->Window < nanoseconds(0)) {
    return invalid("TaskSpec: restart-window cannot be negative");
  }
  return Status::ok();
}

Status validate_placement(const std::optional<api::Placement>& placement) {
  if (!placement) return Status::ok();
  auto parsed = parse_constraints(placement->Constraints);
  if (!parsed.is_ok()) return invalid(parsed.status().message());
  return Status::ok();
}

Status validate_secret_refs(const api::ContainerSpec& container) {
  std::map<std::string, std::string> targets;  // file name → secret name
  for (const api::SecretReference& ref : container.Secrets) {
    if (ref.SecretID.empty() || ref.SecretName.empty())
      return invalid("malformed secret reference");
    if (!ref.File) return invalid("malformed secret reference, no target provided");
    const std::string& file = ref.File->Name;
    if (file.empty()) {
      return invalid("malformed file secret reference, invalid target file name provided");
    }
    auto [it, inserted] = targets.emplace(file, ref.SecretName);
    if (!inserted) {
      return rpc_error(Code::kInvalidArgument,
                       "secret references '{}' and '{}' have a conflicting target: '{}'",
                       it->second, ref.SecretName, file);
    }
  }
  return Status::ok();
}

Status validate_config_refs(const api::ContainerSpec& container) {
  std::string cred_spec_config;
  if (container.Privileges && container.Privileges->CredentialSpec) {
    cred_spec_config = container.Privileges->CredentialSpec->Config;
  }
  bool cred_spec_found = false;
  std::map<std::string, std::string> targets;  // file name → config name
  for (const api::ConfigReference& ref : container.Configs) {
    if (ref.ConfigID.empty() || ref.ConfigName.empty())
      return invalid("malformed config reference");
    if (!ref.File && !ref.Runtime) return invalid("malformed config reference, no target provided");
    if (ref.File) {
      const std::string& file = ref.File->Name;
      if (file.empty()) {
        return invalid("malformed file config reference, invalid target file name provided");
      }
      auto [it, inserted] = targets.emplace(file, ref.ConfigName);
      if (!inserted) {
        return rpc_error(Code::kInvalidArgument,
                         "config references '{}' and '{}' have a conflicting target: '{}'",
                         it->second, ref.ConfigName, file);
      }
    }
    if (ref.Runtime && ref.ConfigID == cred_spec_config) cred_spec_found = true;
  }
  if (!cred_spec_config.empty() && !cred_spec_found) {
    return rpc_error(Code::kInvalidArgument,
                     "CredentialSpec references config '{}', but that config isn't in config "
                     "references with RuntimeTarget",
                     cred_spec_config);
  }
  return Status::ok();
}

Status check_health_duration(nanoseconds d, std::string_view what) {
  if (d != nanoseconds(0) && d < kMinHealthDuration) {
    return rpc_error(Code::kInvalidArgument,
                     "ContainerSpec: {} in HealthConfig cannot be less than 1ms", what);
  }
  return Status::ok();
}

Status validate_container(const api::ContainerSpec& container) {
  if (container.Image.empty()) return invalid("ContainerSpec: image reference must be provided");
  if (!is_valid_image_reference(container.Image)) {
    return rpc_error(Code::kInvalidArgument, "ContainerSpec: \"{}\" is not a valid repository/tag",
                     container.Image);
  }
  std::set<std::string_view> targets;
  for (const api::Mount& mount : container.Mounts) {
    if (!targets.insert(mount.Target).second) {
      return rpc_error(Code::kInvalidArgument, "ContainerSpec: duplicate mount point: {}",
                       mount.Target);
    }
  }
  if (const auto& hc = container.Healthcheck) {
    SHOAL_RETURN_IF_ERROR(check_health_duration(hc->Interval, "Interval"));
    SHOAL_RETURN_IF_ERROR(check_health_duration(hc->Timeout, "Timeout"));
    SHOAL_RETURN_IF_ERROR(check_health_duration(hc->StartPeriod, "StartPeriod"));
    if (hc->Retries < 0)
      return invalid("ContainerSpec: Retries in HealthConfig cannot be negative");
  }
  return Status::ok();
}

Status validate_task(const api::TaskSpec& task) {
  SHOAL_RETURN_IF_ERROR(validate_resources(task.Resources));
  SHOAL_RETURN_IF_ERROR(validate_restart(task.RestartPolicy));
  SHOAL_RETURN_IF_ERROR(validate_placement(task.Placement));
  if (!task.ContainerSpec) return invalid("TaskSpec: missing runtime");
  SHOAL_RETURN_IF_ERROR(validate_secret_refs(*task.ContainerSpec));
  SHOAL_RETURN_IF_ERROR(validate_config_refs(*task.ContainerSpec));
  return validate_container(*task.ContainerSpec);
}

Status validate_update(const std::optional<api::UpdateConfig>& config) {
  if (!config) return Status::ok();
  if (config->Delay < nanoseconds(0)) return invalid("TaskSpec: update-delay cannot be negative");
  if (config->Monitor < nanoseconds(0))
    return invalid("TaskSpec: update-monitor cannot be negative");
  if (config->MaxFailureRatio < 0 || config->MaxFailureRatio > 1) {
    return invalid("TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1");
  }
  return Status::ok();
}

Status validate_endpoint(const std::optional<api::EndpointSpec>& endpoint) {
  if (!endpoint) return Status::ok();
  std::set<std::pair<uint32_t, api::PortConfigProtocol>> published;
  for (const api::PortConfig& port : endpoint->Ports) {
    if (endpoint->Mode == api::ResolutionMode::kDNSRR &&
        port.PublishMode == api::PortConfigPublishMode::kIngress) {
      return invalid(
          "EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
    }
    if (port.PublishedPort == 0) continue;
    if (!published.emplace(port.PublishedPort, port.Protocol).second) {
      return invalid("EndpointSpec: duplicate published ports provided");
    }
  }
  return Status::ok();
}

}  // namespace

Status validate_service_spec(const api::ServiceSpec& spec) {
  SHOAL_RETURN_IF_ERROR(validate_dns_name(spec.Name));
  SHOAL_RETURN_IF_ERROR(validate_task(spec.TaskTemplate));
  if (is_job(spec)) {
    if (spec.UpdateConfig) return invalid("Jobs may not have an update config");
  } else {
    SHOAL_RETURN_IF_ERROR(validate_update(spec.UpdateConfig));
  }
  return validate_endpoint(spec.EndpointSpec);
}

}  // namespace shoal::manager::controlapi
