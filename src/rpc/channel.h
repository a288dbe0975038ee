// gRPC channels to a manager (internal to src/rpc).
//   secure_channel    mutual TLS: presents the node's certificate (when it has one) and
//                     verifies the server against identity.ca_pem; the server name checked
//                     is "swarm-manager" (a SAN of every manager certificate), whatever
//                     address is dialled.
//   unverified_channel TLS that trusts any server certificate: only for fetching the root
//                     CA during a join, whose digest is then checked against the token.
// Both reconnect by themselves with a backoff capped at `max_backoff`.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "rpc/tls.h"

namespace shoal::rpc {

std::shared_ptr<grpc::Channel> secure_channel(const std::string& addr,
                                              const TlsIdentity& identity,
                                              std::chrono::milliseconds max_backoff);
std::shared_ptr<grpc::Channel> unverified_channel(const std::string& addr);

// A deadline `timeout` from now.
inline std::chrono::system_clock::time_point deadline_in(std::chrono::milliseconds timeout) {
  return std::chrono::system_clock::now() + timeout;
}

}  // namespace shoal::rpc
