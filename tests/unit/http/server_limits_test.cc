// The server applies its ConnectionLimits (limits.h) on real connections: each test waits
// for something to happen (a close, an answer), bounded by the client's 10 s read timeout.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/server.h"
#include "http/unix_listener.h"
#include "support/eventually.h"
#include "test_client.h"
#include "test_routes.h"
#include "test_server.h"

namespace shoal::http {
namespace {

using namespace std::chrono_literals;
using testing::TestClient;

class ServerLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override { socket_ = test_server_.socket(); }

  void start(ConnectionLimits limits) {
    auto router = std::make_unique<Router>();
    ASSERT_TRUE(testing::add_ping_and_version(*router).is_ok());
    ASSERT_TRUE(router
                    ->add(Method::kPost, "/echo",
                          [](Request& r) -> Result<Response> {
                            return Response::json(200, nlohmann::json{{"body", r.body}});
                          })
                    .is_ok());
    ASSERT_NO_FATAL_FAILURE(test_server_.start(
        std::move(router), ServerOptions{.version = "9.9.9", .io_threads = 2, .limits = limits}));
    server_ = &test_server_.server();
  }

  static std::string message(const std::string& body) {
    return nlohmann::json::parse(body)["message"];
  }

  testing::TestServer test_server_;
  std::string socket_;
  Server* server_ = nullptr;
};

// Timeouts short enough for a test, the other limits at their defaults.
ConnectionLimits short_timeouts() {
  return ConnectionLimits{.header_timeout = 300ms, .idle_timeout = 300ms, .body_timeout = 300ms};
}

TEST_F(ServerLimitsTest, KeptAliveConnectionIsClosedQuietlyAfterIdleTimeout) {
  start(short_timeouts());
  TestClient c(socket_);
  auto res = c.request("GET", "/_ping");
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_TRUE(res.keep_alive());
  std::string rest;
  EXPECT_TRUE(c.read_until_eof(&rest));
  EXPECT_EQ(rest, "");
}

TEST_F(ServerLimitsTest, ConnectionThatSendsNothingIsClosedQuietlyAfterHeaderTimeout) {
  start(ConnectionLimits{.header_timeout = 300ms, .idle_timeout = 0ms, .body_timeout = 0ms});
  TestClient c(socket_);
  std::string rest;
  EXPECT_TRUE(c.read_until_eof(&rest));
  EXPECT_EQ(rest, "");
}

TEST_F(ServerLimitsTest, UnfinishedHeadGets408AfterHeaderTimeoutThenClose) {
  start(short_timeouts());
  TestClient c(socket_);
  c.send("GET /_ping HTTP/1.1\r\nHost: x\r\n");
  auto res = c.read_response();
  EXPECT_EQ(res.result_int(), 408);
  EXPECT_EQ(res["Content-Type"], "application/json");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(message(res.body()),
            "timed out reading the request head (it must arrive whole within 300ms)");
  EXPECT_TRUE(c.read_until_eof());
}

TEST_F(ServerLimitsTest, StalledBodyGets408AfterBodyTimeoutThenClose) {
  start(short_timeouts());
  TestClient c(socket_);
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
  auto res = c.read_response();
  EXPECT_EQ(res.result_int(), 408);
  EXPECT_EQ(message(res.body()), "timed out reading the request body (no data for 300ms)");
  EXPECT_TRUE(c.read_until_eof());
}

TEST_F(ServerLimitsTest, BodyThatKeepsArrivingOutlastsTheBodyTimeout) {
  start(ConnectionLimits{.body_timeout = 1500ms});
  TestClient c(socket_);
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n");
  // Six pieces 400 ms apart: 2.4 s in all, never 1.5 s without a byte. Real time on
  // purpose: the server's timers are Boost.Asio steady timers, and what is shown is that a
  // body arriving slowly but steadily outlives the per-byte timeout.
  for (char ch : std::string("abcdef")) {
    std::this_thread::sleep_for(400ms);
    c.send(std::string(1, ch));
  }
  auto res = c.read_response();
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(nlohmann::json::parse(res.body())["body"], "abcdef");
}

TEST_F(ServerLimitsTest, TargetOverItsLimitWithinTheHeadIs414) {
  start(ConnectionLimits{.max_target_bytes = 1024});
  TestClient c(socket_);
  auto res = c.request("GET", "/_ping?pad=" + std::string(2000, 'a'));
  EXPECT_EQ(res.result_int(), 414);
  EXPECT_EQ(res["Content-Type"], "application/json");
  EXPECT_EQ(res["Api-Version"], "1.41");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(message(res.body()), "request URI too long: the request target is over 1024 bytes");
  EXPECT_TRUE(c.read_until_eof());
}

TEST_F(ServerLimitsTest, TargetPastTheHeadLimitIs414) {
  start(ConnectionLimits{});
  TestClient c(socket_);
  // 2 MiB of URL: the server answers after 1 MiB and discards the rest while it lingers.
  auto res = c.request("GET", "/_ping?pad=" + std::string(2u << 20, 'a'));
  EXPECT_EQ(res.result_int(), 414);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(message(res.body()), "request URI too long: the request target is over 262144 bytes");
  EXPECT_TRUE(c.read_until_eof());
}

TEST_F(ServerLimitsTest, HeadOverItsLimitIs431) {
  start(ConnectionLimits{});
  TestClient c(socket_);
  std::string fields;
  for (int i = 0; fields.size() <= (1u << 20); ++i) {
    fields += "X-Pad-" + std::to_string(i) + ": " + std::string(1000, 'p') + "\r\n";
  }
  auto res = c.request("GET", "/_ping", "", fields);
  EXPECT_EQ(res.result_int(), 431);
  EXPECT_EQ(res["Content-Type"], "application/json");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(message(res.body()),
            "request header fields too large: the request line and header fields are over "
            "1048576 bytes");
  EXPECT_TRUE(c.read_until_eof());
}

TEST_F(ServerLimitsTest, ConnectionsPastTheLimitGet503WhileOpenOnesStillWork) {
  start(ConnectionLimits{.max_connections = 2});
  TestClient a(socket_), b(socket_);
  ASSERT_EQ(a.request("GET", "/_ping").result_int(), 200);
  ASSERT_EQ(b.request("GET", "/_ping").result_int(), 200);

  TestClient refused(socket_);
  auto res = refused.read_response();
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_EQ(res["Content-Type"], "application/json");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(message(res.body()),
            "too many open connections to this API endpoint (limit 2); try again later");
  EXPECT_TRUE(refused.read_until_eof());

  EXPECT_EQ(a.request("GET", "/_ping").body(), "OK");
  EXPECT_EQ(b.request("GET", "/_ping").body(), "OK");
  EXPECT_EQ(server_->connections(), 2u);
}

// A client writes its request whenever it likes, possibly after the refusal has arrived
// (the docker CLI connects and writes without waiting): the write must not fail on a closed
// socket, and the answer must still be there to read.
TEST_F(ServerLimitsTest, RefusedClientThatWritesAfterTheAnswerArrivedStillReadsIt) {
  start(ConnectionLimits{.max_connections = 1});
  TestClient held(socket_);
  ASSERT_EQ(held.request("GET", "/_ping").result_int(), 200);

  TestClient refused(socket_);
  ASSERT_TRUE(refused.wait_readable());  // the 503 has been sent
  EXPECT_NO_THROW(refused.send("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(refused.read_response().result_int(), 503);
  EXPECT_TRUE(refused.read_until_eof());
}

TEST_F(ServerLimitsTest, ClosedConnectionGivesItsPlaceBack) {
  start(ConnectionLimits{.max_connections = 1});
  {
    TestClient a(socket_);
    ASSERT_EQ(a.request("GET", "/_ping").result_int(), 200);
    a.close();
  }
  // The server notices the close asynchronously: retry until a new connection is served.
  EXPECT_TRUE(::shoal::testing::eventually([&] {
    TestClient c(socket_);
    c.send("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
    return c.read_response().result_int() == 200;
  }));
}

}  // namespace
}  // namespace shoal::http
