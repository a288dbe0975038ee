// /services routes: list, inspect, create, update (and rollback), remove.
#include "http/api_version.h"
#include "http/engine/handlers.h"
#include "http/engine/params.h"
#include "manager/controlapi/service.h"
#include "runtime/image/registry_auth.h"

namespace shoal::http::engine {
namespace {

namespace ca = manager::controlapi;

ca::ServiceFilters service_filters(const Filters& filters) {
  ca::ServiceFilters f;
  f.names = filters.get("name");
  f.id_prefixes = filters.get("id");
  f.labels = filters.labels("label");
  f.modes = filters.get("mode");
  f.runtimes = filters.get("runtime");
  return f;
}

Result<Response> list(ca::Context* ctx, const Request& req) {
  SHOAL_RETURN_IF_ERROR(ca::require_manager(*ctx));
  SHOAL_ASSIGN_OR_RETURN(Filters filters,
                         filters_param(req, {"name", "id", "label", "mode", "runtime"}));
  // moby honours ?status only from API 1.41 on.
  bool status = false;
  if (compare_api_versions(req.api_version, "1.41") >= 0) {
    SHOAL_ASSIGN_OR_RETURN(status, go_bool_param(req, "status"));
  }
  SHOAL_ASSIGN_OR_RETURN(auto services, ca::list_services(*ctx, service_filters(filters), status));
  return json_list(services);
}

Result<Response> update(ca::Context* ctx, const Request& req) {
  SHOAL_ASSIGN_OR_RETURN(api::ServiceSpec spec, decode_body<api::ServiceSpec>(req));
  SHOAL_ASSIGN_OR_RETURN(uint64_t version, version_param(req, "service"));
  std::string_view rollback = req.query.value("rollback");
  if (rollback != "" && rollback != "none" && rollback != "previous") {
    return error(Code::kInternal, "unrecognized rollback option {}", rollback);
  }
  // Registry credentials: the header when sent (--with-registry-auth), else the current or
  // the previous spec's, as moby picks them.
  std::string_view auth_from = req.query.value("registryAuthFrom");
  if (auth_from != "" && auth_from != "spec" && auth_from != "previous-spec") {
    return Status(Code::kInternal, "unsupported registryAuthFrom value");
  }
  ca::RegistryAuthSource auth;
  if (auto header = req.headers.get("X-Registry-Auth"); header && !header->empty()) {
    SHOAL_RETURN_IF_ERROR(runtime::image::decode_registry_auth(*header).status());
    auth = {ca::RegistryAuthFrom::kHeader, std::string(*header)};
  } else if (auth_from == "previous-spec") {
    auth.from = ca::RegistryAuthFrom::kPreviousSpec;
  }
  SHOAL_ASSIGN_OR_RETURN(api::ServiceUpdateResponse response,
                         ca::update_service(*ctx, req.param("id"), version, std::move(spec),
                                            rollback == "previous", auth));
  return json_response(response);
}

}  // namespace

Status register_service_routes(Router& router, const EngineDeps& deps) {
  ca::Context* ctx = deps.control;
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kGet, "/services", [ctx](Request& req) { return list(ctx, req); }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kGet, "/services/{id}", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(bool defaults, go_bool_param(req, "insertDefaults"));
        SHOAL_ASSIGN_OR_RETURN(api::Service service,
                               ca::get_service(*ctx, req.param("id"), defaults));
        return json_response(service);
      }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kPost, "/services/create", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(api::ServiceSpec spec, decode_body<api::ServiceSpec>(req));
        std::string auth(req.headers.get("X-Registry-Auth").value_or(""));
        SHOAL_RETURN_IF_ERROR(runtime::image::decode_registry_auth(auth).status());
        SHOAL_ASSIGN_OR_RETURN(api::ServiceCreateResponse created,
                               ca::create_service(*ctx, std::move(spec), std::move(auth)));
        return json_response(created, 201);
      }));
  SHOAL_RETURN_IF_ERROR(router.add(Method::kPost, "/services/{id}/update",
                                   [ctx](Request& req) { return update(ctx, req); }));
  return router.add(Method::kDelete, "/services/{id}", [ctx](Request& req) -> Result<Response> {
    SHOAL_RETURN_IF_ERROR(ca::remove_service(*ctx, req.param("id")));
    return Response::empty(200);
  });
}

}  // namespace shoal::http::engine
