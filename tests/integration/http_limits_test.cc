// The API server's connection bounds on the real daemon (http/limits.h): idle and slowloris
// connections are closed after their timeouts, a followed log stream is not, oversized
// heads get 414/431 in Docker's error shape, and connections past the limit are refused
// while the open ones keep working. The daemon runs with 1 s timeouts where a test waits
// for one; every wait below is bounded.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon_fixture.h"
#include "test_helpers.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

// One raw connection to the daemon's unix socket, non-blocking, every call bounded.
class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool eof() const { return eof_; }
  const std::string& received() const { return received_; }

  // Writes all of `data`, reading what the server answers meanwhile (it may answer before
  // it has read everything). False when the server stopped taking bytes or `timeout` passed.
  bool send(std::string_view data, std::chrono::milliseconds timeout = 20s) {
    auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
      pollfd p{fd_, POLLIN | POLLOUT, 0};
      if (!poll_until(p, deadline)) return false;
      if (p.revents & (POLLIN | POLLHUP)) read_available();
      if (p.revents & POLLOUT) {
        ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (n > 0) data.remove_prefix(static_cast<size_t>(n));
      } else if (p.revents & (POLLERR | POLLHUP)) {
        return false;
      }
    }
    return true;
  }

  // Reads until `done(received())`, the server's close, or `timeout`; returns done(...).
  bool read_until(const std::function<bool(const std::string&)>& done,
                  std::chrono::milliseconds timeout = 20s) {
    auto deadline = Clock::now() + timeout;
    while (!done(received_) && !eof_) {
      pollfd p{fd_, POLLIN, 0};
      if (!poll_until(p, deadline)) break;
      read_available();
    }
    return done(received_);
  }

  // Reads until the server closes the connection; false after `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout = 20s) {
    read_until([](const std::string&) { return false; }, timeout);
    return eof_;
  }

  // True when the server has not closed the connection (nothing it sent is lost: what is
  // readable is read).
  bool still_open() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) read_available();
    return !eof_;
  }

  // The first whole response in what was received, or nullopt.
  std::optional<bhttp::response<bhttp::string_body>> response() const {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1u << 20);
    parser.eager(true);  // the body too, in the same put()
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(received_), ec);
    if (ec || !parser.is_done()) return std::nullopt;
    return parser.release();
  }

  // The head of a response (a streamed one has no end to wait for).
  bool has_head() const { return received_.find("\r\n\r\n") != std::string::npos; }

 private:
  bool poll_until(pollfd& p, Clock::time_point deadline) {
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n > 0) return true;
      if (n < 0 && errno != EINTR) return false;
    }
  }

  void read_available() {
    char buf[65536];
    while (true) {
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n > 0) {
        received_.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EINTR)) eof_ = true;  // closed or reset
      return;
    }
  }

  int fd_ = -1;
  std::string received_;
  bool eof_ = false;
};

bool whole_response(const RawConnection& c) { return c.response().has_value(); }

class HttpLimitsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (daemon_ && daemon_->running()) {
      EXPECT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->log();
    }
    daemon_.reset();
  }

  void start_daemon(std::vector<std::string> http_flags) {
    socket_ = tmp_.path() + "/run/shoal.sock";
    std::vector<std::string> args = {"--executor=hollow"};
    args.insert(args.end(), http_flags.begin(), http_flags.end());
    daemon_ = std::make_unique<DaemonProcess>(tmp_.path() + "/data", socket_,
                                              tmp_.path() + "/daemon.log", args);
    ASSERT_TRUE(daemon_->start());
    ASSERT_TRUE(daemon_->wait_ready()) << daemon_->log();
  }

  // The daemon with every timeout at 1 s.
  void start_with_short_timeouts() {
    start_daemon({"--http-header-timeout=1s", "--http-idle-timeout=1s", "--http-body-timeout=1s"});
  }

  CommandResult docker(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"docker"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(
        argv, {{"DOCKER_HOST", "unix://" + socket_}, {"DOCKER_CONFIG", tmp_.path() + "/docker"}},
        60s);
  }

  std::string ok(const std::vector<std::string>& args) const {
    CommandResult r = docker(args);
    EXPECT_EQ(r.exit_code, 0) << "docker " << join(args) << "\nstdout: " << r.out
                              << "\nstderr: " << r.err << "\ndaemon log: " << tail(daemon_->log());
    return r.out;
  }

  // GET /_ping on `c`, which stays open (keep-alive); true on 200 OK.
  static bool ping_on(RawConnection& c) {
    size_t before = c.received().size();
    if (!c.send("GET /_ping HTTP/1.1\r\nHost: shoal\r\n\r\n")) return false;
    bool done = c.read_until([before](const std::string& r) {
      return r.find("\r\n\r\nOK", before) != std::string::npos;
    });
    return done && c.received().find("HTTP/1.1 200 OK", before) != std::string::npos;
  }

  static std::string message(const bhttp::response<bhttp::string_body>& res) {
    return nlohmann::json::parse(res.body())["message"];
  }

  TempDir tmp_;
  std::string socket_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(HttpLimitsTest, IdleKeptAliveConnectionIsClosedAfterTheIdleTimeout) {
  ASSERT_NO_FATAL_FAILURE(start_with_short_timeouts());
  RawConnection c(socket_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(ping_on(c)) << c.received();
  auto sent = Clock::now();
  EXPECT_TRUE(c.wait_closed(20s)) << "an idle connection was kept open";
  // Closed quietly: nothing after the ping's answer.
  EXPECT_TRUE(c.received().ends_with("\r\n\r\nOK")) << c.received();
  std::cerr << "idle connection closed after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent).count()
            << " ms\n";
}

TEST_F(HttpLimitsTest, SlowlorisHeadIsAnswered408AndClosedAfterTheHeaderTimeout) {
  ASSERT_NO_FATAL_FAILURE(start_with_short_timeouts());
  RawConnection c(socket_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send("GET /_ping HTTP/1.1\r\nHost: shoal\r\nX-Slow: "));
  // One more header byte every 200 ms, never ending the head; at most 20 s of it.
  auto start = Clock::now();
  int sent = 0;
  while (Clock::now() - start < 20s && c.still_open()) {
    if (!c.send("a", 1s)) break;
    ++sent;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(c.wait_closed(5s)) << "a slowloris connection was kept open after " << sent
                                 << " bytes";
  auto res = c.response();
  ASSERT_TRUE(res.has_value()) << c.received();
  EXPECT_EQ(res->result_int(), 408);
  EXPECT_EQ((*res)["Content-Type"], "application/json");
  EXPECT_EQ(message(*res), "timed out reading the request head (it must arrive whole within 1s)");
  std::cerr << "slowloris connection closed after " << sent << " trickled bytes\n";
}

TEST_F(HttpLimitsTest, FollowedServiceLogsStayOpenPastTheTimeouts) {
  ASSERT_NO_FATAL_FAILURE(start_with_short_timeouts());
  ok({"swarm", "init", "--advertise-addr", "127.0.0.1"});
  std::string id = trim(ok({"service", "create", "-d", "-q", "--name", "follow",
                            "--no-resolve-image", "busybox", "true"}));
  ASSERT_FALSE(id.empty());

  RawConnection c(socket_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send("GET /v1.41/services/" + id +
                     "/logs?follow=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: shoal\r\n\r\n"));
  ASSERT_TRUE(c.read_until([](const std::string& r) { return r.find("\r\n\r\n") != r.npos; }))
      << c.received();
  EXPECT_TRUE(c.received().starts_with("HTTP/1.1 200 OK")) << c.received();
  EXPECT_NE(c.received().find("application/vnd.docker.raw-stream"), std::string::npos);

  // Three times every timeout, with no byte either way: the stream has started, so none of
  // them applies. (Waiting is the point here; the daemon closes idle connections within 1 s.)
  std::this_thread::sleep_for(3s);
  EXPECT_TRUE(c.still_open()) << "the log stream was closed: " << c.received();
  // A connection that sends nothing meanwhile is closed, so the timeouts were running.
  RawConnection idle(socket_);
  ASSERT_TRUE(idle.connected());
  EXPECT_TRUE(idle.wait_closed(20s));
  EXPECT_TRUE(c.still_open());
}

TEST_F(HttpLimitsTest, UriOf2MiBIs414WithDockerMessageThenClose) {
  ASSERT_NO_FATAL_FAILURE(start_daemon({}));
  RawConnection c(socket_);
  ASSERT_TRUE(c.connected());
  std::string request = "GET /v1.41/services?filters=" + std::string(2u << 20, 'a') +
                        " HTTP/1.1\r\nHost: shoal\r\n\r\n";
  c.send(request);  // the server may stop reading once it has answered
  ASSERT_TRUE(c.read_until([&](const std::string&) { return whole_response(c); }))
      << c.received().substr(0, 500);
  auto res = c.response();
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->result_int(), 414);
  EXPECT_EQ((*res)["Content-Type"], "application/json");
  EXPECT_EQ((*res)["Api-Version"], "1.41");
  EXPECT_FALSE(res->keep_alive());
  EXPECT_EQ(message(*res), "request URI too long: the request target is over 262144 bytes");
  EXPECT_TRUE(c.wait_closed(20s));
}

TEST_F(HttpLimitsTest, HeadOf1MiBOfFieldsIs431WithDockerMessageThenClose) {
  ASSERT_NO_FATAL_FAILURE(start_daemon({}));
  RawConnection c(socket_);
  ASSERT_TRUE(c.connected());
  std::string request = "GET /v1.41/_ping HTTP/1.1\r\nHost: shoal\r\n";
  for (int i = 0; request.size() <= (1u << 20); ++i) {
    request += "X-Pad-" + std::to_string(i) + ": " + std::string(1000, 'p') + "\r\n";
  }
  request += "\r\n";
  c.send(request);
  ASSERT_TRUE(c.read_until([&](const std::string&) { return whole_response(c); }))
      << c.received().substr(0, 500);
  auto res = c.response();
  EXPECT_EQ(res->result_int(), 431);
  EXPECT_EQ((*res)["Content-Type"], "application/json");
  EXPECT_FALSE(res->keep_alive());
  EXPECT_EQ(message(*res),
            "request header fields too large: the request line and header fields are over "
            "1048576 bytes");
  EXPECT_TRUE(c.wait_closed(20s));
}

TEST_F(HttpLimitsTest, ConnectionsPastTheLimitAreRefused503WhileOpenOnesKeepWorking) {
  ASSERT_NO_FATAL_FAILURE(start_daemon({"--http-max-connections=4"}));
  // Four kept-alive connections that each were answered: they hold the four places. (The
  // readiness probe's connection may still be closing: a refused one is retried.)
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int tries = 0; held.size() < 4 && tries < 100; ++tries) {
    auto c = std::make_unique<RawConnection>(socket_);
    if (c->connected() && ping_on(*c)) {
      held.push_back(std::move(c));
    } else {
      std::this_thread::sleep_for(50ms);
    }
  }
  ASSERT_EQ(held.size(), 4u);

  // The fifth is answered 503 at once and closed.
  RawConnection refused(socket_);
  ASSERT_TRUE(refused.connected());
  ASSERT_TRUE(refused.read_until([&](const std::string&) { return whole_response(refused); }))
      << refused.received();
  auto res = refused.response();
  EXPECT_EQ(res->result_int(), 503);
  EXPECT_EQ((*res)["Content-Type"], "application/json");
  EXPECT_EQ(message(*res),
            "too many open connections to this API endpoint (limit 4); try again later");
  EXPECT_TRUE(refused.wait_closed(20s));

  // The docker CLI shows the daemon's message.
  CommandResult cli = docker({"version", "--format", "{{.Server.Version}}"});
  EXPECT_NE(cli.exit_code, 0);
  EXPECT_TRUE(contains(cli.err, "too many open connections")) << cli.err;

  // The open ones still work.
  for (auto& c : held) EXPECT_TRUE(ping_on(*c)) << c->received();

  // Once one closes, new connections are served again.
  held.pop_back();
  EXPECT_TRUE(eventually([&] { return docker({"version"}).exit_code == 0; }, 20s))
      << tail(daemon_->log());
}

}  // namespace
}  // namespace shoal::testing
