// The Docker system routes (/_ping, /version) served by a real http::Server on a unix
// socket, as the docker CLI reaches them.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "http/engine/system.h"
#include "http/test_client.h"
#include "http/test_server.h"

namespace shoal::http::engine {
namespace {

using http::testing::expect_common_headers;
using http::testing::TestClient;
namespace bhttp = boost::beast::http;

class SystemRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = test_server_.socket();
    auto router = std::make_unique<Router>();
    ASSERT_TRUE(register_system_routes(
                    *router, {.version = "9.9.9", .swarm_state = [] { return "active/manager"; }})
                    .is_ok());
    ASSERT_NO_FATAL_FAILURE(
        test_server_.start(std::move(router), ServerOptions{.version = "9.9.9", .io_threads = 1}));
  }

  http::testing::TestServer test_server_;
  std::string socket_;
};

TEST_F(SystemRoutesTest, PingGetAndHeadCarryDockersHeaders) {
  TestClient c(socket_);
  auto res = c.request("GET", "/_ping");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "OK");
  expect_common_headers(res);
  EXPECT_EQ(res["Swarm"], "active/manager");
  EXPECT_EQ(res["Cache-Control"], "no-cache, no-store, must-revalidate");
  EXPECT_EQ(res["Pragma"], "no-cache");

  auto head = c.request("HEAD", "/_ping");
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_EQ(head["Content-Length"], "0");
  EXPECT_EQ(head["Content-Type"], "text/plain; charset=utf-8");
  EXPECT_EQ(head.body(), "");
  expect_common_headers(head);

  // Versioned ping is served too (moby registers every route both ways).
  EXPECT_EQ(c.request("GET", "/v1.41/_ping").body(), "OK");
}

TEST_F(SystemRoutesTest, PingWithoutASwarmStateSaysInactive) {
  Router router;
  ASSERT_TRUE(register_system_routes(router, {.version = "9.9.9", .swarm_state = {}}).is_ok());
  auto match = router.match(Method::kGet, "/_ping");
  ASSERT_TRUE(match.has_value());
  Request request;
  request.method = Method::kGet;
  auto res = match->route->handler(request);
  ASSERT_TRUE(res.is_ok());
  EXPECT_EQ(res->headers.get("Swarm"), "inactive");
}

TEST_F(SystemRoutesTest, VersionBodyIsDockersShape) {
  TestClient c(socket_);
  auto res = c.request("GET", "/v1.41/version");
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(res["Content-Type"], "application/json");
  auto v = nlohmann::json::parse(res.body());
  EXPECT_EQ(v["Version"], "9.9.9");
  EXPECT_EQ(v["ApiVersion"], "1.41");
  EXPECT_EQ(v["MinAPIVersion"], "1.12");
  EXPECT_EQ(v["Os"], "linux");
  EXPECT_EQ(v["Platform"]["Name"], "shoal");
  EXPECT_EQ(v["Components"][0]["Name"], "Engine");
  EXPECT_EQ(v["Components"][0]["Details"]["ApiVersion"], "1.41");
  EXPECT_FALSE(v["KernelVersion"].get<std::string>().empty());
}

}  // namespace
}  // namespace shoal::http::engine
