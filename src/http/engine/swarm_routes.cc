// /swarm routes: init, join, leave, inspect, update, unlockkey, unlock.
#include <nlohmann/json.hpp>

#include "http/engine/handlers.h"
#include "http/engine/params.h"
#include "manager/controlapi/swarm.h"

namespace shoal::http::engine {
namespace {

namespace ca = manager::controlapi;

}  // namespace

Status register_swarm_routes(Router& router, const EngineDeps& deps) {
  ca::Context* ctx = deps.control;
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kPost, "/swarm/init", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(api::InitRequest body, decode_body<api::InitRequest>(req));
        SHOAL_ASSIGN_OR_RETURN(std::string node_id, ca::init_swarm(*ctx, body));
        return Response::json(200, nlohmann::json(node_id));
      }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kPost, "/swarm/join", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(api::JoinRequest body, decode_body<api::JoinRequest>(req));
        SHOAL_RETURN_IF_ERROR(ca::join_swarm(*ctx, body));
        return Response::empty(200);
      }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kPost, "/swarm/leave", [ctx](Request& req) -> Result<Response> {
        SHOAL_RETURN_IF_ERROR(ca::leave_swarm(*ctx, req.query.get_bool("force")));
        return Response::empty(200);
      }));
  SHOAL_RETURN_IF_ERROR(router.add(Method::kGet, "/swarm", [ctx](Request&) -> Result<Response> {
    SHOAL_ASSIGN_OR_RETURN(api::Swarm swarm, ca::inspect_swarm(*ctx));
    return json_response(swarm);
  }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kPost, "/swarm/update", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(api::Spec spec, decode_body<api::Spec>(req));
        SHOAL_ASSIGN_OR_RETURN(uint64_t version, version_param(req, "swarm"));
        api::UpdateFlags flags;
        SHOAL_ASSIGN_OR_RETURN(flags.RotateWorkerToken, go_bool_param(req, "rotateWorkerToken"));
        SHOAL_ASSIGN_OR_RETURN(flags.RotateManagerToken, go_bool_param(req, "rotateManagerToken"));
        SHOAL_ASSIGN_OR_RETURN(flags.RotateManagerUnlockKey,
                               go_bool_param(req, "rotateManagerUnlockKey"));
        SHOAL_RETURN_IF_ERROR(ca::update_swarm(*ctx, version, spec, flags));
        return Response::empty(200);
      }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kGet, "/swarm/unlockkey", [ctx](Request&) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(api::SwarmUnlockKeyResponse key, ca::get_unlock_key(*ctx));
        return json_response(key);
      }));
  return router.add(Method::kPost, "/swarm/unlock", [ctx](Request& req) -> Result<Response> {
    SHOAL_ASSIGN_OR_RETURN(api::UnlockRequest body, decode_body<api::UnlockRequest>(req));
    SHOAL_RETURN_IF_ERROR(ca::unlock_swarm(*ctx, body));
    return Response::empty(200);
  });
}

}  // namespace shoal::http::engine
