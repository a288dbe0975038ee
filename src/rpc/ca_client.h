// The CA service from a node's side:
//   GrpcCAClient   ca::CAClient (ca/renewer.h) over the node's mutual-TLS connection: the
//                  renewer's root_ca() and renew(csr).
//   join_cluster() a node without certificates joining with a token (swarmkit's
//                  ca.DownloadRootCA + GetRemoteSignedCertificate): fetches the root CA over
//                  TLS WITHOUT verifying the server (nothing is trusted yet), checks its
//                  digest against the token (ca::check_token_digest), then — over TLS
//                  verified with that root — asks for a certificate for a fresh key and CSR.
//
// Thread safety: GrpcCAClient is thread-safe; join_cluster is a free function.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "api/node.h"
#include "ca/renewer.h"
#include "common/status.h"
#include "rpc/tls.h"

namespace shoal::rpc {

class GrpcCAClient final : public ca::CAClient {
 public:
  GrpcCAClient(std::string manager_addr, TlsIdentity identity,
               std::chrono::milliseconds call_timeout = std::chrono::seconds(10));
  ~GrpcCAClient() override;

  // Errors: kUnavailable when the manager cannot be reached; the server's errors.
  Result<std::string> root_ca() override;
  // Errors: as root_ca(); NodeCA::renew's.
  Result<std::string> renew(std::string_view csr_pem) override;

  // New TLS material (after a renewal): later calls use it.
  void set_identity(TlsIdentity identity);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

struct JoinResult {
  std::string node_id;
  std::string data_key;  // a manager's: the swarm's data key (32 bytes); a worker's: empty
  TlsIdentity identity;  // ca_pem = the fetched root, cert_pem = the issued cert, key_pem
};

struct JoinRequest {
  std::string remote_addr;  // the manager's "host:port"
  std::string join_token;
  api::NodeAvailability availability = api::NodeAvailability::kUnset;
  std::string advertise_addr;  // informational today (the manager uses the connection's IP)
  std::chrono::milliseconds timeout{20000};  // per call
  uint64_t etcd_cluster_id = 0;              // the etcd cluster this node's store is in (0: none)
  std::string manager_addr = {};  // where it would serve other nodes as a manager ("host:port")
};

// Errors: ca::parse_join_token's kInvalidArgument "invalid join token" (nothing sent);
// kUnavailable "could not connect to <addr>: ..." when the manager cannot be reached;
// kPermissionDenied "remote CA does not match fingerprint. Expected: <digest>" when the
// fetched root does not match the token (no certificate is requested then);
// the server's errors for the issue call (kInvalidArgument "A valid join token is
// necessary to join this cluster", kFailedPrecondition for a manager token this node
// cannot honour, see ca::NodeCA::issue).
Result<JoinResult> join_cluster(const JoinRequest& request);

}  // namespace shoal::rpc
