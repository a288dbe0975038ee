// NodeCA: the cluster CA's services without a transport (swarmkit ca/server.go: the CA
// service's GetRootCACertificate and the NodeCA service's IssueNodeCertificate, with the
// renewal path of a node that presents its certificate). src/rpc serves it over gRPC.
//
// Where the CA lives: in the store, with the cluster object (the "default" api::Swarm):
//   Spec.CAConfig.SigningCACert  the current root CA; while a root rotation is in progress
//                                also the previous root and the current root cross-signed
//                                by it (root_ca.h);
//   Spec.CAConfig.SigningCAKey   the current root's private key (PKCS#8 PEM);
//   TLSInfo                      what Docker shows of the current root (certs.h tls_info);
//   JoinTokens                   the two join tokens, digests of the current root.
// The control API strips SigningCACert/SigningCAKey from every answer (GET /swarm, /info);
// see root_ca.h for how they are written (init, rotation).
//
// Issuing (a node joining with a token): the token is compared in constant time with both
// of the cluster's tokens; a worker token creates a worker Node object (Spec.Role worker,
// Spec.Availability as requested — active when unset, Status.State unknown, Status.Addr the
// peer's IP, Description empty but for TLSInfo (the cluster's) until its agent's session
// fills it) and signs the CSR with CN = a new node ID, OU = swarm-worker, O = cluster ID,
// validity Spec.CAConfig.NodeCertExpiry.
// The certificate is signed first; the Node object is created in one store transaction that
// also re-checks the token and root (a rotation in between: retried), and the certificate
// is returned only if that commits.
//
// Thread safety: all methods may be called concurrently (each reads a store snapshot or
// runs its own transaction).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/node.h"
#include "common/id.h"
#include "common/status.h"
#include "common/time.h"
#include "store/datastore/data_key.h"
#include "store/store.h"

namespace shoal::ca {

struct IssueRequest {
  std::string csr_pem;
  std::string join_token;
  api::NodeAvailability availability = api::NodeAvailability::kUnset;  // unset = active
  std::string peer_addr;          // "ip:port" or "ip" of the connection, for Node.Status.Addr
  uint64_t etcd_cluster_id = 0;   // the etcd cluster the joining node's store is in (0: none)
  std::string manager_addr = {};  // where a joining manager serves ("host:port"; host may be "")
};

struct IssuedCert {
  std::string node_id;
  // For a manager joining a shared store: the swarm's data key (its 32 raw bytes), which
  // seals the store's sensitive records; empty for a worker.
  std::string data_key;
  // The node certificate, followed during a root rotation by the current root
  // cross-signed by the previous one (root_ca.h); the roots are in root_ca_pem().
  std::string cert_chain_pem;
};

struct NodeCAOptions {
  // The etcd cluster this manager's store is in (0: an embedded store, which no other
  // manager can share: the manager token is refused).
  uint64_t etcd_cluster_id = 0;
  // The data key a joining manager gets with its certificate (required with an etcd cluster).
  std::optional<store::DataKey> data_key = std::nullopt;
};

class NodeCA {
 public:
  // The referents must outlive the NodeCA.
  NodeCA(store::Store& store, const Clock& clock, IdGenerator& ids, NodeCAOptions options = {});
  NodeCA(const NodeCA&) = delete;
  NodeCA& operator=(const NodeCA&) = delete;

  // The trust bundle (PEM: the current root, then the previous one during a rotation).
  // Errors: kUnavailable "this node is not part of a swarm" when the store has no cluster;
  // kFailedPrecondition "the cluster has no root CA" when the cluster has no CA material.
  Result<std::string> root_ca_pem() const;

  // A new node and its certificate for a join token.
  // Errors: kInvalidArgument "A valid join token is necessary to join this cluster"
  //   (swarmkit's text) for a token that is neither of the cluster's;
  //   for the manager token, kFailedPrecondition when this swarm's store is embedded
  //   ("... this swarm keeps its state in an embedded store ...") or is not the joining
  //   node's ("... start it with --etcd-endpoints naming the swarm's etcd"); else the node is
  //   made a manager (Reachable, at peer_addr) with a manager certificate;
  //   sign_csr's kInvalidArgument for a bad CSR (checked before anything is written);
  //   root_ca_pem's errors; store errors (nothing written then).
  Result<IssuedCert> issue(const IssueRequest& request);

  // A new certificate for an existing node (the caller took node_id from the peer's
  // verified certificate), with the node's current role and the current root.
  // Also records the cluster's TLSInfo as the node's Description.TLSInfo and finishes a
  // root rotation this renewal completes (finish_rotation_if_done).
  // Errors: kNotFound "node <id> not found when attempting to renew certificate"
  //   (swarmkit's text) for an unknown node, which includes a removed one (`docker node rm`
  //   deletes the Node object; there is no list of removed certificates yet);
  //   sign_csr's kInvalidArgument; root_ca_pem's errors; store errors.
  Result<std::string> renew(std::string_view node_id, std::string_view csr_pem);

  // Ends a root rotation (root_ca.h finish_rotation) when every READY node's
  // Description.TLSInfo equals the cluster's; a no-op otherwise. The daemon may call it
  // when nodes change state (a node that went down no longer holds a rotation up).
  // Errors: store errors.
  Status finish_rotation_if_done();

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  const NodeCAOptions options_;
};

}  // namespace shoal::ca
