// /nodes routes: list, inspect, update, remove.
#include <algorithm>
#include <cctype>

#include "common/strings.h"
#include "http/engine/handlers.h"
#include "http/engine/params.h"
#include "manager/controlapi/node.h"

namespace shoal::http::engine {
namespace {

namespace ca = manager::controlapi;

// moby newListNodesFilters. Bad role or membership values are plain errors in moby (500).
Result<ca::NodeFilters> node_filters(const Filters& filters) {
  ca::NodeFilters f;
  f.names = filters.get("name");
  f.id_prefixes = filters.get("id");
  f.engine_labels = filters.labels("label");
  f.node_labels = filters.labels("node.label");
  for (const std::string& role : filters.get("role")) {
    if (role.empty()) continue;
    auto parsed = api::parse_enum<api::NodeRole>(ascii_lower(role));
    if (!parsed || *parsed == api::NodeRole::kUnset) {
      return error(Code::kInternal, "Invalid role filter: '{}'", role);
    }
    f.roles.push_back(*parsed);
  }
  for (const std::string& membership : filters.get("membership")) {
    if (membership.empty()) continue;
    std::string m = ascii_lower(membership);
    if (m != "accepted" && m != "pending") {
      return error(Code::kInternal, "Invalid membership filter: '{}'", membership);
    }
    f.memberships.push_back(m);
  }
  return f;
}

}  // namespace

Status register_node_routes(Router& router, const EngineDeps& deps) {
  ca::Context* ctx = deps.control;
  SHOAL_RETURN_IF_ERROR(router.add(Method::kGet, "/nodes", [ctx](Request& req) -> Result<Response> {
    SHOAL_RETURN_IF_ERROR(ca::require_manager(*ctx));
    SHOAL_ASSIGN_OR_RETURN(Filters filters, filters_param(req, {"name", "id", "label", "role",
                                                                "membership", "node.label"}));
    SHOAL_ASSIGN_OR_RETURN(ca::NodeFilters f, node_filters(filters));
    SHOAL_ASSIGN_OR_RETURN(auto nodes, ca::list_nodes(*ctx, f));
    return json_list(nodes);
  }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kGet, "/nodes/{id}", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(auto node, ca::get_node(*ctx, req.param("id")));
        return json_response(*node);
      }));
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kPost, "/nodes/{id}/update", [ctx](Request& req) -> Result<Response> {
        SHOAL_ASSIGN_OR_RETURN(api::NodeSpec spec, decode_body<api::NodeSpec>(req));
        SHOAL_ASSIGN_OR_RETURN(uint64_t version, version_param(req, "node"));
        SHOAL_RETURN_IF_ERROR(ca::update_node(*ctx, req.param("id"), version, spec));
        return Response::empty(200);
      }));
  return router.add(Method::kDelete, "/nodes/{id}", [ctx](Request& req) -> Result<Response> {
    SHOAL_RETURN_IF_ERROR(ca::remove_node(*ctx, req.param("id"), req.query.get_bool("force")));
    return Response::empty(200);
  });
}

}  // namespace shoal::http::engine
