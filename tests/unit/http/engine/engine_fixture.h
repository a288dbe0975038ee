// The engine routes over a control API with an in-memory store and a fake local node,
// called through the Router (no sockets): request in, Docker's status and body out.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "../../manager/controlapi/fixture.h"
#include "http/engine/routes.h"
#include "http/router.h"

namespace shoal::http::engine::testing {

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string message() const { return json().value("message", ""); }
};

class EngineTest : public manager::controlapi::testing::ControlApiTest {
 protected:
  EngineTest() {
    Status s = register_engine_routes(router_, EngineDeps{ctx_.get(), "0.1.0-test"});
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  }

  // `target` is a path with an optional query ("/services?filters=...").
  Reply call(Method method, std::string_view target, std::string body = "") {
    std::string_view path = target.substr(0, target.find('?'));
    std::string_view query = path.size() < target.size() ? target.substr(path.size() + 1) : "";
    auto match = router_.match(method, path);
    if (!match) return Reply{404, R"({"message":"page not found"})", "application/json"};
    Request request;
    request.method = method;
    request.path = std::string(path);
    request.api_version = "1.41";
    request.pattern = match->route->pattern;
    request.params = match->params;
    request.query = QueryParams::parse(query);
    request.body = std::move(body);
    Result<Response> result = match->route->handler(request);
    Response response =
        result.is_ok() ? std::move(result).value() : Response::error(result.status());
    return Reply{response.status, response.body,
                 std::string(response.headers.get("Content-Type").value_or(""))};
  }
  Reply get(std::string_view target) { return call(Method::kGet, target); }
  Reply post(std::string_view target, std::string body = "") {
    return call(Method::kPost, target, std::move(body));
  }
  Reply del(std::string_view target) { return call(Method::kDelete, target); }

  // `docker swarm init` with no flags, as the CLI sends it.
  std::string swarm_init() {
    Reply r = post(
        "/swarm/init",
        R"({"ListenAddr":"0.0.0.0:2377","AdvertiseAddr":"","DataPathAddr":"","DataPathPort":0,)"
        R"("ForceNewCluster":false,"Spec":{"Labels":null,"Orchestration":{},"Raft":)"
        R"({"ElectionTick":0,"HeartbeatTick":0},"Dispatcher":{},"CAConfig":{},"TaskDefaults":{},)"
        R"("EncryptionConfig":{"AutoLockManagers":false}},"AutoLockManagers":false,)"
        R"("Availability":"","DefaultAddrPool":[],"SubnetSize":24})");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().get<std::string>();
  }

  Router router_;
};

}  // namespace shoal::http::engine::testing
