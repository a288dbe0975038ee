// A task as the dispatcher assigns it to node-1, for the agent's tests.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "api/model.h"

namespace shoal::agent::testing {

inline std::shared_ptr<const api::Task> task(const std::string& id,
                                             api::TaskState desired = api::TaskState::kRunning,
                                             api::TaskState state = api::TaskState::kAssigned,
                                             std::optional<std::chrono::nanoseconds> grace = {}) {
  auto spec = std::make_shared<api::TaskSpec>();
  spec->ContainerSpec.emplace();
  spec->ContainerSpec->StopGracePeriod = grace;
  auto t = std::make_shared<api::Task>();
  t->ID = id;
  t->Spec = spec;
  t->NodeID = "node-1";
  t->DesiredState = desired;
  t->Status.State = state;
  return t;
}

}  // namespace shoal::agent::testing
