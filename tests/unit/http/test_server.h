// A real http::Server on a unix socket (mode 0660) in a fresh temporary dir, for tests that
// talk to it with a TestClient. The destructor stops the server and removes the dir.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/beast/http.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "http/router.h"
#include "http/server.h"
#include "http/unix_listener.h"

namespace shoal::http::testing {

class TestServer {
 public:
  TestServer() {
    char tmpl[] = "/tmp/shoal-http-test-XXXXXX";
    if (mkdtemp(tmpl) != nullptr) dir_ = tmpl;
  }
  ~TestServer() {
    if (server_) server_->stop();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // Serves `router` with `options`. Use with ASSERT_NO_FATAL_FAILURE.
  void start(std::unique_ptr<Router> router, ServerOptions options) {
    ASSERT_FALSE(dir_.empty()) << "no temporary dir";
    auto listener = UnixListener::open(socket(), 0660);
    ASSERT_TRUE(listener.is_ok()) << listener.status().to_string();
    server_ = std::make_unique<Server>(std::move(router), std::move(options));
    server_->add_listener(std::move(*listener));
    ASSERT_TRUE(server_->start().is_ok());
  }
  void stop() {
    if (server_) server_->stop();
  }

  std::string socket() const { return dir_ + "/api.sock"; }
  Server& server() { return *server_; }

 private:
  std::string dir_;
  std::unique_ptr<Server> server_;
};

// The headers on every answer of a server whose version is "9.9.9" (Docker's, on any route).
inline void expect_common_headers(
    const boost::beast::http::response<boost::beast::http::string_body>& res) {
  EXPECT_EQ(res["Api-Version"], "1.41");
  EXPECT_EQ(res["Ostype"], "linux");
  EXPECT_EQ(res["Server"], "shoal/9.9.9 (linux)");
  EXPECT_EQ(res["Docker-Experimental"], "false");
}

}  // namespace shoal::http::testing
