#include "ca/renewer.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "ca/local_client.h"
#include "ca/node_ca.h"
#include "ca_fixture.h"
#include "support/eventually.h"

namespace shoal::ca {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

TEST(NextRenewal, Table) {
  const Timestamp t0 = testing::kStart;
  struct Case {
    double fraction;
    std::chrono::nanoseconds lifetime, expected;
  } cases[] = {
      {0.5, hours(100), hours(50)},
      {0.8, hours(100), hours(80)},
      {0.5, hours(1), std::chrono::minutes(30)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(next_renewal(t0, t0 + c.lifetime, c.fraction), t0 + c.expected);
  }
}

TEST(PlanRenewal, Table) {
  const Timestamp at = testing::kStart;
  struct Case {
    const char* name;
    Timestamp now;
    std::optional<std::string> cluster;
    RenewReason expected;
  } cases[] = {
      {"early, same root", at - seconds(1), "A", RenewReason::kNone},
      {"early, root unknown", at - seconds(1), std::nullopt, RenewReason::kNone},
      {"due", at, "A", RenewReason::kExpiring},
      {"due, root unknown", at + seconds(1), std::nullopt, RenewReason::kExpiring},
      {"root changed", at - hours(1), "B", RenewReason::kRootChanged},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(plan_renewal(c.now, at, "A", c.cluster), c.expected);
  }
}

// A CA client over a real NodeCA that can be told to fail.
class FlakyClient : public CAClient {
 public:
  FlakyClient(NodeCA& ca, std::string id) : local_(ca, std::move(id)) {}
  Result<std::string> root_ca() override { return local_.root_ca(); }
  Result<std::string> renew(std::string_view csr) override {
    ++calls;
    if (fail) return Status(Code::kUnavailable, "manager unreachable");
    return local_.renew(csr);
  }
  std::atomic<bool> fail{false};
  std::atomic<int> calls{0};

 private:
  LocalCAClient local_;
};

class RenewerTest : public testing::CATest {
 protected:
  void SetUp() override {
    CATest::SetUp();
    char dir[] = "/tmp/shoal-renewer-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    data_dir_ = dir;
    dir_ = std::make_unique<CertDir>(data_dir_);
    node_ca_ = std::make_unique<NodeCA>(*store_, *clock_, ids_);
    auto key = make_key_and_csr();
    ASSERT_TRUE(key.is_ok());
    auto issued = node_ca_->issue({key->csr_pem, cluster()->JoinTokens.Worker, {}, "10.0.0.5"});
    ASSERT_TRUE(issued.is_ok()) << issued.status().to_string();
    certs_ = NodeCerts{root_.cert_pem, issued->cert_chain_pem, key->key_pem};
    client_ = std::make_unique<FlakyClient>(*node_ca_, issued->node_id);
    renewer_ = std::make_unique<Renewer>(*client_, *dir_, *clock_, 1,
                                         [this](const NodeCerts& c) { handed_ = c; });
  }
  void TearDown() override {
    renewer_.reset();
    std::filesystem::remove_all(data_dir_);
  }

  std::string data_dir_;
  std::unique_ptr<CertDir> dir_;
  std::unique_ptr<NodeCA> node_ca_;
  std::unique_ptr<FlakyClient> client_;
  std::unique_ptr<Renewer> renewer_;
  NodeCerts certs_;
  std::optional<NodeCerts> handed_;
};

TEST_F(RenewerTest, RenewsBetweenHalfAndEightyPercentOfTheLifetime) {
  // 90 days, backdated an hour: nothing before 45 days, everything after 72.
  Timestamp next = renewer_->step(certs_, clock_->now());
  EXPECT_EQ(next, clock_->now() + kRootCheckPeriod);
  clock_->advance(hours(24 * 44));
  renewer_->step(certs_, clock_->now());
  EXPECT_EQ(renewer_->renewals(), 0u);
  clock_->advance(hours(24 * 28) + hours(2));
  std::string old_cert = certs_.cert_pem;
  renewer_->step(certs_, clock_->now());
  EXPECT_EQ(renewer_->renewals(), 1u);
  EXPECT_NE(certs_.cert_pem, old_cert);
  auto id = identity_of(certs_.cert_pem);
  ASSERT_TRUE(id.is_ok());
  EXPECT_EQ(id->not_after, clock_->now() + hours(24 * 90));
  // Written to disk and handed over.
  auto on_disk = dir_->read();
  ASSERT_TRUE(on_disk.is_ok()) << on_disk.status().to_string();
  EXPECT_EQ(on_disk->cert_pem, certs_.cert_pem);
  EXPECT_EQ(on_disk->key_pem, certs_.key_pem);
  EXPECT_TRUE(check_key_matches(on_disk->cert_pem, on_disk->key_pem).is_ok());
  EXPECT_EQ(std::filesystem::status(data_dir_ + "/certificates/swarm-node.key").permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ASSERT_TRUE(handed_);
  EXPECT_EQ(handed_->cert_pem, certs_.cert_pem);
}

TEST_F(RenewerTest, RenewsAtOnceWhenTheRootChanges) {
  auto new_root = make_root_ca(clock_->now());
  ASSERT_TRUE(new_root.is_ok());
  update_cluster(
      [&](api::Swarm& c) { ASSERT_TRUE(install_root(c, *new_root, true, random_).is_ok()); });
  renewer_->step(certs_, clock_->now());
  EXPECT_EQ(renewer_->renewals(), 1u);
  EXPECT_EQ(certs_.ca_pem, new_root->cert_pem + root_.cert_pem);
  EXPECT_TRUE(verify_chain(certs_.cert_pem, new_root->cert_pem, clock_->now()).is_ok());
  // The only READY-or-not node renewed: nothing holds the rotation up any more.
  EXPECT_FALSE(cluster()->RootRotationInProgress);
  // Next check: the bundle lost the old root, which is a change again: one more renewal,
  // then quiet.
  renewer_->step(certs_, clock_->now());
  EXPECT_EQ(renewer_->renewals(), 2u);
  EXPECT_EQ(certs_.ca_pem, new_root->cert_pem);
  renewer_->step(certs_, clock_->now());
  EXPECT_EQ(renewer_->renewals(), 2u);
}

TEST_F(RenewerTest, FailuresBackOffAndKeepTheOldCertificate) {
  client_->fail = true;
  clock_->advance(hours(24 * 80));
  std::string old_cert = certs_.cert_pem;
  Timestamp now = clock_->now();
  EXPECT_EQ(renewer_->step(certs_, now), now + seconds(1));
  EXPECT_EQ(renewer_->step(certs_, now), now + seconds(2));
  EXPECT_EQ(renewer_->step(certs_, now), now + seconds(4));
  EXPECT_EQ(certs_.cert_pem, old_cert);
  EXPECT_FALSE(dir_->exists());
  client_->fail = false;
  renewer_->step(certs_, now);
  EXPECT_EQ(renewer_->renewals(), 1u);
  EXPECT_TRUE(dir_->exists());
}

TEST_F(RenewerTest, ThreadRenewsWhenWokenAfterARotation) {
  ASSERT_TRUE(renewer_->start(certs_).is_ok());
  EXPECT_EQ(renewer_->start(certs_).code(), Code::kFailedPrecondition);
  auto new_root = make_root_ca(clock_->now());
  ASSERT_TRUE(new_root.is_ok());
  update_cluster(
      [&](api::Swarm& c) { ASSERT_TRUE(install_root(c, *new_root, false, random_).is_ok()); });
  EXPECT_TRUE(::shoal::testing::eventually([&] {
    renewer_->check_now();
    return renewer_->renewals() >= 1;
  }));
  renewer_->stop();
  renewer_->stop();  // idempotent
  auto on_disk = dir_->read();
  ASSERT_TRUE(on_disk.is_ok());
  EXPECT_EQ(on_disk->ca_pem, new_root->cert_pem);
}

TEST(CertDir, WriteReadRemove) {
  char tmpl[] = "/tmp/shoal-certdir-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string data = tmpl;
  CertDir dir(data);
  EXPECT_EQ(dir.path(), data + "/certificates");
  EXPECT_FALSE(dir.exists());
  EXPECT_EQ(dir.read().status().code(), Code::kNotFound);
  ASSERT_TRUE(dir.write({"ca", "cert", "key"}).is_ok());
  EXPECT_TRUE(dir.exists());
  auto read = dir.read();
  ASSERT_TRUE(read.is_ok());
  EXPECT_EQ(read->ca_pem, "ca");
  EXPECT_EQ(read->cert_pem, "cert");
  EXPECT_EQ(read->key_pem, "key");
  ASSERT_TRUE(dir.write({"ca2", "cert2", "key2"}).is_ok());
  EXPECT_EQ(dir.read()->cert_pem, "cert2");
  EXPECT_TRUE(dir.remove().is_ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path()));
  EXPECT_TRUE(dir.remove().is_ok());
  std::filesystem::remove_all(data);
}

}  // namespace
}  // namespace shoal::ca
