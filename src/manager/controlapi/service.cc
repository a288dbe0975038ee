#include "manager/controlapi/service.h"

#include <algorithm>
#include <utility>

#include "api/codec.h"
#include "manager/controlapi/errors.h"
#include "manager/controlapi/limits.h"
#include "manager/controlapi/service_checks.h"
#include "manager/controlapi/service_spec.h"

namespace shoal::manager::controlapi {
namespace {

Result<api::ServiceSpec> prepare(const Context& ctx, api::ServiceSpec spec) {
  SHOAL_ASSIGN_OR_RETURN(api::ServiceSpec normalized,
                         normalize_service_spec(std::move(spec), ctx.random));
  SHOAL_RETURN_IF_ERROR(validate_service_spec(normalized));
  SHOAL_RETURN_IF_ERROR(check_limits(normalized, ctx.limits));
  set_service_name(normalized);
  return normalized;
}

// swarmkit refuses a change of the deprecated Spec.Networks alone.
bool networks_change_unsupported(const api::ServiceSpec& current, const api::ServiceSpec& next) {
  if (current.Networks.empty() && next.Networks.empty()) return false;
  auto text = [](const std::vector<api::NetworkAttachmentConfig>& v) {
    std::string out;
    for (const auto& n : v) api::append_json(out, n);
    return out;
  };
  return text(current.Networks) != text(next.Networks) &&
         text(current.TaskTemplate.Networks) == text(next.TaskTemplate.Networks);
}

Status apply_update(const Context& ctx, api::Service& service, api::ServiceSpec spec,
                    bool rollback_previous) {
  if (mode_kind(service.Spec) != mode_kind(spec)) {
    return rpc_error(Code::kUnimplemented, "service mode change is not allowed");
  }
  if (service.Spec.Name != spec.Name) {
    return rpc_error(Code::kUnimplemented, "renaming services is not supported");
  }
  if (service.JobStatus) {
    service.JobStatus->JobIteration.Index += 1;
    service.JobStatus->LastExecution = ctx.clock.now();
  }
  if (rollback_previous) {
    if (!service.PreviousSpec) {
      return rpc_error(Code::kFailedPrecondition, "service {} does not have a previous spec",
                       service.ID);
    }
    std::swap(service.Spec, *service.PreviousSpec);
    api::UpdateStatus status;
    status.State = api::UpdateState::kRollbackStarted;
    status.Message = "manually requested rollback";
    status.StartedAt = ctx.clock.now();
    service.UpdateStatus = status;
    return Status::ok();
  }
  service.PreviousSpec = std::move(service.Spec);
  service.Spec = std::move(spec);
  service.UpdateStatus.reset();
  return Status::ok();
}

bool is_current_job_task(const api::Service& service, const api::Task& task) {
  if (!service.JobStatus) return true;
  return task.JobIteration && task.JobIteration->Index == service.JobStatus->JobIteration.Index;
}

}  // namespace

bool service_matches(const api::Service& service, const ServiceFilters& f) {
  return match_prefixes(service.Spec.Name, f.names) && match_prefixes(service.ID, f.id_prefixes) &&
         match_labels(service.Spec.Labels, f.labels) &&
         match_exact(mode_name(mode_kind(service.Spec)), f.modes) &&
         match_exact("container", f.runtimes);
}

Result<api::ServiceCreateResponse> create_service(Context& ctx, api::ServiceSpec request,
                                                  std::string registry_auth) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  SHOAL_ASSIGN_OR_RETURN(api::ServiceSpec spec, prepare(ctx, std::move(request)));
  set_registry_auth(spec, std::move(registry_auth));  // never what a request body says
  api::Service service;
  service.ID = ctx.ids.next();
  service.Spec = std::move(spec);
  if (is_job(service.Spec)) service.JobStatus = api::JobStatus{api::Version{0}, ctx.clock.now()};
  Status status = ctx.store.update([&](store::WriteTxn& tx) {
    SHOAL_RETURN_IF_ERROR(check_against_cluster(tx, service.Spec, ""));
    return tx.create(service);
  });
  SHOAL_RETURN_IF_ERROR(from_store(status));
  return api::ServiceCreateResponse{service.ID, {}};
}

