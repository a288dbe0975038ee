// /networks routes for swarm-scoped networks: list, inspect, create, remove. shoal has no
// local (bridge/host/none) networks: outside a swarm the list is empty and every name is
// unknown.
#include "http/engine/handlers.h"
#include "http/engine/params.h"
#include "manager/controlapi/network.h"

namespace shoal::http::engine {
namespace {

namespace ca = manager::controlapi;

constexpr std::string_view kSwarmScope = "swarm";

// runconfig.IsPreDefinedNetwork.
bool is_predefined(std::string_view name) {
  return name == "bridge" || name == "host" || name == "none" || name == "default" ||
         name == "ingress" || name.starts_with("container:");
}

api::NetworkResource to_resource(const api::Network& n) {
  api::NetworkResource r;
  r.Name = n.Spec.Name;
  r.ID = n.ID;
  r.Created = n.CreatedAt;
  r.Scope = std::string(kSwarmScope);
  const auto& spec_driver = n.Spec.DriverConfiguration;
  r.Driver = !n.DriverState.Name.empty()                 ? n.DriverState.Name
             : spec_driver && !spec_driver->Name.empty() ? spec_driver->Name
                                                         : "overlay";
  r.Options = !n.DriverState.Options.empty() ? n.DriverState.Options
              : spec_driver                  ? spec_driver->Options
                                             : api::StringMap{};
  r.EnableIPv6 = n.Spec.IPv6Enabled;
  r.Internal = n.Spec.Internal;
  r.Attachable = n.Spec.Attachable;
  r.Ingress = n.Spec.Ingress;
  r.Labels = n.Spec.Labels;
  if (n.Spec.ConfigFrom) r.ConfigFrom = *n.Spec.ConfigFrom;
  const auto& ipam = n.IPAMOptions ? n.IPAMOptions : n.Spec.IPAMOptions;
  r.IPAM.Driver = "default";
  if (ipam) {
    if (!ipam->Driver.Name.empty()) r.IPAM.Driver = ipam->Driver.Name;
    r.IPAM.Options = ipam->Driver.Options;
    for (const api::IPAMConfig& c : ipam->Configs) {
      r.IPAM.Config.push_back(api::network::IPAMConfig{c.Subnet, c.Range, c.Gateway, {}});
    }
  }
  return r;
}

// moby Args.MatchKVList: every "k" is present, every "k=v" has value v.
bool match_kv(const Filters& filters, const api::StringMap& labels) {
  for (const auto& value : filters.get("label")) {
    size_t eq = value.find('=');
    auto it = labels.find(value.substr(0, eq));
    if (it == labels.end()) return false;
    if (eq != std::string::npos && it->second != value.substr(eq + 1)) return false;
  }
  return true;
}

// moby daemon/network FilterNetworks over the swarm networks.
Result<bool> keep(const Filters& f, const ca::NetworkUse& use, const api::NetworkResource& r) {
  if (!f.exact_match("driver", r.Driver) || !f.match("name", r.Name) || !f.match("id", r.ID) ||
      !match_kv(f, r.Labels) || !f.exact_match("scope", r.Scope)) {
    return false;
  }
  if (f.contains("dangling")) {
    auto values = f.get("dangling");
    if (values.size() > 1) {
      return Status(Code::kInvalidArgument, "got more than one value for filter key \"dangling\"");
    }
    std::string v = values.empty() ? "" : values[0];
    if (v != "0" && v != "false" && v != "1" && v != "true") {
      return Status(Code::kInvalidArgument,
                    "invalid value for filter 'dangling', must be \"true\" (or \"1\"), or "
                    "\"false\" (or \"0\")");
    }
    bool dangling = !is_predefined(r.Name) && use.service_ids.empty();
    if (dangling != (v == "1" || v == "true")) return false;
  }
  for (const std::string& type : f.get("type")) {
    if (type != "builtin" && type != "custom") {
      return error(Code::kInternal, "invalid filter: 'type'='{}'", type);
    }
  }
  if (f.contains("type") && !f.get("type").empty()) {
    std::string_view wanted = is_predefined(r.Name) ? "builtin" : "custom";
    if (!f.exact_match("type", wanted)) return false;
  }
  return true;
}

Result<Response> list(ca::Context* ctx, const Request& req) {
  SHOAL_ASSIGN_OR_RETURN(
      Filters filters,
      filters_param(req, {"dangling", "driver", "id", "label", "name", "scope", "type"},
                    /*pattern_keys=*/{"name", "id"}));
  std::vector<api::NetworkResource> out;
  if (!ca::require_manager(*ctx).is_ok()) return json_list(out);
  SHOAL_ASSIGN_OR_RETURN(std::vector<ca::NetworkUse> uses, ca::list_networks(*ctx));
  for (const ca::NetworkUse& use : uses) {
    api::NetworkResource r = to_resource(*use.network);
    SHOAL_ASSIGN_OR_RETURN(bool wanted, keep(filters, use, r));
    if (wanted) out.push_back(std::move(r));
  }
  return json_list(out);
}

Result<Response> inspect(ca::Context* ctx, const Request& req) {
  std::string_view ref = req.param("id");
  std::string_view scope = req.query.value("scope");
  Status not_found = error(Code::kNotFound, "network {} not found", ref);
  if ((!scope.empty() && scope != kSwarmScope) || !ca::require_manager(*ctx).is_ok())
    return not_found;
  SHOAL_ASSIGN_OR_RETURN(auto network, ca::get_network(*ctx, ref));
  return json_response(to_resource(*network));
}

api::NetworkSpec to_spec(const api::NetworkCreateRequest& create) {
  api::NetworkSpec spec;
  spec.Name = create.Name;
  spec.Labels = create.Labels;
  spec.DriverConfiguration =
      api::Driver{create.Driver.empty() ? "overlay" : create.Driver, create.Options};
  spec.IPv6Enabled = create.EnableIPv6;
  spec.Internal = create.Internal;
  spec.Attachable = create.Attachable;
  spec.Ingress = create.Ingress;
  if (create.IPAM) {
    api::IPAMOptions ipam;
    ipam.Driver = api::Driver{create.IPAM->Driver.empty() ? "default" : create.IPAM->Driver,
                              create.IPAM->Options};
    for (const auto& c : create.IPAM->Config)
      ipam.Configs.push_back(api::IPAMConfig{c.Subnet, c.IPRange, c.Gateway});
    spec.IPAMOptions = std::move(ipam);
  }
  if (create.ConfigFrom) spec.ConfigFrom = *create.ConfigFrom;
  return spec;
}

Result<Response> create(ca::Context* ctx, const Request& req) {
  SHOAL_ASSIGN_OR_RETURN(api::NetworkCreateRequest body,
                         decode_body<api::NetworkCreateRequest>(req));
  if (is_predefined(body.Name)) {
    return error(Code::kPermissionDenied, "{} is a pre-defined network and cannot be created",
                 body.Name);
  }
  if (!body.Scope.empty() && body.Scope != kSwarmScope) {
    return error(Code::kInvalidArgument,
                 "network scope {} is not supported: shoal's networks are swarm-scoped",
                 body.Scope);
  }
  SHOAL_ASSIGN_OR_RETURN(std::string id, ca::create_network(*ctx, to_spec(body)));
  return json_response(api::NetworkCreateResponse{id, ""}, 201);
}

}  // namespace

Status register_network_routes(Router& router, const EngineDeps& deps) {
  ca::Context* ctx = deps.control;
  SHOAL_RETURN_IF_ERROR(
      router.add(Method::kGet, "/networks", [ctx](Request& req) { return list(ctx, req); }));
  SHOAL_RETURN_IF_ERROR(router.add(Method::kGet, "/networks/{id}",
                                   [ctx](Request& req) { return inspect(ctx, req); }));
  SHOAL_RETURN_IF_ERROR(router.add(Method::kPost, "/networks/create",
                                   [ctx](Request& req) { return create(ctx, req); }));
  return router.add(Method::kDelete, "/networks/{id}", [ctx](Request& req) -> Result<Response> {
    if (!ca::require_manager(*ctx).is_ok())
      return error(Code::kNotFound, "network {} not found", req.param("id"));
    SHOAL_RETURN_IF_ERROR(ca::remove_network(*ctx, req.param("id")));
    return Response::empty(204);
  });
}

}  // namespace shoal::http::engine
