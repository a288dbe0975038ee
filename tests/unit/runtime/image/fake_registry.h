// Test helper: a small registry (Docker Registry HTTP API v2 subset) on 127.0.0.1 for unit
// tests of the registry client and of pulls: manifests and blobs from maps, per-path
// request counts, optional Bearer (token realm on itself) or Basic authentication, and
// switches to misbehave (a corrupt blob, a wrong Docker-Content-Digest, 500s).
//
// One thread accepts; each connection gets a thread (one request, Connection: close);
// stop() (and the destructor) closes the socket and joins every thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/image/digest.h"
#include "runtime/image/registry_auth.h"

namespace shoal::runtime::image::testing {

class FakeRegistry {
 public:
  enum class Auth { kNone, kBearer, kBasic };

  FakeRegistry() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 64);
    if (::pipe(stop_pipe_) != 0) stop_pipe_[0] = stop_pipe_[1] = -1;
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~FakeRegistry() { stop(); }

  void stop() {
    if (!acceptor_.joinable()) return;
    char c = 'x';
    if (::write(stop_pipe_[1], &c, 1) != 1) {
    }
    acceptor_.join();
    std::vector<std::thread> conns;
    {
      std::lock_guard lock(mu_);
      conns.swap(connections_);
    }
    for (auto& t : conns) t.join();
    ::close(fd_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
  }

  std::string domain() const { return "127.0.0.1:" + std::to_string(port_); }

  // Content, under repository path `repo` ("library/busybox").
  void put_manifest(const std::string& repo, const std::string& ref, const std::string& bytes,
                    const std::string& media_type) {
    std::lock_guard lock(mu_);
    manifests_[repo + "/" + ref] = {bytes, media_type};
    manifests_[repo + "/" + sha256_digest(bytes)] = {bytes, media_type};
  }
  void put_blob(const std::string& repo, const std::string& bytes) {
    std::lock_guard lock(mu_);
    blobs_[repo + "/" + sha256_digest(bytes)] = bytes;
  }
  // Serves `bytes` where `digest` is asked for (a corrupt blob).
  void put_blob_as(const std::string& repo, const std::string& digest, const std::string& bytes) {
    std::lock_guard lock(mu_);
    blobs_[repo + "/" + digest] = bytes;
  }
  void require(Auth auth, std::string user = "", std::string password = "") {
    std::lock_guard lock(mu_);
    auth_ = auth;
    user_ = std::move(user);
    password_ = std::move(password);
  }
  void fail_with(int status) { fail_status_ = status; }
  void lie_about_digests(bool lie) { lie_ = lie; }
  // Requests seen for `path` ("/v2/library/busybox/blobs/sha256:...").
  int count(const std::string& path) {
    std::lock_guard lock(mu_);
    return counts_[path];
  }

 private:
  struct Manifest {
    std::string bytes, media_type;
  };

  void accept_loop() {
    while (true) {
      pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents) return;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::lock_guard lock(mu_);
      connections_.emplace_back([this, c] { serve(c); });
    }
  }

  void serve(int c) {
    std::string req;
    char buf[8192];
    while (req.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::read(c, buf, sizeof(buf));
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
    }
    std::string response = handle(req);
    size_t off = 0;
    while (off < response.size()) {
      ssize_t n = ::write(c, response.data() + off, response.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(c);
  }

  static std::string header(const std::string& req, const std::string& name) {
    size_t pos = 0;
    while ((pos = req.find("\r\n", pos)) != std::string::npos) {
      pos += 2;
      if (req.compare(pos, name.size() + 1, name + ":") == 0) {
        size_t end = req.find("\r\n", pos);
        std::string v = req.substr(pos + name.size() + 1, end - pos - name.size() - 1);
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        return v;
      }
    }
    return "";
  }

  static std::string reply(int status, const std::string& body,
                           const std::vector<std::string>& headers = {}) {
    std::string out = "HTTP/1.1 " + std::to_string(status) +
                      " X\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\nConnection: close\r\n";
    for (const auto& h : headers) out += h + "\r\n";
    return out + "\r\n" + body;
  }

  static std::string error_body(const std::string& code, const std::string& message) {
    return R"({"errors":[{"code":")" + code + R"(","message":")" + message + R"("}]})";
  }

  std::string handle(const std::string& req) {
    size_t sp1 = req.find(' '), sp2 = req.find(' ', sp1 + 1);
    std::string path = req.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string query;
    if (size_t q = path.find('?'); q != std::string::npos) {
      query = path.substr(q + 1);
      path = path.substr(0, q);
    }
    std::lock_guard lock(mu_);
    ++counts_[path];
    if (fail_status_ != 0) return reply(fail_status_, "{}");
    std::string authz = header(req, "Authorization");
    std::string basic = "Basic " + base64(user_ + ":" + password_);
    if (path == "/token") {
      if (!user_.empty() && authz != basic)
        return reply(401, error_body("UNAUTHORIZED", "bad credentials"));
      return reply(200, R"({"token":"good-token"})");
    }
    if (auth_ == Auth::kBearer && authz != "Bearer good-token") {
      return reply(401, error_body("UNAUTHORIZED", "authentication required"),
                   {"WWW-Authenticate: Bearer realm=\"http://" + domain() +
                    "/token\",service=\"fake\",scope=\"x\""});
    }
    if (auth_ == Auth::kBasic && authz != basic) {
      return reply(401, error_body("UNAUTHORIZED", "authentication required"),
                   {"WWW-Authenticate: Basic realm=\"fake\""});
    }
    const std::string v2 = "/v2/";
    if (path.rfind(v2, 0) != 0) return reply(404, "");
    std::string rest = path.substr(v2.size());
    if (rest.empty()) return reply(200, "{}");  // the API version check (docker login)
    if (size_t m = rest.find("/manifests/"); m != std::string::npos) {
      auto it = manifests_.find(rest.substr(0, m) + "/" + rest.substr(m + 11));
      if (it == manifests_.end())
        return reply(404, error_body("MANIFEST_UNKNOWN", "manifest unknown"));
      std::string digest = lie_ ? sha256_digest("lie") : sha256_digest(it->second.bytes);
      return reply(200, it->second.bytes,
                   {"Content-Type: " + it->second.media_type, "Docker-Content-Digest: " + digest});
    }
    if (size_t b = rest.find("/blobs/"); b != std::string::npos) {
      auto it = blobs_.find(rest.substr(0, b) + "/" + rest.substr(b + 7));
      if (it == blobs_.end())
        return reply(404, error_body("BLOB_UNKNOWN", "blob unknown to registry"));
      return reply(200, it->second);
    }
    return reply(404, error_body("NAME_UNKNOWN", "repository name not known to registry"));
  }

  int fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::thread acceptor_;
  std::atomic<int> fail_status_{0};
  std::atomic<bool> lie_{false};

  std::mutex mu_;
  std::vector<std::thread> connections_;
  std::map<std::string, Manifest> manifests_;
  std::map<std::string, std::string> blobs_;
  std::map<std::string, int> counts_;
  Auth auth_ = Auth::kNone;
  std::string user_, password_;
};

}  // namespace shoal::runtime::image::testing
