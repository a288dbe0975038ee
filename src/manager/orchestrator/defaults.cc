#include "manager/orchestrator/defaults.h"

namespace shoal::manager::orchestrator {

api::UpdateConfig effective_update_config(const api::ServiceSpec& spec, bool rollback) {
  const std::optional<api::UpdateConfig>& given =
      rollback ? spec.RollbackConfig : spec.UpdateConfig;
  api::UpdateConfig config;
  if (given) {
    config = *given;
  } else {
    config.Parallelism = kDefaultUpdateParallelism;
  }
  if (config.FailureAction == api::UpdateFailureAction::kUnset) {
    config.FailureAction = api::UpdateFailureAction::kPause;
  }
  if (config.Order == api::UpdateOrder::kUnset) config.Order = api::UpdateOrder::kStopFirst;
  if (config.Monitor <= std::chrono::nanoseconds::zero()) config.Monitor = kDefaultUpdateMonitor;
  return config;
}

std::chrono::nanoseconds monitor_period(const api::UpdateConfig& config) {
  return config.Monitor > std::chrono::nanoseconds::zero() ? config.Monitor : kDefaultUpdateMonitor;
}

}  // namespace shoal::manager::orchestrator
