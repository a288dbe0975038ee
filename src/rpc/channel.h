// gRPC channels to a manager (internal to src/rpc).
//   secure_channel    mutual TLS: presents the node's certificate (when it has one) and
//                     verifies the server against identity.ca_pem; the server name checked
//                     is "swarm-manager" (a SAN of every manager certificate), whatever
//                     address is dialled.
//   unverified_channel TLS that trusts any server certificate: only for fetching the root
//                     CA during a join, whose digest is then checked against the token.
// Both reconnect by themselves with a backoff capped at `max_backoff`.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "rpc/tls.h"

namespace shoal::rpc {

// Initializes gRPC once for the life of the process and never shuts it down, and keeps one
// port-less callback server alive with it. gRPC 1.51's callback API shares a process-wide
// completion queue ("nexting_thread") that is torn down when its last server or channel
// goes and rebuilt by the next; that race aborts the process ("assertion failed: ev.type ==
// GRPC_OP_COMPLETE", or "prior > 0" in grpc_cq_internal_unref) when servers and clients
// come and go, as in tests and at a listener restart. Every rpc object calls this first.
void keep_grpc_alive();

std::shared_ptr<grpc::Channel> secure_channel(const std::string& addr, const TlsIdentity& identity,
                                              std::chrono::milliseconds max_backoff);
std::shared_ptr<grpc::Channel> unverified_channel(const std::string& addr);

// A deadline `timeout` from now.
inline std::chrono::system_clock::time_point deadline_in(std::chrono::milliseconds timeout) {
  return std::chrono::system_clock::now() + timeout;
}

}  // namespace shoal::rpc
