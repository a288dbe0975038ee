#include "ca/root_ca.h"

namespace shoal::ca {
namespace {

constexpr std::string_view kPemEnd = "-----END CERTIFICATE-----";

}  // namespace

std::vector<std::string> split_pem(std::string_view bundle) {
  std::vector<std::string> out;
  size_t start = bundle.find("-----BEGIN CERTIFICATE-----");
  while (start != std::string_view::npos) {
    size_t end = bundle.find(kPemEnd, start);
    if (end == std::string_view::npos) break;
    end += kPemEnd.size();
    if (end < bundle.size() && bundle[end] == '\n') ++end;
    out.emplace_back(bundle.substr(start, end - start));
    start = bundle.find("-----BEGIN CERTIFICATE-----", end);
  }
  return out;
}

Result<ClusterCA> cluster_ca(const api::Swarm& cluster) {
  const api::CAConfig& config = cluster.Spec.CAConfig;
  if (config.SigningCACert.empty() || config.SigningCAKey.empty()) {
    return Status(Code::kFailedPrecondition, "the cluster has no root CA");
  }
  std::vector<std::string> roots = split_pem(config.SigningCACert);
  if (roots.empty()) {
    return Status(Code::kInternal, "the cluster's root CA is corrupt: no certificate");
  }
  Status match = check_key_matches(roots.front(), config.SigningCAKey);
  if (!match.is_ok()) {
    return error(Code::kInternal, "the cluster's root CA is corrupt: {}", match.message());
  }
  ClusterCA ca;
  ca.current = KeyPair{roots.front(), config.SigningCAKey};
  ca.bundle_pem = roots.front() + (roots.size() > 1 ? roots[1] : std::string());
  if (roots.size() > 2) ca.cross_pem = roots[2];
  return ca;
}

Status install_root(api::Swarm& cluster, const KeyPair& root, bool keep_previous,
                    const RandomBytes& random) {
  SHOAL_ASSIGN_OR_RETURN(api::TLSInfo info, tls_info(root.cert_pem));
  std::string bundle = root.cert_pem;
  bool rotating = keep_previous && !cluster.Spec.CAConfig.SigningCACert.empty();
  if (rotating) {
    SHOAL_ASSIGN_OR_RETURN(ClusterCA old, cluster_ca(cluster));
    SHOAL_ASSIGN_OR_RETURN(std::string cross, cross_sign(old.current, root.cert_pem));
    bundle += old.current.cert_pem + cross;
  }
  cluster.Spec.CAConfig.SigningCACert = std::move(bundle);
  cluster.Spec.CAConfig.SigningCAKey = root.key_pem;
  cluster.TLSInfo = std::move(info);
  cluster.RootRotationInProgress = rotating;
  cluster.JoinTokens.Worker = make_join_token(root.cert_pem, random(kJoinTokenSecretBytes));
  cluster.JoinTokens.Manager = make_join_token(root.cert_pem, random(kJoinTokenSecretBytes));
  return Status::ok();
}

Result<std::string> new_join_token(const api::Swarm& cluster, const RandomBytes& random) {
  SHOAL_ASSIGN_OR_RETURN(ClusterCA ca, cluster_ca(cluster));
  return make_join_token(ca.current.cert_pem, random(kJoinTokenSecretBytes));
}

bool same_tls_info(const api::TLSInfo& a, const api::TLSInfo& b) {
  return a.TrustRoot == b.TrustRoot && a.CertIssuerSubject == b.CertIssuerSubject &&
         a.CertIssuerPublicKey == b.CertIssuerPublicKey;
}

bool rotation_done(const api::Swarm& cluster,
                   const std::vector<std::shared_ptr<const api::Node>>& nodes) {
  for (const auto& node : nodes) {
    if (node->Status.State != api::NodeState::kReady) continue;
    if (!same_tls_info(node->Description.TLSInfo, cluster.TLSInfo)) return false;
  }
  return true;
}

void finish_rotation(api::Swarm& cluster) {
  std::vector<std::string> roots = split_pem(cluster.Spec.CAConfig.SigningCACert);
  if (!roots.empty()) cluster.Spec.CAConfig.SigningCACert = roots.front();
  cluster.RootRotationInProgress = false;
}

}  // namespace shoal::ca
