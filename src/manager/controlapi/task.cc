#include "manager/controlapi/task.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "store/codec.h"
#include "store/tasks.h"

namespace shoal::manager::controlapi {
namespace {

std::string spec_content(const api::TaskSpec& spec) {
  std::string out;
  store::codec::encode(spec, &out);
  return out;
}

// Per-list memo of services and of spec comparisons (tasks share spec pointers).
class ServiceCache {
 public:
  explicit ServiceCache(const store::ReadTxn& tx) : tx_(tx) {}

  const api::Service* service(const std::string& id) {
    auto [it, inserted] = services_.try_emplace(id);
    if (inserted) it->second = tx_.get<api::Service>(id);
    return it->second.get();
  }

  bool up_to_date(const api::Service& service, const api::Task& task) {
    auto [tmpl, fresh] = templates_.try_emplace(service.ID);
    if (fresh) tmpl->second = spec_content(service.Spec.TaskTemplate);
    // Spec pointers stay valid while the snapshot lives (the tables own the tasks).
    auto [it, inserted] = verdicts_.try_emplace({service.ID, task.Spec.get()});
    if (inserted) it->second = spec_content(*task.Spec) == tmpl->second;
    return it->second;
  }

 private:
  const store::ReadTxn& tx_;
  std::unordered_map<std::string, std::shared_ptr<const api::Service>> services_;
  std::unordered_map<std::string, std::string> templates_;
  std::map<std::pair<std::string, const api::TaskSpec*>, bool> verdicts_;
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

bool task_up_to_date(const api::Service& service, const api::Task& task) {
  return task.Spec.get() == nullptr
             ? false
             : spec_content(*task.Spec) == spec_content(service.Spec.TaskTemplate);
}

Result<std::vector<std::shared_ptr<const api::Task>>> list_tasks(const Context& ctx,
                                                                 const TaskFilters& request) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  TaskFilters f = request;
  store::ReadTxn view = ctx.store.view();
  SHOAL_RETURN_IF_ERROR(resolve<api::Service>(view, f.services));
  SHOAL_RETURN_IF_ERROR(resolve<api::Node>(view, f.nodes));

  ServiceCache cache(view);
  std::vector<std::shared_ptr<const api::Task>> out;
  auto take = [&](const std::shared_ptr<const api::Task>& task) {
    if (matches(*task, f, cache)) out.push_back(task);
  };
  if (!f.services.empty()) {
    for (const std::string& id : f.services) view.for_each<api::Task>(store::by::Service{id}, take);
  } else if (!f.nodes.empty()) {
    for (const std::string& id : f.nodes) view.for_each<api::Task>(store::by::Node{id}, take);
  } else if (!f.desired_states.empty()) {
    for (api::TaskState s : f.desired_states)
      view.for_each<api::Task>(store::by::DesiredState{s}, take);
  } else {
    view.for_each<api::Task>(store::by::All{}, take);
  }
  // An index walk per value may report a task once per matching value: keep the first.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->ID < b->ID; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) { return a->ID == b->ID; }),
            out.end());
  return out;
}

Result<std::shared_ptr<const api::Task>> get_task(const Context& ctx, std::string_view ref) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  return ctx.store.view().lookup<api::Task>(ref);
}

}  // namespace shoal::manager::controlapi
