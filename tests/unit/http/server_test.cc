#include "http/server.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/unix_listener.h"
#include "support/eventually.h"
#include "test_client.h"
#include "test_routes.h"
#include "test_server.h"

namespace shoal::http {
namespace {

using namespace std::chrono_literals;
using testing::expect_common_headers;
using testing::TestClient;
namespace bhttp = boost::beast::http;

using ::shoal::testing::eventually;

// A gate the test opens; handlers wait on it or on their stop token.
struct Gate {
  std::mutex mu;
  std::condition_variable_any cv;
  bool open = false;
  // True when opened, false when `stop` fired first.
  bool wait(std::stop_token stop) {
    std::unique_lock lock(mu);
    return cv.wait(lock, stop, [&] { return open; });
  }
  void release() {
    {
      std::lock_guard lock(mu);
      open = true;
    }
    cv.notify_all();
  }
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = test_server_.socket();

    auto router = std::make_unique<Router>();
    ASSERT_TRUE(testing::add_ping_and_version(*router).is_ok());
    ASSERT_TRUE(router
                    ->add(
                        Method::kPost, "/echo",
                        [](Request& r) -> Result<Response> {
                          return Response::json(
                              200, {{"body", r.body},
                                    {"length", r.body.size()},
                                    {"content_type", r.headers.get("Content-Type").value_or("")},
                                    {"api_version", r.api_version}});
                        },
                        RouteOptions{.max_body_bytes = 1u << 20})
                    .is_ok());
    ASSERT_TRUE(router
                    ->add(Method::kGet, "/q",
                          [](Request& r) -> Result<Response> {
                            SHOAL_ASSIGN_OR_RETURN(int64_t n, r.query.get_int("n", -1));
                            return Response::json(200, {{"flag", r.query.get_bool("flag")},
                                                        {"n", n},
                                                        {"filters", r.query.value("filters")}});
                          })
                    .is_ok());
    ASSERT_TRUE(router
                    ->add(Method::kGet, "/distribution/{name:.*}/json",
                          [](Request& r) -> Result<Response> {
                            return Response::json(200, {{"name", r.param("name")}});
                          })
                    .is_ok());
    ASSERT_TRUE(router
                    ->add(Method::kGet, "/fail",
                          [](Request&) -> Result<Response> {
                            return Status(Code::kNotFound, "service x not found");
                          })
                    .is_ok());
    ASSERT_TRUE(router
                    ->add(Method::kGet, "/throw",
                          [](Request&) -> Result<Response> { throw std::runtime_error("boom"); })
                    .is_ok());
    ASSERT_TRUE(router
                    ->add(Method::kGet, "/block",
                          [this](Request& r) -> Result<Response> {
                            blocked_++;
                            bool opened = gate_.wait(r.stop);
                            if (!opened) block_cancelled_ = true;
                            return Response::text(200, opened ? "released" : "cancelled");
                          })
                    .is_ok());
    ASSERT_TRUE(router
                    ->add_stream(Method::kGet, "/stream",
                                 [this](Request& r, ResponseStream& out) -> Status {
                                   if (!r.query.get_bool("stdout")) {
                                     return Status(Code::kInvalidArgument,
                                                   "Bad parameters: you must choose at least one "
                                                   "stream");
                                   }
                                   Headers h;
                                   h.set("Content-Type", "application/vnd.docker.raw-stream");
                                   EXPECT_TRUE(out.begin(200, std::move(h)));
                                   EXPECT_TRUE(out.write("first line\n"));
                                   streaming_ = true;
                                   bool opened = gate_.wait(out.stop_token());
                                   if (opened) {
                                     for (int i = 0; i < 3; ++i) out.write("more\n");
                                   } else {
                                     stream_cancelled_ = true;
                                     // After stop every write is refused.
                                     EXPECT_FALSE(out.write("late\n"));
                                   }
                                   stream_returned_ = true;
                                   return Status::ok();
                                 })
                    .is_ok());
    ASSERT_TRUE(router
                    ->add_stream(Method::kGet, "/stream-big",
                                 [](Request&, ResponseStream& out) -> Status {
                                   std::string block(64 * 1024, 'x');
                                   for (int i = 0; i < 64; ++i) {  // 4 MiB > the 1 MiB queue
                                     if (!out.write(block)) return Status::ok();
                                   }
                                   out.write("END");
                                   return Status::ok();
                                 })
                    .is_ok());