Result<api::Service> get_service(const Context& ctx, std::string_view ref, bool insert) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const api::Service> found,
                         ctx.store.view().lookup<api::Service>(ref));
  api::Service service = without_internal_fields(*found);
  if (insert) service.Spec = insert_defaults(std::move(service.Spec));
  return service;
}

Result<api::ServiceUpdateResponse> update_service(Context& ctx, std::string_view ref,
                                                  uint64_t version, api::ServiceSpec request,
                                                  bool rollback_previous,
                                                  const RegistryAuthSource& auth) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  SHOAL_ASSIGN_OR_RETURN(api::ServiceSpec spec, prepare(ctx, std::move(request)));
  Status status = ctx.store.update([&](store::WriteTxn& tx) {
    SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const api::Service> current,
                           tx.lookup<api::Service>(ref));
    switch (auth.from) {
      case RegistryAuthFrom::kHeader:
        set_registry_auth(spec, auth.header);
        break;
      case RegistryAuthFrom::kSpec:
        set_registry_auth(spec, registry_auth_of(current->Spec));
        break;
      case RegistryAuthFrom::kPreviousSpec:
        set_registry_auth(spec,
                          current->PreviousSpec ? registry_auth_of(*current->PreviousSpec) : "");
        break;
    }
    SHOAL_RETURN_IF_ERROR(check_against_cluster(tx, spec, current->ID));
    if (networks_change_unsupported(current->Spec, spec)) {
      return rpc_error(Code::kUnimplemented,
                       "networks must be migrated to TaskSpec before being changed");
    }
    api::Service service = *current;
    service.Version.Index = version;
    SHOAL_RETURN_IF_ERROR(apply_update(ctx, service, std::move(spec), rollback_previous));
    return tx.update(std::move(service));
  });
  SHOAL_RETURN_IF_ERROR(from_store(status));
  return api::ServiceUpdateResponse{};
}

Status remove_service(Context& ctx, std::string_view ref) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  return from_store(ctx.store.update([&](store::WriteTxn& tx) {
    SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const api::Service> service,
                           tx.lookup<api::Service>(ref));
    std::string id = service->ID;
    for (const auto& current : tx.find<api::Task>(store::by::Service{id})) {
      if (current->DesiredState >= api::TaskState::kRemove) continue;
      api::Task task = *current;
      task.DesiredState = api::TaskState::kRemove;
      SHOAL_RETURN_IF_ERROR(tx.update(std::move(task)));
    }
    return tx.remove<api::Service>(id);
  }));
}

Result<std::vector<std::shared_ptr<const api::Service>>> list_services(
    const Context& ctx, const ServiceFilters& filters, bool with_status) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  std::vector<std::shared_ptr<const api::Service>> out;
  store::ReadTxn view = ctx.store.view();
  view.for_each<api::Service>(store::by::All{}, [&](const std::shared_ptr<const api::Service>& s) {
    if (!service_matches(*s, filters)) return;
    if (!with_status) {
      out.push_back(without_internal_fields(s));
      return;
    }
    auto copy = std::make_shared<api::Service>(without_internal_fields(*s));
    copy->ServiceStatus = service_status(view, *s);
    out.push_back(std::move(copy));
  });
  return out;
}

api::ServiceStatus service_status(const store::ReadTxn& tx, const api::Service& service) {
  api::ServiceStatus status;
  const api::ServiceMode& mode = service.Spec.Mode;
  bool global = false;
  if (mode.Replicated) {
    status.DesiredTasks = mode.Replicated->Replicas.value_or(0);
  } else if (mode.ReplicatedJob) {
    status.DesiredTasks = mode.ReplicatedJob->MaxConcurrent.value_or(0);
  } else {
    global = true;
  }
  tx.for_each<api::Task>(store::by::Service{service.ID},
                         [&](const std::shared_ptr<const api::Task>& t) {
                           if (!is_current_job_task(service, *t)) return;
                           if (service.JobStatus && t->Status.State == api::TaskState::kComplete)
                             ++status.CompletedTasks;
                           if (t->Status.State == api::TaskState::kRunning) ++status.RunningTasks;
                           if (global && t->DesiredState == api::TaskState::kRunning)
                             ++status.DesiredTasks;
                           if (global && t->DesiredState == api::TaskState::kComplete &&
                               t->Status.State != api::TaskState::kComplete) {
                             ++status.DesiredTasks;
                           }
                         });
  return status;
}

}  // namespace shoal::manager::controlapi
