// Serving without a connection (a request another manager forwarded) and the router's
// interceptor, which answers in a handler's place.
#include <gtest/gtest.h>

#include "http/router.h"
#include "http/server_core.h"

namespace shoal::http {
namespace {

class InProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_
                    .add(
                        Method::kPost, "/services/create",
                        [this](Request& r) -> Result<Response> {
                          ++handled_;
                          return Response::json_text(201, "{\"got\":\"" + r.body + "\"}\n");
                        },
                        RouteOptions{.max_body_bytes = 16})
                    .is_ok());
    ASSERT_TRUE(router_
                    .add_stream(Method::kGet, "/events",
                                [](Request&, ResponseStream&) { return Status::ok(); })
                    .is_ok());
  }

  Router router_;
  int handled_ = 0;
};

TEST_F(InProcessTest, ARequestIsRoutedVersionCheckedAndAnsweredAsOnASocket) {
  Response created = serve_in_process(router_, Method::kPost, "/v1.41/services/create", {}, "x");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.body, "{\"got\":\"x\"}\n");
  EXPECT_EQ(serve_in_process(router_, Method::kPost, "/v1.41/nowhere", {}, "").status, 404);
  EXPECT_EQ(serve_in_process(router_, Method::kPost, "/v1.99/services/create", {}, "").status, 400);
  EXPECT_EQ(
      serve_in_process(router_, Method::kPost, "/services/create", {}, std::string(17, 'x')).status,
      413);
  EXPECT_EQ(serve_in_process(router_, Method::kGet, "/events", {}, "").status, 501);
  EXPECT_EQ(handled_, 1);
}

TEST_F(InProcessTest, AnInterceptorsAnswerReplacesTheHandlers) {
  router_.set_interceptor([](Request& r) -> std::optional<Response> {
    if (r.headers.has("X-Elsewhere")) return Response::json_text(202, "{}\n");
    return std::nullopt;
  });
  Headers elsewhere;
  elsewhere.add("X-Elsewhere", "1");
  EXPECT_EQ(
      serve_in_process(router_, Method::kPost, "/services/create", std::move(elsewhere), "").status,
      202);
  EXPECT_EQ(handled_, 0);
  EXPECT_EQ(serve_in_process(router_, Method::kPost, "/services/create", {}, "y").status, 201);
  EXPECT_EQ(handled_, 1);
}

}  // namespace
}  // namespace shoal::http
