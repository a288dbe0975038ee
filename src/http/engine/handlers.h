// Internal to the engine routes: the registrar of each resource's routes (routes.h).
#pragma once

#include "http/engine/routes.h"

namespace shoal::http::engine {

Status register_swarm_routes(Router& router, const EngineDeps& deps);
Status register_node_routes(Router& router, const EngineDeps& deps);
Status register_service_routes(Router& router, const EngineDeps& deps);
Status register_task_routes(Router& router, const EngineDeps& deps);
Status register_secret_routes(Router& router, const EngineDeps& deps);
Status register_config_routes(Router& router, const EngineDeps& deps);
Status register_network_routes(Router& router, const EngineDeps& deps);
Status register_info_routes(Router& router, const EngineDeps& deps);
Status register_distribution_routes(Router& router, const EngineDeps& deps);
Status register_image_routes(Router& router, const EngineDeps& deps);

}  // namespace shoal::http::engine
