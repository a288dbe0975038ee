#include "http/engine/routes.h"

#include "http/engine/handlers.h"

namespace shoal::http::engine {

Status register_engine_routes(Router& router, const EngineDeps& deps) {
  if (deps.control == nullptr)
    return Status(Code::kInvalidArgument, "engine routes need a control API");
  SHOAL_RETURN_IF_ERROR(register_swarm_routes(router, deps));
  SHOAL_RETURN_IF_ERROR(register_node_routes(router, deps));
  SHOAL_RETURN_IF_ERROR(register_service_routes(router, deps));
  SHOAL_RETURN_IF_ERROR(register_task_routes(router, deps));
  SHOAL_RETURN_IF_ERROR(register_secret_routes(router, deps));
  SHOAL_RETURN_IF_ERROR(register_config_routes(router, deps));
  SHOAL_RETURN_IF_ERROR(register_network_routes(router, deps));
  SHOAL_RETURN_IF_ERROR(register_info_routes(router, deps));
  if (deps.images != nullptr) SHOAL_RETURN_IF_ERROR(register_image_routes(router, deps));
  return register_distribution_routes(router, deps);
}

}  // namespace shoal::http::engine
