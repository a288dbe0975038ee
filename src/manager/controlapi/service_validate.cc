// swarmkit's validateServiceSpec (manager/controlapi/service.go), in our own words: the
// service's own parts here, the task template in task_validate.cc.
#include <chrono>
#include <cstdint>
#include <limits>
#include <set>
#include <utility>

#include "manager/controlapi/errors.h"
#include "manager/controlapi/name_rules.h"
#include "manager/controlapi/service_spec.h"
#include "manager/controlapi/task_validate.h"

namespace shoal::manager::controlapi {
namespace {

using std::chrono::nanoseconds;

Status invalid(std::string_view message) { return rpc_status(Code::kInvalidArgument, message); }

// swarmkit reads the counts as signed 64-bit numbers: past INT64_MAX they are negative.
bool negative_as_int64(const std::optional<uint64_t>& count) {
  return count && *count > static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
}

Status validate_mode(const api::ServiceMode& mode) {
  if (mode.Replicated && negative_as_int64(mode.Replicated->Replicas)) {
    return invalid("Number of replicas must be non-negative");
  }
  if (mode.ReplicatedJob) {
    if (negative_as_int64(mode.ReplicatedJob->MaxConcurrent)) {
      return invalid("Maximum concurrent jobs must not be negative");
    }
    if (negative_as_int64(mode.ReplicatedJob->TotalCompletions)) {
      return invalid("Total completed jobs must not be negative");
    }
  }
  return Status::ok();
}

// FailureAction and Order spellings are checked when the request is read (api/service.h).
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
  SHOAL_RETURN_IF_ERROR(validate_task_spec(spec.TaskTemplate));
  SHOAL_RETURN_IF_ERROR(validate_mode(spec.Mode));
  if (is_job(spec)) {
    if (spec.UpdateConfig) return invalid("Jobs may not have an update config");
  } else {
    SHOAL_RETURN_IF_ERROR(validate_update(spec.UpdateConfig));
  }
  return validate_endpoint(spec.EndpointSpec);
}

}  // namespace shoal::manager::controlapi
