// A service's registry credentials (`docker service create|update --with-registry-auth`):
// the X-Registry-Auth header kept in ContainerSpec.RegistryAuth, as swarmkit keeps it in
// ContainerSpec.PullOptions, so the node that runs a task pulls with them. They never leave
// through the API: every service and task the control API answers has them stripped.
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

// Copies for answers: the same objects without credentials (the pointer itself when there
// are none, so lists of services without credentials copy nothing).
api::Service without_credentials(api::Service service);
std::shared_ptr<const api::Service> without_credentials(std::shared_ptr<const api::Service> service);
std::shared_ptr<const api::Task> without_credentials(std::shared_ptr<const api::Task> task);

}  // namespace shoal::manager::controlapi
