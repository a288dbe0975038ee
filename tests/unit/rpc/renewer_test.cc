// ca::Renewer over GrpcCAClient: the renewer's CAClient contract across the wire.
#include "ca/renewer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "ca/cert_dir.h"
#include "fixture.h"
#include "rpc/ca_client.h"

namespace shoal::rpc {
namespace {

using namespace std::chrono_literals;

class RenewOverGrpcTest : public testing::RpcFixture {
 protected:
  void TearDown() override {
    RpcFixture::TearDown();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_ =
      std::filesystem::temp_directory_path() / ("shoal-rpc-renew-" + std::to_string(::getpid()));
};

TEST_F(RenewOverGrpcTest, ADueCertificateIsRenewedThroughTheCAService) {
  JoinRequest request;
  request.remote_addr = addr_;
  request.join_token = worker_token_;
  auto joined = join_cluster(request);
  ASSERT_TRUE(joined.is_ok()) << joined.status().to_string();
  GrpcCAClient client(addr_, joined->identity);
  std::filesystem::create_directories(dir_);
  ca::CertDir dir(dir_);
  ca::NodeCerts renewed_to;
  ca::Renewer renewer(client, dir, *clock_, 1, [&](const ca::NodeCerts& c) { renewed_to = c; });
  ca::NodeCerts current{joined->identity.ca_pem, joined->identity.cert_pem,
                        joined->identity.key_pem};
  // 90 days on: past 80 % of the certificate's lifetime, so a renewal is due.
  Timestamp later = clock_->now() + std::chrono::hours(24 * 89);
  renewer.step(current, later);
  EXPECT_EQ(renewer.renewals(), 1u);
  ASSERT_FALSE(renewed_to.cert_pem.empty());
  EXPECT_NE(renewed_to.cert_pem, joined->identity.cert_pem);
  auto identity = ca::identity_of(renewed_to.cert_pem);
  ASSERT_TRUE(identity.is_ok());
  EXPECT_EQ(identity->node_id, joined->node_id);
  auto on_disk = dir.read();
  ASSERT_TRUE(on_disk.is_ok()) << on_disk.status().to_string();
  EXPECT_EQ(on_disk->cert_pem, renewed_to.cert_pem);
  EXPECT_TRUE(ca::check_key_matches(on_disk->cert_pem, on_disk->key_pem).is_ok());
}

}  // namespace
}  // namespace shoal::rpc
