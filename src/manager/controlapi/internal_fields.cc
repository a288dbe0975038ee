#include "manager/controlapi/internal_fields.h"

namespace shoal::manager::controlapi {
namespace {

bool has_internal(const api::TaskSpec& spec) {
  return !spec.ServiceName.empty() ||
         (spec.ContainerSpec && !spec.ContainerSpec->RegistryAuth.empty());
}

void strip(api::TaskSpec& spec) {
  spec.ServiceName.clear();
  if (spec.ContainerSpec) spec.ContainerSpec->RegistryAuth.clear();
}

}  // namespace

std::string registry_auth_of(const api::ServiceSpec& spec) {
  return spec.TaskTemplate.ContainerSpec ? spec.TaskTemplate.ContainerSpec->RegistryAuth : "";
}

void set_registry_auth(api::ServiceSpec& spec, std::string auth) {
  if (spec.TaskTemplate.ContainerSpec)
    spec.TaskTemplate.ContainerSpec->RegistryAuth = std::move(auth);
}

void set_service_name(api::ServiceSpec& spec) { spec.TaskTemplate.ServiceName = spec.Name; }

api::Service without_internal_fields(api::Service service) {
  strip(service.Spec.TaskTemplate);
  if (service.PreviousSpec) strip(service.PreviousSpec->TaskTemplate);
  return service;
}

std::shared_ptr<const api::Service> without_internal_fields(
    std::shared_ptr<const api::Service> service) {
  if (!has_internal(service->Spec.TaskTemplate) &&
      !(service->PreviousSpec && has_internal(service->PreviousSpec->TaskTemplate))) {
    return service;
  }
  return std::make_shared<const api::Service>(without_internal_fields(*service));
}

std::shared_ptr<const api::Task> without_internal_fields(std::shared_ptr<const api::Task> task) {
  if (!has_internal(*task->Spec)) return task;
  auto spec = std::make_shared<api::TaskSpec>(*task->Spec);  // shared specs are immutable
  strip(*spec);
  auto copy = std::make_shared<api::Task>(*task);
  copy->Spec = std::move(spec);
  return copy;
}

}  // namespace shoal::manager::controlapi
