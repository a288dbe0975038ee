#include "ca/node_ca.h"

#include "ca/certs.h"
#include "ca/root_ca.h"

namespace shoal::ca {
namespace {

constexpr std::string_view kClusterName = "default";
constexpr std::string_view kBadTokenText = "A valid join token is necessary to join this cluster";
constexpr std::string_view kEmbeddedStoreText =
    "this node cannot join as a manager: the swarm keeps its state in an embedded store that "
    "no other manager can share (start its managers with --etcd-endpoints)";
constexpr std::string_view kOtherStoreText =
    "this node cannot join as a manager: its store is not the swarm's etcd (start it with "
    "--etcd-endpoints naming the swarm's etcd cluster)";
constexpr std::string_view kDefaultManagerPort = "2377";
constexpr int kMaxAttempts = 3;

std::shared_ptr<const api::Swarm> find_cluster(const store::ReadTxn& tx) {
  auto clusters = tx.find<api::Swarm>(store::by::Name{kClusterName});
  if (clusters.empty()) clusters = tx.find<api::Swarm>();
  return clusters.empty() ? nullptr : clusters.front();
}

Result<std::shared_ptr<const api::Swarm>> require_cluster(const store::ReadTxn& tx) {
  auto cluster = find_cluster(tx);
  if (!cluster) return Status(Code::kUnavailable, "this node is not part of a swarm");
  return cluster;
}

// The IP of "ip:port", "[ip6]:port" or a bare IP.
std::string host_of(std::string_view addr) {
  if (addr.starts_with('[')) {
    size_t end = addr.find(']');
    return std::string(addr.substr(1, end == std::string_view::npos ? addr.npos : end - 1));
  }
  size_t colon = addr.find(':');
  if (colon != std::string_view::npos && addr.find(':', colon + 1) == std::string_view::npos) {
    return std::string(addr.substr(0, colon));
  }
  return std::string(addr);
}

// Where a joining manager serves other nodes: its own "host:port", with the connection's IP
// when it gave no host (or an unspecified one), the default port when it gave none.
std::string manager_addr_of(const IssueRequest& request) {
  std::string host = host_of(request.manager_addr);
  std::string port(kDefaultManagerPort);
  size_t colon = request.manager_addr.rfind(':');
  if (colon != std::string::npos && request.manager_addr.find(']') == std::string::npos &&
      request.manager_addr.find(':') == colon) {
    port = request.manager_addr.substr(colon + 1);
  } else if (size_t close = request.manager_addr.rfind("]:"); close != std::string::npos) {
    port = request.manager_addr.substr(close + 2);
  }
  if (host.empty() || host == "0.0.0.0" || host == "::") host = host_of(request.peer_addr);
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

// Within a transaction: when a rotation is in progress and every READY node carries the
// new root, finishes it.
Status finish_rotation_in(store::WriteTxn& tx) {
  auto cluster = find_cluster(tx);
  if (!cluster || !cluster->RootRotationInProgress) return Status::ok();
  if (!rotation_done(*cluster, tx.find<api::Node>())) return Status::ok();
  api::Swarm done = *cluster;
  finish_rotation(done);
  return tx.update(std::move(done));
}

}  // namespace

NodeCA::NodeCA(store::Store& store, const Clock& clock, IdGenerator& ids, NodeCAOptions options)
    : store_(store), clock_(clock), ids_(ids), options_(std::move(options)) {}

Result<std::string> NodeCA::root_ca_pem() const {
  store::ReadTxn view = store_.view();
  SHOAL_ASSIGN_OR_RETURN(auto cluster, require_cluster(view));
  SHOAL_ASSIGN_OR_RETURN(ClusterCA ca, cluster_ca(*cluster));
  return ca.bundle_pem;
}

Result<IssuedCert> NodeCA::issue(const IssueRequest& request) {
  for (int attempt = 0;; ++attempt) {
    std::shared_ptr<const api::Swarm> cluster;
    {
      store::ReadTxn view = store_.view();
      SHOAL_ASSIGN_OR_RETURN(cluster, require_cluster(view));
    }
    // Both comparisons always run, so the time says nothing about which one matched.
    bool worker = equal_constant_time(cluster->JoinTokens.Worker, request.join_token);
    bool manager = equal_constant_time(cluster->JoinTokens.Manager, request.join_token);
    if (request.join_token.empty() || (!worker && !manager)) {
      return Status(Code::kInvalidArgument, std::string(kBadTokenText));
    }
    if (manager && (options_.etcd_cluster_id == 0 || !options_.data_key)) {
      return Status(Code::kFailedPrecondition, std::string(kEmbeddedStoreText));
    }
    if (manager && request.etcd_cluster_id != options_.etcd_cluster_id) {
      return Status(Code::kFailedPrecondition, std::string(kOtherStoreText));
    }
    const api::NodeRole role = manager ? api::NodeRole::kManager : api::NodeRole::kWorker;
    SHOAL_ASSIGN_OR_RETURN(ClusterCA ca, cluster_ca(*cluster));

    api::Node node;
    node.ID = ids_.next();
    node.Spec.Role = role;
    node.Spec.Availability = request.availability == api::NodeAvailability::kUnset
                                 ? api::NodeAvailability::kActive
                                 : request.availability;
    node.Status.State = api::NodeState::kUnknown;
    node.Status.Addr = host_of(request.peer_addr);
    node.Description.TLSInfo = cluster->TLSInfo;
    if (manager)
      node.ManagerStatus =
          api::ManagerStatus{false, api::Reachability::kReachable, manager_addr_of(request)};
    SHOAL_ASSIGN_OR_RETURN(std::string cert,
                           sign_csr(ca.current,
                                    SignRequest{request.csr_pem, node.ID, role, cluster->ID,
                                                cluster->Spec.CAConfig.NodeCertExpiry},
                                    clock_.now()));

    // Commit only if the token and the root are still the ones checked (a rotation in
    // between makes both stale: retry against the new ones).
    bool stale = false;
    Status status = store_.update([&](store::WriteTxn& tx) {
      auto now = find_cluster(tx);
      if (!now) return Status(Code::kUnavailable, "this node is not part of a swarm");
      if (now->JoinTokens.Worker != cluster->JoinTokens.Worker ||
          now->JoinTokens.Manager != cluster->JoinTokens.Manager ||
          now->Spec.CAConfig.SigningCAKey != cluster->Spec.CAConfig.SigningCAKey) {
        stale = true;
        return Status::ok();
      }
      return tx.create(node);
    });
    SHOAL_RETURN_IF_ERROR(status);
    if (!stale) {
      IssuedCert issued{node.ID, "", ca.chain(std::move(cert))};
      if (manager) {
        auto bytes = options_.data_key->bytes();
        issued.data_key.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      }
      return issued;
    }
    if (attempt + 1 >= kMaxAttempts) {
      return Status(Code::kUnavailable, "the cluster's root CA changed while joining; retry");
    }
  }
}

Result<std::string> NodeCA::renew(std::string_view node_id, std::string_view csr_pem) {
  std::shared_ptr<const api::Swarm> cluster;
  std::shared_ptr<const api::Node> node;
  {
    store::ReadTxn view = store_.view();
    SHOAL_ASSIGN_OR_RETURN(cluster, require_cluster(view));
    node = view.get<api::Node>(node_id);
  }
  if (!node) {
    return error(Code::kNotFound, "node {} not found when attempting to renew certificate",
                 node_id);
  }
  SHOAL_ASSIGN_OR_RETURN(ClusterCA ca, cluster_ca(*cluster));
  api::NodeRole role =
      node->Spec.Role == api::NodeRole::kManager ? api::NodeRole::kManager : api::NodeRole::kWorker;
  SHOAL_ASSIGN_OR_RETURN(std::string cert,
                         sign_csr(ca.current,
                                  SignRequest{csr_pem, node->ID, role, cluster->ID,
                                              cluster->Spec.CAConfig.NodeCertExpiry},
                                  clock_.now()));
  // Record which root the node now holds, and finish a rotation this completes.
  Status status = store_.update([&](store::WriteTxn& tx) {
    auto current = tx.get<api::Node>(node->ID);
    if (!current) {
      return error(Code::kNotFound, "node {} not found when attempting to renew certificate",
                   node_id);
    }
    if (!same_tls_info(current->Description.TLSInfo, cluster->TLSInfo)) {
      api::Node updated = *current;
      updated.Description.TLSInfo = cluster->TLSInfo;
      SHOAL_RETURN_IF_ERROR(tx.update(std::move(updated)));
    }
    return finish_rotation_in(tx);
  });
  SHOAL_RETURN_IF_ERROR(status);
  return ca.chain(std::move(cert));
}

Status NodeCA::finish_rotation_if_done() {
  return store_.update([](store::WriteTxn& tx) { return finish_rotation_in(tx); });
}

}  // namespace shoal::ca
