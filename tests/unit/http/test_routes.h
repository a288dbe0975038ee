// Routes the server's tests serve besides their own: GET|HEAD /_ping ("OK", as Docker's)
// and GET /version, so that the server's behaviour (versions, 404s, limits) is tested
// apart from any route set (the Docker system routes are tested in engine/).
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "http/router.h"

namespace shoal::http::testing {

inline Status add_ping_and_version(Router& router) {
  auto ping = [](Request& req) -> Result<Response> {
    return req.method == Method::kHead ? Response::empty(200) : Response::text(200, "OK");
  };
  SHOAL_RETURN_IF_ERROR(router.add(Method::kGet, "/_ping", ping));
  SHOAL_RETURN_IF_ERROR(router.add(Method::kHead, "/_ping", ping));
  return router.add(Method::kGet, "/version", [](Request& req) -> Result<Response> {
    return Response::json(200, nlohmann::json{{"ApiVersion", req.api_version}});
  });
}

}  // namespace shoal::http::testing
