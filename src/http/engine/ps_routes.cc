#include "http/engine/ps_routes.h"

#include <map>
#include <nlohmann/json.hpp>

#include "manager/controlapi/service.h"

namespace shoal::http::engine {

Status register_ps_routes(Router& router, const PsDeps& deps) {
  if (deps.control == nullptr) return error(Code::kInvalidArgument, "ps route needs a control API");
  return router.add(Method::kGet, "/shoal/containers", [deps](Request&) -> Result<Response> {
    std::vector<runtime::ContainerInfo> containers;
    if (deps.containers != nullptr) containers = deps.containers->list();
    std::map<std::string, std::string> names;  // service ID → name, looked up once
    nlohmann::json out = nlohmann::json::array();
    for (const runtime::ContainerInfo& c : containers) {
      auto [it, fresh] = names.try_emplace(c.ServiceID, c.ServiceName);
      if (fresh && it->second.empty() && !c.ServiceID.empty()) {
        auto service = manager::controlapi::get_service(*deps.control, c.ServiceID, false);
        if (service.is_ok()) it->second = service->Spec.Name;
      }
      nlohmann::json j = {{"TaskID", c.TaskID},
                          {"ServiceID", c.ServiceID},
                          {"ServiceName", it->second},
                          {"NodeID", c.NodeID},
                          {"Slot", c.Slot},
                          {"Image", c.Image},
                          {"State", c.State},
                          {"PID", c.PID},
                          {"Created", c.Created.is_zero() ? "" : format_rfc3339_nano(c.Created)}};
      if (c.ExitCode) j["ExitCode"] = *c.ExitCode;
      out.push_back(std::move(j));
    }
    return Response::json(200, out);
  });
}

}  // namespace shoal::http::engine
