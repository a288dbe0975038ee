#include "manager/controlapi/registry_auth.h"

namespace shoal::manager::controlapi {
namespace {

bool has_auth(const api::TaskSpec& spec) {
  return spec.ContainerSpec && !spec.ContainerSpec->RegistryAuth.empty();
}

void strip(api::TaskSpec& spec) {
  if (spec.ContainerSpec) spec.ContainerSpec->RegistryAuth.clear();
}

}  // namespace

std::string registry_auth_of(const api::ServiceSpec& spec) {
  return spec.TaskTemplate.ContainerSpec ? spec.TaskTemplate.ContainerSpec->RegistryAuth : "";
}

void set_registry_auth(api::ServiceSpec& spec, std::string auth) {
  if (spec.TaskTemplate.ContainerSpec) spec.TaskTemplate.ContainerSpec->RegistryAuth = std::move(auth);
}

api::Service without_credentials(api::Service service) {
  strip(service.Spec.TaskTemplate);
  if (service.PreviousSpec) strip(service.PreviousSpec->TaskTemplate);
  return service;
}

std::shared_ptr<const api::Service> without_credentials(std::shared_ptr<const api::Service> service) {
  if (!has_auth(service->Spec.TaskTemplate) &&
      !(service->PreviousSpec && has_auth(service->PreviousSpec->TaskTemplate))) {
    return service;
  }
  return std::make_shared<const api::Service>(without_credentials(*service));
}

std::shared_ptr<const api::Task> without_credentials(std::shared_ptr<const api::Task> task) {
  if (!has_auth(*task->Spec)) return task;
  auto spec = std::make_shared<api::TaskSpec>(*task->Spec);  // shared specs are immutable
  strip(*spec);
  auto copy = std::make_shared<api::Task>(*task);
  copy->Spec = std::move(spec);
  return copy;
}

}  // namespace shoal::manager::controlapi
