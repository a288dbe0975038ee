// Tasks: list and inspect (Docker's /tasks routes; moby daemon/cluster/tasks.go over
// swarmkit controlapi/task.go). Tasks are written by the orchestrators, scheduler and
// agents, never here.
//
// Every function first checks that this node is an active manager (the 503 errors of
// errors.h manager_state_error).
//
// Thread safety: all functions are safe to call concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/service.h"
#include "api/task.h"
#include "common/status.h"
#include "manager/controlapi/context.h"
#include "manager/controlapi/filters.h"

namespace shoal::manager::controlapi {

struct TaskFilters {
  std::vector<std::string> names;  // prefixes of "<service>.<slot|node>.<task id>"
  std::vector<std::string> id_prefixes;
  LabelFilter labels;                 // the owning service's Spec.Labels (as swarmkit)
  std::vector<std::string> services;  // references: ID, name or ID prefix
  std::vector<std::string> nodes;     // references: ID, name or ID prefix
  std::vector<api::TaskState> desired_states;
  bool up_to_date = false;            // only tasks running the service's current spec
  std::vector<std::string> runtimes;  // "container" (and "") match every shoal task
};

// The tasks passing `filters`: by the index of the first of services, nodes, desired
// states given (else all, by ID). Tasks of deleted services match only filters that do not
// need the service (labels, up_to_date).
// Errors: the manager errors; a service or node reference that resolves to nothing
// (kNotFound "service <ref> not found" / "node <ref> not found") or to several
// (kInvalidArgument "... is ambiguous (<n> matches found)").
Result<std::vector<std::shared_ptr<const api::Task>>> list_tasks(const Context& ctx,
                                                                 const TaskFilters& filters);

// The task by ID, Docker task name or unique ID prefix. Errors: the manager errors;
// kNotFound "task <ref> not found"; kInvalidArgument "task <ref> is ambiguous (...)".
Result<std::shared_ptr<const api::Task>> get_task(const Context& ctx, std::string_view ref);

}  // namespace shoal::manager::controlapi
