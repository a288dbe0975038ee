// The cluster CA through the swarm calls: init, inspect, info, update (cert expiry, token
// rotation, root rotation), leave.
#include <gtest/gtest.h>

#include "ca/certs.h"
#include "ca/node_ca.h"
#include "ca/root_ca.h"
#include "fixture.h"
#include "manager/controlapi/info.h"

namespace shoal::manager::controlapi {
namespace {

using std::chrono::hours;

class SwarmCATest : public testing::ControlApiTest {
 protected:
  api::Swarm swarm() {
    auto s = inspect_swarm(ctx());
    EXPECT_TRUE(s.is_ok()) << s.status().to_string();
    return s.is_ok() ? *s : api::Swarm{};
  }
  std::shared_ptr<const api::Node> node(const std::string& id) {
    return store_->view().get<api::Node>(id);
  }
};

TEST_F(SwarmCATest, InitMakesTheRootAndTheManagersCertificate) {
  std::string id = init();
  api::Swarm s = swarm();
  EXPECT_TRUE(s.TLSInfo.TrustRoot.starts_with("-----BEGIN CERTIFICATE-----"));
  EXPECT_FALSE(s.TLSInfo.CertIssuerSubject.empty());
  EXPECT_FALSE(s.TLSInfo.CertIssuerPublicKey.empty());
  EXPECT_FALSE(s.RootRotationInProgress);
  // The signing material never leaves the store.
  EXPECT_TRUE(s.Spec.CAConfig.SigningCACert.empty());
  EXPECT_TRUE(s.Spec.CAConfig.SigningCAKey.empty());
  api::Info info = swarm_info(ctx());
  ASSERT_TRUE(info.Cluster);
  EXPECT_TRUE(info.Cluster->Spec.CAConfig.SigningCAKey.empty());
  EXPECT_EQ(info.Cluster->TLSInfo.TrustRoot, s.TLSInfo.TrustRoot);
  // Both tokens carry the root's digest.
  EXPECT_TRUE(ca::check_token_digest(s.JoinTokens.Worker, s.TLSInfo.TrustRoot).is_ok());
  EXPECT_TRUE(ca::check_token_digest(s.JoinTokens.Manager, s.TLSInfo.TrustRoot).is_ok());
  // This node: its TLSInfo, and its certificate saved before on_joined.
  EXPECT_TRUE(ca::same_tls_info(node(id)->Description.TLSInfo, s.TLSInfo));
  ASSERT_TRUE(local_.certs_);
  EXPECT_EQ(local_.certs_->ca_pem, s.TLSInfo.TrustRoot);
  auto identity = ca::identity_of(local_.certs_->cert_pem);
  ASSERT_TRUE(identity.is_ok());
  EXPECT_EQ(identity->node_id, id);
  EXPECT_EQ(identity->role, api::NodeRole::kManager);
  EXPECT_EQ(identity->cluster_id, s.ID);
  EXPECT_EQ(identity->not_after - clock_->now(), hours(24 * 90));
  EXPECT_TRUE(
      ca::verify_chain(local_.certs_->cert_pem, s.TLSInfo.TrustRoot, clock_->now()).is_ok());
  EXPECT_TRUE(ca::check_key_matches(local_.certs_->cert_pem, local_.certs_->key_pem).is_ok());
}

TEST_F(SwarmCATest, InitWithCertExpiry) {
  api::InitRequest request;
  request.ListenAddr = "0.0.0.0:2377";
  request.Spec.CAConfig.NodeCertExpiry = hours(2);
  ASSERT_TRUE(init_swarm(ctx(), request).is_ok());
  EXPECT_EQ(ca::identity_of(local_.certs_->cert_pem)->not_after - clock_->now(), hours(2));
}

TEST_F(SwarmCATest, CertExpiryIsValidatedStoredAndUsedForTheNextCertificates) {
  init();
  api::Swarm s = swarm();
  api::Spec spec = s.Spec;
  spec.CAConfig.NodeCertExpiry = std::chrono::minutes(30);
  EXPECT_ERROR(update_swarm(ctx(), s.Version.Index, spec, {}), Code::kInvalidArgument,
               "rpc error: code = InvalidArgument desc = minimum certificate expiry time is: "
               "1h0m0s");
  spec.CAConfig.NodeCertExpiry = hours(2);
  ASSERT_TRUE(update_swarm(ctx(), s.Version.Index, spec, {}).is_ok());
  api::Swarm after = swarm();
  EXPECT_EQ(after.Spec.CAConfig.NodeCertExpiry, hours(2));
  EXPECT_EQ(after.TLSInfo.TrustRoot, s.TLSInfo.TrustRoot) << "an update keeps the root";
  EXPECT_EQ(after.JoinTokens.Worker, s.JoinTokens.Worker);

  ca::NodeCA node_ca(*store_, *clock_, ids_);
  auto key = ca::make_key_and_csr();
  auto issued = node_ca.issue({key->csr_pem, after.JoinTokens.Worker, {}, "10.0.0.9:1234"});
  ASSERT_TRUE(issued.is_ok()) << issued.status().to_string();
  EXPECT_EQ(ca::identity_of(issued->cert_chain_pem)->not_after - clock_->now(), hours(2));
}

TEST_F(SwarmCATest, TokenRotationKeepsTheDigest) {
  init();
  api::Swarm s = swarm();
  api::UpdateFlags flags;
  flags.RotateWorkerToken = true;
  ASSERT_TRUE(update_swarm(ctx(), s.Version.Index, s.Spec, flags).is_ok());
  api::Swarm after = swarm();
  EXPECT_NE(after.JoinTokens.Worker, s.JoinTokens.Worker);
  EXPECT_EQ(after.JoinTokens.Manager, s.JoinTokens.Manager);
  EXPECT_TRUE(ca::check_token_digest(after.JoinTokens.Worker, after.TLSInfo.TrustRoot).is_ok());
}

TEST_F(SwarmCATest, ForceRotateMakesANewRootTokensAndCertificate) {
  std::string id = init();
  api::Swarm s = swarm();
  std::string old_cert = local_.certs_->cert_pem;
  api::Spec spec = s.Spec;
  spec.CAConfig.ForceRotate += 1;
  ASSERT_TRUE(update_swarm(ctx(), s.Version.Index, spec, {}).is_ok());
  api::Swarm after = swarm();
  EXPECT_NE(after.TLSInfo.TrustRoot, s.TLSInfo.TrustRoot);
  EXPECT_NE(after.TLSInfo.CertIssuerPublicKey, s.TLSInfo.CertIssuerPublicKey);
  EXPECT_NE(after.JoinTokens.Worker, s.JoinTokens.Worker);
  EXPECT_NE(after.JoinTokens.Manager, s.JoinTokens.Manager);
  EXPECT_TRUE(ca::check_token_digest(after.JoinTokens.Worker, after.TLSInfo.TrustRoot).is_ok());
  EXPECT_EQ(after.Spec.CAConfig.ForceRotate, 1u);
  // A single-node swarm finishes at once: this manager already holds the new root.
  EXPECT_FALSE(after.RootRotationInProgress);
  EXPECT_TRUE(ca::same_tls_info(node(id)->Description.TLSInfo, after.TLSInfo));
  EXPECT_NE(local_.certs_->cert_pem, old_cert);
  EXPECT_EQ(local_.certs_->ca_pem, after.TLSInfo.TrustRoot);
  EXPECT_EQ(ca::split_pem(local_.certs_->cert_pem).size(), 1u);
  EXPECT_TRUE(
      ca::verify_chain(local_.certs_->cert_pem, after.TLSInfo.TrustRoot, clock_->now()).is_ok());
  // The old worker token no longer joins.
  ca::NodeCA node_ca(*store_, *clock_, ids_);
  auto key = ca::make_key_and_csr();
  EXPECT_EQ(node_ca.issue({key->csr_pem, s.JoinTokens.Worker, {}, "10.0.0.9"}).status().code(),
            Code::kInvalidArgument);
}

TEST_F(SwarmCATest, RotationWaitsForReadyWorkers) {
  init();
  api::Swarm s = swarm();
  ca::NodeCA node_ca(*store_, *clock_, ids_);
  auto key = ca::make_key_and_csr();
  auto worker = node_ca.issue({key->csr_pem, s.JoinTokens.Worker, {}, "10.0.0.9"});
  ASSERT_TRUE(worker.is_ok());
  ASSERT_TRUE(store_
                  ->update([&](store::WriteTxn& tx) {
                    api::Node n = *tx.get<api::Node>(worker->node_id);
                    n.Status.State = api::NodeState::kReady;
                    return tx.update(std::move(n));
                  })
                  .is_ok());
  api::Spec spec = s.Spec;
  spec.CAConfig.ForceRotate = 7;
  ASSERT_TRUE(update_swarm(ctx(), s.Version.Index, spec, {}).is_ok());
  EXPECT_TRUE(swarm().RootRotationInProgress);
  // The manager trusts both roots meanwhile; the worker still holds the old one.
  EXPECT_EQ(ca::split_pem(local_.certs_->ca_pem).size(), 2u);
  // Its certificate carries the cross-signed root, so the worker (old root) accepts it.
  EXPECT_EQ(ca::split_pem(local_.certs_->cert_pem).size(), 2u);
  EXPECT_TRUE(
      ca::verify_chain(local_.certs_->cert_pem, s.TLSInfo.TrustRoot, clock_->now()).is_ok());
  auto renewed = node_ca.renew(worker->node_id, ca::make_key_and_csr()->csr_pem);
  ASSERT_TRUE(renewed.is_ok());
  EXPECT_FALSE(swarm().RootRotationInProgress);
  EXPECT_EQ(*node_ca.root_ca_pem(), swarm().TLSInfo.TrustRoot);
}

TEST_F(SwarmCATest, UpdateRefusesGivenSigningMaterial) {
  init();
  api::Swarm s = swarm();
  api::Spec spec = s.Spec;
  spec.CAConfig.SigningCACert = s.TLSInfo.TrustRoot;
  EXPECT_ERROR(update_swarm(ctx(), s.Version.Index, spec, {}), Code::kInvalidArgument,
               "rotating to a given root CA (--ca-cert/--ca-key) is not supported yet");
}

TEST_F(SwarmCATest, LeaveForgetsTheCertificates) {
  init();
  ASSERT_TRUE(local_.certs_);
  ASSERT_TRUE(leave_swarm(ctx(), true).is_ok());
  EXPECT_FALSE(local_.certs_);
}

}  // namespace
}  // namespace shoal::manager::controlapi
