// The Docker Engine API's swarm routes (API v1.41), mapped onto the control API
// (src/manager/controlapi): /swarm, /nodes, /services, /tasks, /secrets, /configs,
// /networks, /info and /distribution; and, given an image store, the image routes
// (image_routes.h: /images/...). One file per resource registers its routes
// (swarm_routes.cc, node_routes.cc, ...); each handler parses the query and body the way
// moby does, calls one control API function, and writes Docker's status code and JSON.
//
// Status codes (docker-cli-api.md §1): creates answer 201 with a JSON body; secret, config
// and network deletes 204; other writes 200 with an empty body; errors Docker's
// {"message": ...} with the Code's HTTP status (common/status.h).
//
// /_ping and /version are system routes (system.h); their Swarm header must come from
// controlapi::swarm_ping_state(local) so that it agrees with /info.
//
// Thread safety: handlers run concurrently on the server's workers; the Context is shared.
#pragma once

#include <string>

#include "common/status.h"
#include "http/router.h"
#include "manager/controlapi/context.h"

namespace shoal::runtime::image {
class ImageStore;
}

namespace shoal::http::engine {

struct EngineDeps {
  // Required; must outlive the router.
  manager::controlapi::Context* control = nullptr;
  // shoal's version (Info.ServerVersion).
  std::string version;
  // Optional; must outlive the router. The image routes (image_routes.h) are served when
  // set; without it /distribution answers every name as a registry that does not know it.
  runtime::image::ImageStore* images = nullptr;
};

// Registers every route listed above. Errors as Router::add() (a duplicate route).
Status register_engine_routes(Router& router, const EngineDeps& deps);

}  // namespace shoal::http::engine
