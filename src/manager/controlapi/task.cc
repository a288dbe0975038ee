#include "manager/controlapi/task.h"

#include <algorithm>
#include <unordered_map>

#include "manager/controlapi/internal_fields.h"
#include "manager/orchestrator/spec.h"
#include "manager/task_order.h"
#include "store/tasks.h"

namespace shoal::manager::controlapi {
namespace {

// Per-list memo of services and their templates (tasks share spec pointers, so each
// distinct spec is compared once).
class ServiceCache {
 public:
  explicit ServiceCache(const store::ReadTxn& tx) : tx_(tx) {}

  const api::Service* service(const std::string& id) {
    auto [it, inserted] = services_.try_emplace(id);
    if (inserted) it->second = tx_.get<api::Service>(id);
    return it->second.get();
  }

  // The updater's notion (orchestrator/spec.h): a task is up to date unless it must be
  // replaced to run the current spec.
  bool up_to_date(const api::Service& service, const api::Task& task) {
    std::shared_ptr<const api::Node> node = tx_.get<api::Node>(task.NodeID);
    return !templates_.get(service).is_dirty(task, node.get());
  }

 private:
  const store::ReadTxn& tx_;
  std::unordered_map<std::string, std::shared_ptr<const api::Service>> services_;
  orchestrator::TemplateCache templates_;
};

bool matches(const api::Task& task, const TaskFilters& f, ServiceCache& cache) {
  if (!match_prefixes(task.ID, f.id_prefixes)) return false;
  if (!match_exact(task.ServiceID, f.services)) return false;
  if (!match_exact(task.NodeID, f.nodes)) return false;
  if (!f.desired_states.empty() && std::find(f.desired_states.begin(), f.desired_states.end(),
                                             task.DesiredState) == f.desired_states.end()) {
    return false;
  }
  if (!f.runtimes.empty() && !match_exact("container", f.runtimes) &&
      !match_exact("", f.runtimes)) {
    return false;
  }
  const api::Service* service = cache.service(task.ServiceID);
  if (!f.names.empty()) {
    std::string name = store::task_name(task, service ? std::string_view(service->Spec.Name) : "");
    if (!match_prefixes(name, f.names)) return false;
  }
  if (!f.labels.empty() &&
      !match_labels(service ? service->Spec.Labels : api::StringMap{}, f.labels)) {
    return false;
  }
  if (f.up_to_date && (service == nullptr || !cache.up_to_date(*service, task))) return false;
  return true;
}

// Resolves references to IDs in place.
template <typename T>
Status resolve(const store::ReadTxn& tx, std::vector<std::string>& refs) {
  for (std::string& ref : refs) {
    SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const T> object, tx.lookup<T>(ref));
    ref = object->ID;
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<std::shared_ptr<const api::Task>>> list_tasks(const Context& ctx,
                                                                 const TaskFilters& request) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  TaskFilters f = request;
  std::vector<std::shared_ptr<const api::Task>> out;
  {
    store::ReadTxn view = ctx.store.view();
    SHOAL_RETURN_IF_ERROR(resolve<api::Service>(view, f.services));
    SHOAL_RETURN_IF_ERROR(resolve<api::Node>(view, f.nodes));

    ServiceCache cache(view);
    auto take = [&](const std::shared_ptr<const api::Task>& task) {
      if (matches(*task, f, cache)) out.push_back(without_internal_fields(task));
    };
    if (!f.services.empty()) {
      for (const std::string& id : f.services)
        view.for_each<api::Task>(store::by::Service{id}, take);
    } else if (!f.nodes.empty()) {
      for (const std::string& id : f.nodes) view.for_each<api::Task>(store::by::Node{id}, take);
    } else if (!f.desired_states.empty()) {
      for (api::TaskState s : f.desired_states)
        view.for_each<api::Task>(store::by::DesiredState{s}, take);
    } else {
      view.for_each<api::Task>(store::by::All{}, take);
    }
  }
  // Sorted without holding the store: commits need not wait for it (100,000 tasks: ~30 ms).
  // An index walk per value may report a task once per matching value: keep the first.
  sort_by_id(out);
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) { return a->ID == b->ID; }),
            out.end());
  return out;
}

Result<std::shared_ptr<const api::Task>> get_task(const Context& ctx, std::string_view ref) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const api::Task> task,
                         ctx.store.view().lookup<api::Task>(ref));
  return without_internal_fields(std::move(task));
}

}  // namespace shoal::manager::controlapi
