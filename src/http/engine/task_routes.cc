// /tasks routes: list and inspect.
#include <algorithm>
#include <cctype>

#include "http/engine/handlers.h"
#include "http/engine/params.h"
#include "manager/controlapi/task.h"

namespace shoal::http::engine {
namespace {

namespace ca = manager::controlapi;

// moby newListTasksFilters; a bad desired-state is a plain error there (500).
Result<ca::TaskFilters> task_filters(const Filters& filters) {
  ca::TaskFilters f;
  f.names = filters.get("name");
  f.id_prefixes = filters.get("id");
  f.labels = filters.labels("label");
  f.services = filters.get("service");
  f.nodes = filters.get("node");
  f.up_to_date = !filters.get("_up-to-date").empty();
  f.runtimes = filters.get("runtime");
  for (const std::string& state : filters.get("desired-state")) {
    if (state.empty()) continue;
    std::string lower = state;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    auto parsed = api::parse_enum<api::TaskState>(lower);
    if (!parsed || *parsed == api::TaskState::kUnset) {
      return error(Code::kInternal, "Invalid desired-state filter: '{}'", state);
    }
    f.desired_states.push_back(*parsed);
  }
  return f;
}

}  // namespace

Status register_task_routes(Router& router, const EngineDeps& deps) {
  ca::Context* ctx = deps.control;
  SHOAL_RETURN_IF_ERROR(router.add(Method::kGet, "/tasks", [ctx](Request& req) -> Result<Response> {
    SHOAL_RETURN_IF_ERROR(ca::require_manager(*ctx));
    SHOAL_ASSIGN_OR_RETURN(Filters filters,
                           filters_param(req, {"name", "id", "label", "service", "node",
                                               "desired-state", "_up-to-date", "runtime"}));
    SHOAL_ASSIGN_OR_RETURN(ca::TaskFilters f, task_filters(filters));
    SHOAL_ASSIGN_OR_RETURN(auto tasks, ca::list_tasks(*ctx, f));
    return json_list(tasks);
  }));
  return router.add(Method::kGet, "/tasks/{id}", [ctx](Request& req) -> Result<Response> {
    SHOAL_ASSIGN_OR_RETURN(auto task, ca::get_task(*ctx, req.param("id")));
    return json_response(*task);
  });
}

}  // namespace shoal::http::engine