    ASSERT_NO_FATAL_FAILURE(
        test_server_.start(std::move(router), ServerOptions{.version = "9.9.9", .io_threads = 2}));
    server_ = &test_server_.server();
  }

  void TearDown() override {
    gate_.release();
    test_server_.stop();
  }

  testing::TestServer test_server_;
  std::string socket_;
  Server* server_ = nullptr;
  Gate gate_;
  std::atomic<int> blocked_{0};
  std::atomic<bool> block_cancelled_{false};
  std::atomic<bool> streaming_{false}, stream_cancelled_{false}, stream_returned_{false};
};

TEST_F(ServerTest, SocketIsCreatedWithMode0660) {
  struct stat st {};
  ASSERT_EQ(::stat(socket_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(ServerTest, PingIsServedVersionedAndNot) {
  TestClient c(socket_);
  auto res = c.request("GET", "/_ping");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "OK");
  expect_common_headers(res);
  auto head = c.request("HEAD", "/_ping");
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_EQ(head.body(), "");
  expect_common_headers(head);
  // Every route is served both ways (as moby registers them).
  EXPECT_EQ(c.request("GET", "/v1.41/_ping").body(), "OK");
  auto versioned = c.request("GET", "/v1.40/version");
  ASSERT_EQ(versioned.result_int(), 200);
  EXPECT_EQ(nlohmann::json::parse(versioned.body())["ApiVersion"], "1.40");
}

TEST_F(ServerTest, UnknownPathIsDockerShaped404) {
  TestClient c(socket_);
  for (const char* target : {"/v1.41/nope", "/nope", "/v1.50/nope", "/v1.41/services/x/y/z"}) {
    auto res = c.request("GET", target);
    EXPECT_EQ(res.result_int(), 404) << target;
    EXPECT_EQ(res["Content-Type"], "application/json");
    EXPECT_EQ(res.body(), "{\"message\":\"page not found\"}\n");
    expect_common_headers(res);
  }
  // A known path with another method is "page not found" too.
  auto res = c.request("DELETE", "/version");
  EXPECT_EQ(res.result_int(), 404);
}

TEST_F(ServerTest, VersionTooNewOrTooOld) {
  TestClient c(socket_);
  auto res = c.request("GET", "/v1.50/version");
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res["Content-Type"], "application/json");
  EXPECT_EQ(nlohmann::json::parse(res.body())["message"],
            "client version 1.50 is too new. Maximum supported API version is 1.41");
  res = c.request("GET", "/v1.11/version");
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(nlohmann::json::parse(res.body())["message"],
            "client version 1.11 is too old. Minimum supported API version is 1.12, please "
            "upgrade your client to a newer version");
  // Within range, and unversioned, the request reaches its handler with its version.
  auto echo = c.request("POST", "/v1.24/echo", "x");
  EXPECT_EQ(nlohmann::json::parse(echo.body())["api_version"], "1.24");
  echo = c.request("POST", "/echo", "x");
  EXPECT_EQ(nlohmann::json::parse(echo.body())["api_version"], "1.41");
}

TEST_F(ServerTest, HandlerErrorsAndExceptions) {
  TestClient c(socket_);
  auto res = c.request("GET", "/fail");
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res["Content-Type"], "application/json");
  EXPECT_EQ(res.body(), "{\"message\":\"service x not found\"}\n");
  res = c.request("GET", "/throw");
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(nlohmann::json::parse(res.body())["message"], "internal error: boom");
  res = c.request("GET", "/q?n=abc");
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(nlohmann::json::parse(res.body())["message"], "invalid value for \"n\": \"abc\"");
  // The connection is still good.
  EXPECT_EQ(c.request("GET", "/_ping").body(), "OK");
}

TEST_F(ServerTest, QueryAndGreedyParams) {
  TestClient c(socket_);
  auto res =
      c.request("GET", "/v1.41/q?flag=1&n=12&filters=%7B%22name%22%3A%7B%22web%22%3Atrue%7D%7D");
  auto q = nlohmann::json::parse(res.body());
  EXPECT_EQ(q["flag"], true);
  EXPECT_EQ(q["n"], 12);
  EXPECT_EQ(q["filters"], R"({"name":{"web":true}})");
  res = c.request("GET", "/v1.41/distribution/localhost:5000/foo/bar:latest/json");
  EXPECT_EQ(nlohmann::json::parse(res.body())["name"], "localhost:5000/foo/bar:latest");
  res = c.request("GET", "/v1.41/distribution/nginx@sha256:abc/json");
  EXPECT_EQ(nlohmann::json::parse(res.body())["name"], "nginx@sha256:abc");
}

TEST_F(ServerTest, KeepAliveManyRequestsOnOneConnection) {
  TestClient c(socket_);
  for (int i = 0; i < 20; ++i) {
    auto res = c.request("POST", "/v1.41/echo", "body " + std::to_string(i),
                         "Content-Type: application/json\r\n");
    ASSERT_EQ(res.result_int(), 200);
    EXPECT_TRUE(res.keep_alive());
    EXPECT_EQ(nlohmann::json::parse(res.body())["body"], "body " + std::to_string(i));
  }
  EXPECT_EQ(server_->connections(), 1u);
}

TEST_F(ServerTest, PipelinedRequestsAnsweredInOrder) {
  TestClient c(socket_);
  std::string raw;
  for (int i = 0; i < 5; ++i) {
    std::string body = std::to_string(i);
    raw += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
  }
  c.send(raw);
  for (int i = 0; i < 5; ++i) {
    auto res = c.read_response();
    EXPECT_EQ(nlohmann::json::parse(res.body())["body"], std::to_string(i));
  }
}

TEST_F(ServerTest, ChunkedRequestBody) {
  TestClient c(socket_);
  c.send(
      "POST /v1.41/echo HTTP/1.1\r\nHost: api.moby.localhost\r\n"
      "Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\n\r\n");
  auto res = c.read_response();
  ASSERT_EQ(res.result_int(), 200);
  auto j = nlohmann::json::parse(res.body());
  EXPECT_EQ(j["body"], "hello world!");
  EXPECT_EQ(j["content_type"], "application/x-tar");
  // Keep-alive after a chunked body.
  EXPECT_EQ(c.request("GET", "/_ping").body(), "OK");
}

TEST_F(ServerTest, ExpectContinue) {
  TestClient c(socket_);
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  std::string interim = c.read_until("\r\n\r\n");
  EXPECT_NE(interim.find("HTTP/1.1 100 Continue"), std::string::npos) << interim;
  c.send("abc");
  auto res = c.read_response();
  EXPECT_EQ(nlohmann::json::parse(res.body())["body"], "abc");
}

TEST_F(ServerTest, BodyLargerThanRouteLimitIs413AndCloses) {
  TestClient c(socket_);
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string((1u << 20) + 1) +
         "\r\n\r\n");
  // Beast checks Content-Length against the limit before any body byte arrives.
  auto res = c.read_response();
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(res["Content-Type"], "application/json");
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(ServerTest, BlockedHandlerDoesNotBlockOtherConnections) {
  TestClient blocked(socket_);
  blocked.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(eventually([&] { return blocked_ == 1; }));
  for (int i = 0; i < 10; ++i) {
    TestClient other(socket_);
    EXPECT_EQ(other.request("GET", "/_ping").body(), "OK");
  }
  gate_.release();
  EXPECT_EQ(blocked.read_response().body(), "released");
}

TEST_F(ServerTest, ManyConnectionsWhileOneStreams) {
  TestClient stream(socket_);
  stream.send("GET /v1.41/stream?stdout=1&follow=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string got = stream.read_until("first line\n");
  ASSERT_NE(got.find("first line\n"), std::string::npos) << got;
  EXPECT_NE(got.find("HTTP/1.1 200 OK"), std::string::npos);
  EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_NE(got.find("Content-Type: application/vnd.docker.raw-stream"), std::string::npos);
  EXPECT_NE(got.find("Api-Version: 1.41"), std::string::npos);

  // What `docker service logs -f` does: more connections while the stream is open.
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      TestClient c(socket_);
      for (int i = 0; i < 5; ++i) {
        if (c.request("GET", "/v1.41/version").result_int() == 200) ok++;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 40);

  gate_.release();
  std::string rest = stream.read_until("0\r\n\r\n");
  EXPECT_NE(rest.find("more\n"), std::string::npos);
  EXPECT_NE(rest.find("0\r\n\r\n"), std::string::npos);  // the last chunk: stream ended
  EXPECT_TRUE(eventually([&] { return stream_returned_.load(); }));
  EXPECT_FALSE(stream_cancelled_);
  // The connection is reusable after the stream.
  EXPECT_EQ(stream.request("GET", "/_ping").body(), "OK");
}

TEST_F(ServerTest, StreamEndsWhenClientGoesAway) {
  {
    TestClient stream(socket_);
    stream.send("GET /stream?stdout=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_NE(stream.read_until("first line\n").find("first line"), std::string::npos);
    stream.close();
  }
  EXPECT_TRUE(eventually([&] { return stream_returned_.load(); }));
  EXPECT_TRUE(stream_cancelled_);
  EXPECT_TRUE(eventually([&] { return server_->connections() == 0; }));
}

TEST_F(ServerTest, PlainHandlerSeesStopWhenClientGoesAway) {
  {
    TestClient c(socket_);
    c.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(eventually([&] { return blocked_ == 1; }));
    c.close();
  }
  EXPECT_TRUE(eventually([&] { return block_cancelled_.load(); }));
}

TEST_F(ServerTest, StreamErrorBeforeBeginGetsItsStatus) {
  TestClient c(socket_);
  auto res = c.request("GET", "/stream");
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res["Content-Type"], "application/json");
  EXPECT_EQ(nlohmann::json::parse(res.body())["message"],
            "Bad parameters: you must choose at least one stream");
  EXPECT_EQ(c.request("GET", "/_ping").body(), "OK");
}

TEST_F(ServerTest, LargeStreamWithBackpressureArrivesWhole) {
  TestClient c(socket_);
  auto res = c.request("GET", "/stream-big");
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body().size(), 64u * 64 * 1024 + 3);
  EXPECT_TRUE(res.body().ends_with("END"));
}

TEST_F(ServerTest, StopEndsOpenStreamsAndIdleConnections) {
  TestClient idle(socket_);
  EXPECT_EQ(idle.request("GET", "/_ping").body(), "OK");
  TestClient stream(socket_);
  stream.send("GET /stream?stdout=1&follow=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_NE(stream.read_until("first line\n").find("first line"), std::string::npos);

  server_->stop();  // returns once every handler has returned and every thread is joined
  EXPECT_TRUE(stream_cancelled_);
  EXPECT_TRUE(stream_returned_);
  std::string rest;
  EXPECT_TRUE(stream.read_until_eof(&rest));
  EXPECT_NE(rest.find("0\r\n\r\n"), std::string::npos) << rest;  // ended cleanly
  EXPECT_TRUE(idle.read_until_eof());
  EXPECT_FALSE(std::filesystem::exists(socket_));
  server_->stop();  // twice is fine
}

}  // namespace
}  // namespace shoal::http
