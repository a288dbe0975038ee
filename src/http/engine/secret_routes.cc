// /secrets and /configs routes: list, create, inspect, update (labels), remove.
#include "http/engine/handlers.h"
#include "http/engine/params.h"
#include "manager/controlapi/secret.h"

namespace shoal::http::engine {

namespace ca = manager::controlapi;

Status register_secret_routes(Router& router, const EngineDeps& deps) {
  ca::Context* ctx = deps.control;
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kGet, "/secrets", [ctx](Request& req) -> Result<Response> {
        SHOAL_RETURN_IF_ERROR(ca::require_manager(*ctx));
        SHOAL_ASSIGN_OR_RETURN(Filters filters,
                               filters_param(req, {"names", "name", "id", "label"}));
        ca::SecretFilters f{filters.get("names"), filters.get("name"), filters.get("id"),
                            filters.labels("label")};
        SHOAL_ASSIGN_OR_RETURN(auto secrets, ca::list_secrets(*ctx, f));
        return json_list(secrets);
      }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kPost, "/secrets/create", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(api::SecretSpec spec, decode_body<api::SecretSpec>(req));
        SHOAL_ASSIGN_OR_RETURN(api::SecretCreateResponse created, ca::create_secret(*ctx, spec));
        return json_response(created, 201);
      }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kGet, "/secrets/{id}", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(api::Secret secret, ca::get_secret(*ctx, req.param("id")));
        return json_response(secret);
      }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kPost, "/secrets/{id}/update", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(api::SecretSpec spec, decode_body<api::SecretSpec>(req));
        SHOAL_ASSIGN_OR_RETURN(uint64_t version, version_param(req, "secret"));
        SHOAL_RETURN_IF_ERROR(ca::update_secret(*ctx, req.param("id"), version, spec));
        return Response::empty(200);
      }));
  return router.add(Method::kDelete, "/secrets/{id}", [ctx](Request& req) -> Result<Response> {
    SHOAL_RETURN_IF_ERROR(ca::remove_secret(*ctx, req.param("id")));
    return Response::empty(204);
  });
}

Status register_config_routes(Router& router, const EngineDeps& deps) {
  ca::Context* ctx = deps.control;
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kGet, "/configs", [ctx](Request& req) -> Result<Response> {
        SHOAL_RETURN_IF_ERROR(ca::require_manager(*ctx));
        SHOAL_ASSIGN_OR_RETURN(Filters filters, filters_param(req, {"name", "id", "label"}));
        ca::ConfigFilters f{filters.get("name"), filters.get("id"), filters.labels("label")};
        SHOAL_ASSIGN_OR_RETURN(auto configs, ca::list_configs(*ctx, f));
        return json_list(configs);
      }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kPost, "/configs/create", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(api::ConfigSpec spec, decode_body<api::ConfigSpec>(req));
        SHOAL_ASSIGN_OR_RETURN(api::ConfigCreateResponse created, ca::create_config(*ctx, spec));
        return json_response(created, 201);
      }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kGet, "/configs/{id}", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(api::Config config, ca::get_config(*ctx, req.param("id")));
        return json_response(config);
      }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kPost, "/configs/{id}/update", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(api::ConfigSpec spec, decode_body<api::ConfigSpec>(req));
        SHOAL_ASSIGN_OR_RETURN(uint64_t version, version_param(req, "config"));
        SHOAL_RETURN_IF_ERROR(ca::update_config(*ctx, req.param("id"), version, spec));
        return Response::empty(200);
      }));
  return router.add(Method::kDelete, "/configs/{id}", [ctx](Request& req) -> Result<Response> {
    SHOAL_RETURN_IF_ERROR(ca::remove_config(*ctx, req.param("id")));
    return Response::empty(204);
  });
}

}  // namespace shoal::http::engine
