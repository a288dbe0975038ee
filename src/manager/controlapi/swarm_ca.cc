#include "manager/controlapi/swarm_ca.h"

#include "ca/certs.h"
#include "ca/root_ca.h"

namespace shoal::manager::controlapi {
namespace {

// A fresh key and a manager certificate for `node_id`, signed by the cluster's root.
Result<ca::NodeCerts> manager_certs(const Context& ctx, const api::Swarm& cluster,
                                    const std::string& node_id) {
  SHOAL_ASSIGN_OR_RETURN(ca::ClusterCA root, ca::cluster_ca(cluster));
  SHOAL_ASSIGN_OR_RETURN(ca::KeyAndCsr key, ca::make_key_and_csr());
  SHOAL_ASSIGN_OR_RETURN(
      std::string cert,
      ca::sign_csr(root.current,
                   ca::SignRequest{key.csr_pem, node_id, api::NodeRole::kManager, cluster.ID,
                                   cluster.Spec.CAConfig.NodeCertExpiry},
                   ctx.clock.now()));
  return ca::NodeCerts{root.bundle_pem, root.chain(std::move(cert)), std::move(key.key_pem)};
}

}  // namespace

Result<ca::NodeCerts> plan_cluster_ca(const Context& ctx, api::Swarm& cluster, api::Node& node) {
  SHOAL_ASSIGN_OR_RETURN(ca::KeyPair root, ca::make_root_ca(ctx.clock.now()));
  SHOAL_RETURN_IF_ERROR(ca::install_root(cluster, root, false, ctx.random));
  node.Description.TLSInfo = cluster.TLSInfo;
  return manager_certs(ctx, cluster, node.ID);
}

Result<std::optional<ca::NodeCerts>> plan_ca_update(const Context& ctx, const api::Swarm& current,
                                                    const api::Spec& requested, api::Swarm& next,
                                                    api::Node* self) {
  if (!requested.CAConfig.SigningCACert.empty() || !requested.CAConfig.SigningCAKey.empty()) {
    return Status(Code::kInvalidArgument,
                  "rotating to a given root CA (--ca-cert/--ca-key) is not supported yet");
  }
  next.Spec.CAConfig.SigningCACert = current.Spec.CAConfig.SigningCACert;
  next.Spec.CAConfig.SigningCAKey = current.Spec.CAConfig.SigningCAKey;
  next.TLSInfo = current.TLSInfo;
  next.RootRotationInProgress = current.RootRotationInProgress;
  // A cluster stored before the CA existed gets one on its first update.
  bool has_ca = ca::cluster_ca(current).is_ok();
  if (has_ca && next.Spec.CAConfig.ForceRotate == current.Spec.CAConfig.ForceRotate) {
    return std::optional<ca::NodeCerts>();
  }
  SHOAL_ASSIGN_OR_RETURN(ca::KeyPair root, ca::make_root_ca(ctx.clock.now()));
  SHOAL_RETURN_IF_ERROR(ca::install_root(next, root, has_ca, ctx.random));
  if (self == nullptr) return std::optional<ca::NodeCerts>();
  self->Description.TLSInfo = next.TLSInfo;
  SHOAL_ASSIGN_OR_RETURN(ca::NodeCerts certs, manager_certs(ctx, next, self->ID));
  return std::optional<ca::NodeCerts>(std::move(certs));
}

}  // namespace shoal::manager::controlapi
