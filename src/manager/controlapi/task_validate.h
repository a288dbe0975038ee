// The task template part of swarmkit's validateServiceSpec (validateTaskSpec and the
// container checks), plus the mount checks Docker's worker makes before it creates a
// container, made here so a spec that could never run is refused when it is sent. Pure.
//
// Each check reads one part of the TaskSpec and answers kInvalidArgument with Docker's text
// (swarmkit's rpc-prefixed texts, or the worker's plain ones for mounts); the list is in
// service_spec.h validate_service_spec.
//
// Thread safety: pure functions.
#pragma once

#include "api/task_spec.h"
#include "common/status.h"

namespace shoal::manager::controlapi {

// Resources, RestartPolicy, Placement, secret and config references, then the container.
Status validate_task_spec(const api::TaskSpec& task);

// Each mount of a container: an absolute Target; a bind's Source absolute, a volume's not;
// a tmpfs without Source; no two mounts on one Target.
Status validate_mounts(const std::vector<api::Mount>& mounts);

}  // namespace shoal::manager::controlapi
