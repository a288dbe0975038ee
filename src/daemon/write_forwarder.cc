#include "daemon/write_forwarder.h"

#include <spdlog/spdlog.h>

#include <array>

#include "ca/cert_dir.h"
#include "http/server_core.h"

namespace shoal::daemon {
namespace {

constexpr auto kForwardTimeout = std::chrono::seconds(60);
constexpr auto kCatchUpTimeout = std::chrono::seconds(5);

// Route patterns of cluster objects; every write under them changes the swarm.
constexpr std::array<std::string_view, 5> kClusterPrefixes = {"/services", "/nodes", "/secrets",
                                                              "/configs", "/networks"};

// Framing is the connection's business, not the forwarded answer's.
bool hop_by_hop(std::string_view name) {
  auto is = [&](std::string_view other) {
    return name.size() == other.size() &&
           std::equal(name.begin(), name.end(), other.begin(),
                      [](char a, char b) { return std::tolower(a) == std::tolower(b); });
  };
  return is("Content-Length") || is("Transfer-Encoding") || is("Connection") || is("Keep-Alive") ||
         is("Upgrade") || is("Host");
}

}  // namespace

WriteForwarder::WriteForwarder(SwarmNode& node, ClusterTransport& transport, std::string data_dir)
    : node_(node), transport_(transport), data_dir_(std::move(data_dir)) {}

bool WriteForwarder::changes_cluster(const http::Request& request) {
  if (request.method == http::Method::kGet || request.method == http::Method::kHead ||
      request.method == http::Method::kOptions) {
    return false;
  }
  if (request.pattern == "/swarm/update") return true;
  for (std::string_view prefix : kClusterPrefixes) {
    if (request.pattern.starts_with(prefix)) return true;
  }
  return false;
}

std::optional<http::Response> WriteForwarder::intercept(http::Request& request) {
  if (!changes_cluster(request) || request.headers.has(kForwardedByHeader)) return std::nullopt;
  std::optional<std::string> leader = node_.forward_target();
  if (!leader) return std::nullopt;  // this node leads (or has its own store): serve it here
  if (leader->empty()) {
    return http::Response::error(503,
                                 "this manager is not the swarm's leader and no manager leads "
                                 "right now (an election is under way); try again");
  }
  auto certs = ca::CertDir(data_dir_).read();
  if (!certs.is_ok()) {
    return http::Response::error(Status(Code::kUnavailable,
                                        "cannot forward to the leader: this manager's "
                                        "certificate is unreadable: " +
                                            certs.status().message()));
  }
  protocol::ForwardedRequest out{
      http::method_name(request.method), request.target, {}, request.body};
  for (const auto& [name, value] : request.headers.fields()) {
    if (!hop_by_hop(name)) out.headers.emplace_back(name, value);
  }
  out.headers.emplace_back(std::string(kForwardedByHeader), node_.node_id());
  auto answer = transport_.forward(*leader, *certs, out, kForwardTimeout);
  if (!answer.is_ok()) {
    if (answer.status().code() == Code::kUnavailable) node_.leader_unreachable();
    return http::Response::error(answer.status());
  }
  if (answer->status < 300) {
    // Read-your-writes: the client's next request here must see what it just changed.
    if (Status level = node_.catch_up(kCatchUpTimeout); !level.is_ok()) {
      spdlog::warn("forwarded {} {}: this manager's store is not level yet: {}",
                   http::method_name(request.method), request.path, level.message());
    }
  }
  http::Response response;
  response.status = answer->status;
  for (auto& [name, value] : answer->headers) {
    if (!hop_by_hop(name)) response.headers.add(name, value);
  }
  response.body = std::move(answer->body);
  return response;
}

protocol::ForwardedResponse WriteForwarder::serve(const http::Router& router,
                                                  const protocol::ForwardedRequest& request) {
  http::Headers headers;
  for (const auto& [name, value] : request.headers) headers.add(name, value);
  if (!headers.has(kForwardedByHeader)) headers.add(kForwardedByHeader, "?");
  http::Response answer = http::serve_in_process(router, http::parse_method(request.method),
                                                 request.target, std::move(headers), request.body);
  protocol::ForwardedResponse out;
  out.status = answer.status;
  out.headers = answer.headers.fields();
  out.body = std::move(answer.body);
  return out;
}

}  // namespace shoal::daemon
