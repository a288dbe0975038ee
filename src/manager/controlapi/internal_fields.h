// The fields shoal keeps in specs that Docker's API does not have, and their removal from
// every answer:
//   - ContainerSpec.RegistryAuth: a service's registry credentials (`docker service
//     create|update --with-registry-auth`), the X-Registry-Auth header as swarmkit keeps it
//     in ContainerSpec.PullOptions, so the node that runs a task pulls with them;
//   - TaskSpec.ServiceName: the service's name (swarmkit's Task.ServiceAnnotations), so a
//     node can expand {{.Service.Name}} and {{.Task.Name}} and name containers.
// They never leave through the API: every service and task the control API answers has
// them stripped, and a request body cannot set them.
//
// Thread safety: pure functions.
#pragma once

#include <memory>
#include <string>

#include "api/model.h"

namespace shoal::manager::controlapi {

// Where an update takes the credentials from (moby's ?registryAuthFrom and the header).
enum class RegistryAuthFrom {
  kSpec,          // the current spec's (the default: an update keeps them)
  kPreviousSpec,  // the previous spec's (`docker service rollback`)
  kHeader,        // the request's X-Registry-Auth (`--with-registry-auth`)
};

struct RegistryAuthSource {
  RegistryAuthFrom from = RegistryAuthFrom::kSpec;
  std::string header;  // kHeader only
};

// The credentials in `spec` ("" without a ContainerSpec).
std::string registry_auth_of(const api::ServiceSpec& spec);
// Sets them (nothing happens without a ContainerSpec).
void set_registry_auth(api::ServiceSpec& spec, std::string auth);

// Records the service's name in its task template (rename is refused, so it stays).
void set_service_name(api::ServiceSpec& spec);

// Copies for answers: the same objects without the fields above (the pointer itself when
// they are empty).
api::Service without_internal_fields(api::Service service);
std::shared_ptr<const api::Service> without_internal_fields(
    std::shared_ptr<const api::Service> service);
std::shared_ptr<const api::Task> without_internal_fields(std::shared_ptr<const api::Task> task);

}  // namespace shoal::manager::controlapi
