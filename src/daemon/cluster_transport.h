// ClusterTransport: how a daemon talks to other nodes — the one seam between the daemon's
// membership logic (swarm_node.h, worker_role.h, manager_role.h) and the wire. The real
// one is gRPC with mutual TLS (grpc_transport.h over src/rpc); unit tests plug an
// in-process one that calls ca::NodeCA and a manager's Dispatcher directly.
//
// Three uses:
//   join()      a node without certificates joins with a token: fetch the root CA, check
//               it against the token's digest, get a certificate for a fresh key;
//   connect()   a worker's link to its manager: a DispatcherClient for the agent and a
//               CAClient for the certificate renewer, both presenting the node's
//               certificate; set_certs() swaps in renewed material;
//   serve()     a manager's endpoint for the others (Dispatcher and CA services, and the
//               requests follower managers forward) on its listen address, presenting its
//               own node certificate;
//   forward()   a follower manager's write, served by its leader.
//
// Thread safety: implementations are thread-safe; a ManagerLink is thread-safe (the
// agent's threads and the renewer's call it concurrently).
#pragma once

#include <memory>
#include <string>

#include "api/node.h"
#include "ca/cert_dir.h"
#include "ca/node_ca.h"
#include "ca/renewer.h"
#include "common/status.h"
#include "manager/dispatcher/dispatcher.h"
#include "protocol/forward.h"
#include "protocol/messages.h"

namespace shoal::daemon {

struct JoinParams {
  std::string remote_addr;  // the manager's "host:port"
  std::string join_token;
  api::NodeAvailability availability = api::NodeAvailability::kUnset;
  std::string advertise_addr;
  std::chrono::milliseconds timeout{20000};
  uint64_t etcd_cluster_id = 0;   // the etcd cluster this node's store is in (0: none)
  std::string manager_addr = {};  // where it would serve other nodes as a manager ("host:port")
};

struct JoinedNode {
  std::string node_id;
  std::string data_key;  // a manager's: the swarm's data key (32 bytes); a worker's: empty
  ca::NodeCerts certs;   // ca_pem: the verified root; cert_pem/key_pem: this node's
};

// A worker's connection to its manager.
class ManagerLink {
 public:
  virtual ~ManagerLink() = default;
  virtual protocol::DispatcherClient& dispatcher() = 0;
  virtual ca::CAClient& ca() = 0;
  // Later calls present `certs` (after a renewal).
  virtual void set_certs(const ca::NodeCerts& certs) = 0;
};

// A manager's endpoint, serving while it lives.
class ManagerEndpoint {
 public:
  virtual ~ManagerEndpoint() = default;
  // Presents `certs` from now on. Errors: the transport's (the old material stays).
  virtual Status set_certs(const ca::NodeCerts& certs) = 0;
};

class ClusterTransport {
 public:
  virtual ~ClusterTransport() = default;

  // Errors (nothing saved anywhere): kInvalidArgument "invalid join token" (malformed) or
  // "A valid join token is necessary to join this cluster" (refused by the manager);
  // kPermissionDenied "remote CA does not match fingerprint. Expected: ..." (the token was
  // made for another CA); kUnavailable when the manager cannot be reached in time;
  // kFailedPrecondition for a manager token (no HA yet).
  virtual Result<JoinedNode> join(const JoinParams& params) = 0;

  // A link presenting `certs` to the manager at `manager_addr`. Connecting is lazy: errors
  // surface in the calls (kUnavailable while the manager is unreachable).
  virtual std::unique_ptr<ManagerLink> connect(const std::string& manager_addr,
                                               const ca::NodeCerts& certs) = 0;

  // Starts serving `dispatcher` and `node_ca` on `listen_addr` ("host:port"), and, when
  // `forward` is set, the requests other managers forward (managers' certificates only).
  // Errors: kUnavailable "cannot listen on <addr>"; kInvalidArgument for bad certificates.
  virtual Result<std::unique_ptr<ManagerEndpoint>> serve(
      const std::string& listen_addr, const ca::NodeCerts& certs,
      manager::dispatcher::Dispatcher& dispatcher, ca::NodeCA& node_ca,
      protocol::ForwardHandler forward) = 0;

  // A follower manager's request served by the leader at `manager_addr` (presenting
  // `certs`, a manager certificate). Errors: kUnavailable when the leader cannot be reached
  // within `timeout`; the leader's refusal of the certificate.
  virtual Result<protocol::ForwardedResponse> forward(const std::string& manager_addr,
                                                      const ca::NodeCerts& certs,
                                                      const protocol::ForwardedRequest& request,
                                                      std::chrono::milliseconds timeout) = 0;
};

}  // namespace shoal::daemon
