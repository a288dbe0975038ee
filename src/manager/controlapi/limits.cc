#include "manager/controlapi/limits.h"

#include <optional>
#include <string_view>

namespace shoal::manager::controlapi {
namespace {

Status check_count(std::string_view field, const std::optional<uint64_t>& value,
                   const Limits& limits) {
  if (!value || *value <= limits.max_replicas) return Status::ok();
  return error(Code::kInvalidArgument,
               "{} {} is more than this manager allows ({}; raise it with shoal daemon "
               "--max-replicas)",
               field, *value, limits.max_replicas);
}

}  // namespace

Status check_limits(const api::ServiceSpec& spec, const Limits& limits) {
  const api::ServiceMode& mode = spec.Mode;
  if (mode.Replicated) {
    SHOAL_RETURN_IF_ERROR(check_count("Replicas", mode.Replicated->Replicas, limits));
  }
  if (mode.ReplicatedJob) {
    SHOAL_RETURN_IF_ERROR(check_count("MaxConcurrent", mode.ReplicatedJob->MaxConcurrent, limits));
    SHOAL_RETURN_IF_ERROR(
        check_count("TotalCompletions", mode.ReplicatedJob->TotalCompletions, limits));
  }
  return Status::ok();
}

}  // namespace shoal::manager::controlapi
