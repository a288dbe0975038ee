// WriteForwarder: how a follower manager on a shared store answers a change to the swarm —
// the docker CLI works the same against any manager. Installed as the HTTP router's
// interceptor, it sends every write to a cluster object (services, nodes, secrets, configs,
// networks, the swarm's spec) to the leader over the cluster's mutual-TLS endpoint
// (ClusterTransport::forward), answers with the leader's response, and first waits until its
// own store holds the change, so the client's next read on this manager sees it. Reads, and
// what belongs to this node alone (swarm init/join/leave/unlock, images, its containers),
// are served here.
//
// The leader serves a forwarded request as if it had come to its own socket (serve()); a
// forwarded request is never forwarded again (it carries a header saying so), so two
// managers that disagree on who leads cannot bounce it between them.
//
// Thread safety: intercept() and serve() from any thread.
#pragma once

#include <optional>
#include <string>

#include "daemon/cluster_transport.h"
#include "daemon/swarm_node.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "protocol/forward.h"

namespace shoal::daemon {

// The header a forwarded request carries: the forwarding manager's node ID.
inline constexpr std::string_view kForwardedByHeader = "X-Shoal-Forwarded-By";

class WriteForwarder {
 public:
  // The referents must outlive the forwarder.
  WriteForwarder(SwarmNode& node, ClusterTransport& transport, std::string data_dir);

  // The router's interceptor: the leader's answer to a write this node must forward, else
  // nullopt (serve it here).
  std::optional<http::Response> intercept(http::Request& request);

  // The leader's side: `request` routed and served by `router` in this process.
  static protocol::ForwardedResponse serve(const http::Router& router,
                                           const protocol::ForwardedRequest& request);

  // True for a request that changes cluster state (what a follower forwards).
  static bool changes_cluster(const http::Request& request);

 private:
  SwarmNode& node_;
  ClusterTransport& transport_;
  const std::string data_dir_;
};

}  // namespace shoal::daemon
