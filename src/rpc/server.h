// RpcServer: the manager's gRPC endpoint (swarmkit's manager listener on :2377). One
// grpc::Server on a TCP address serves
//   Dispatcher (proto/shoal/dispatcher.proto) over a protocol::Dispatcher,
//   CA         (proto/shoal/ca.proto)         over ca::NodeCA, and, when given a handler,
//   Control    (proto/shoal/control.proto)    requests other managers forward (callers
//                                             with a manager certificate only),
// with mutual TLS: the server presents `identity` (the manager's node certificate), asks
// every client for a certificate and verifies it against identity.ca_pem when one is
// presented. GetRootCACertificate and IssueNodeCertificate work without one (a joining
// node has none); every other call needs one whose O is this cluster's ID (the O of the
// server's own certificate) and whose OU is swarm-worker or swarm-manager, else
// UNAUTHENTICATED. The caller's Peer is {CN of its certificate, IP of the connection}.
//
// Errors cross the wire as gRPC statuses with the shoal message intact (status_map.h), so
// an agent sees the same Codes and texts ("session invalid", ...) as in process.
//
// Streams (Session, Assignments) use gRPC's callback API: no thread is held per open
// stream; a stream costs its reactor and the dispatcher's subscription.
//
// Certificate rotation: set_identity() restarts the listener with the new material on the
// same port (open streams end; agents reconnect, as after a manager restart).
//
// Thread safety: start/stop/set_identity from one owner thread; the services run on
// gRPC's threads.
#pragma once

#include <memory>
#include <string>

#include "ca/node_ca.h"
#include "common/status.h"
#include "protocol/dispatcher.h"
#include "protocol/forward.h"
#include "rpc/tls.h"

namespace shoal::rpc {

class RpcServer {
 public:
  // `listen_addr` is "host:port" (port 0 = any free one). The referents must outlive the
  // server.
  RpcServer(std::string listen_addr, TlsIdentity identity, protocol::Dispatcher& dispatcher,
            ca::NodeCA& node_ca, protocol::ForwardHandler forward = {});
  ~RpcServer();  // stop()
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  // Starts listening. Errors: kInvalidArgument when the identity's certificate does not
  // parse as a node certificate; kUnavailable "cannot listen on <addr>" when the bind fails;
  // kFailedPrecondition when already started.
  Status start();
  // Ends every call and stream, and stops listening. Idempotent.
  void stop();
  // The port actually bound (after start()); 0 before.
  int port() const;
  // Replaces the server's certificate and trust bundle: restarts the listener on the same
  // port. Errors: start()'s.
  Status set_identity(TlsIdentity identity);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoal::rpc
