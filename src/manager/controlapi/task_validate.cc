// swarmkit's validateTaskSpec (manager/controlapi/service.go) and the mount rules of
// Docker's worker (daemon/cluster/executor/container/validate.go), in our own words.
#include "manager/controlapi/task_validate.h"

#include <chrono>
#include <map>
#include <set>

#include "manager/constraint.h"
#include "manager/controlapi/errors.h"
#include "manager/controlapi/image_ref.h"

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

// The Condition's spelling is checked when the request is read (api/task_spec.h kInvalid).
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

Status validate_image(const std::string& image) {
  if (image.empty()) return invalid("ContainerSpec: image reference must be provided");
  if (!is_valid_image_reference(image)) {
    return rpc_error(Code::kInvalidArgument, "ContainerSpec: \"{}\" is not a valid repository/tag",
                     image);
  }
  return Status::ok();
}

bool is_absolute(std::string_view path) { return path.starts_with('/'); }

// One mount on its own (Docker's worker checks these before it creates the container).
Status validate_mount(const api::Mount& mount) {
  if (mount.Type != api::MountType::kNamedPipe && !is_absolute(mount.Target)) {
    return error(Code::kInvalidArgument, "invalid mount target, must be an absolute path: {}",
                 mount.Target);
  }
  switch (mount.Type) {
    case api::MountType::kBind:
      if (!is_absolute(mount.Source)) {
        return error(Code::kInvalidArgument,
                     "invalid bind mount source, must be an absolute path: {}", mount.Source);
      }
      break;
    case api::MountType::kVolume:
      if (is_absolute(mount.Source)) {
        return error(Code::kInvalidArgument,
                     "invalid volume mount source, must not be an absolute path: {}", mount.Source);
      }
      break;
    case api::MountType::kTmpfs:
      if (!mount.Source.empty()) {
        return Status(Code::kInvalidArgument, "invalid tmpfs source, source must be empty");
      }
      break;
    case api::MountType::kNamedPipe:
      if (mount.Source.empty()) {
        return Status(Code::kInvalidArgument, "invalid npipe source, source must not be empty");
      }
      break;
    case api::MountType::kUnset:  // moby's conversion refuses a mount without a type
      return Status(Code::kInvalidArgument, "invalid MountType: \"\"");
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

Status validate_healthcheck(const std::optional<api::HealthConfig>& hc) {
  if (!hc) return Status::ok();
  SHOAL_RETURN_IF_ERROR(check_health_duration(hc->Interval, "Interval"));
  SHOAL_RETURN_IF_ERROR(check_health_duration(hc->Timeout, "Timeout"));
  SHOAL_RETURN_IF_ERROR(check_health_duration(hc->StartPeriod, "StartPeriod"));
  if (hc->Retries < 0) return invalid("ContainerSpec: Retries in HealthConfig cannot be negative");
  return Status::ok();
}

// shoal's rule: Docker's daemon stores a negative grace period (its CLI refuses one with
// "duration cannot be negative"); a stop that waits less than nothing has no meaning.
Status validate_stop_grace(const std::optional<nanoseconds>& grace) {
  if (grace && *grace < nanoseconds(0)) {
    return invalid("ContainerSpec: StopGracePeriod cannot be negative");
  }
  return Status::ok();
}

Status validate_container(const api::ContainerSpec& container) {
  SHOAL_RETURN_IF_ERROR(validate_image(container.Image));
  SHOAL_RETURN_IF_ERROR(validate_mounts(container.Mounts));
  SHOAL_RETURN_IF_ERROR(validate_healthcheck(container.Healthcheck));
  return validate_stop_grace(container.StopGracePeriod);
}

}  // namespace

Status validate_mounts(const std::vector<api::Mount>& mounts) {
  std::set<std::string_view> targets;
  for (const api::Mount& mount : mounts) {
    if (!targets.insert(mount.Target).second) {
      return rpc_error(Code::kInvalidArgument, "ContainerSpec: duplicate mount point: {}",
                       mount.Target);
    }
  }
  for (const api::Mount& mount : mounts) SHOAL_RETURN_IF_ERROR(validate_mount(mount));
  return Status::ok();
}

Status validate_task_spec(const api::TaskSpec& task) {
  SHOAL_RETURN_IF_ERROR(validate_resources(task.Resources));
  SHOAL_RETURN_IF_ERROR(validate_restart(task.RestartPolicy));
  SHOAL_RETURN_IF_ERROR(validate_placement(task.Placement));
  if (!task.ContainerSpec) return invalid("TaskSpec: missing runtime");
  SHOAL_RETURN_IF_ERROR(validate_secret_refs(*task.ContainerSpec));
  SHOAL_RETURN_IF_ERROR(validate_config_refs(*task.ContainerSpec));
  return validate_container(*task.ContainerSpec);
}

}  // namespace shoal::manager::controlapi
