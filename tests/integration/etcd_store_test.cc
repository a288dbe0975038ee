// A daemon whose store lives in etcd (--etcd-endpoints) instead of the embedded SQLite: the
// swarm, a service and a secret come back from etcd after a restart, nothing of the store is
// in the data dir's SQLite files, and etcd holds the secret's bytes sealed, never in clear.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine_fixture.h"
#include "etcd_fixture.h"

namespace shoal::testing {
namespace {

constexpr const char* kSecretBytes = "shoal-in-etcd-secret-5d1c8e";

class EtcdStoreTest : public EngineIntegrationTest {
 protected:
  void SetUp() override {
    etcd_ = start_test_etcd(tmp_.path(), "store");
    ASSERT_TRUE(etcd_);

    socket_ = tmp_.path() + "/run/shoal.sock";
    daemon_ = std::make_unique<DaemonProcess>(
        tmp_.path() + "/data", socket_, tmp_.path() + "/daemon.log",
        std::vector<std::string>{"--executor=hollow",
                                 "--etcd-endpoints=" + etcd_->options().client_address});
    ASSERT_TRUE(daemon_->start());
    ASSERT_TRUE(daemon_->wait_ready()) << daemon_->log();
  }

  void TearDown() override {
    EngineIntegrationTest::TearDown();
    etcd_.reset();  // after the daemon: it stops the member
  }

  // Every key and value etcd holds, as etcdctl prints them.
  std::string etcd_dump() const {
    CommandResult r = run_command(
        {"etcdctl", "--endpoints=" + etcd_->options().client_address, "get", "--prefix", "/"},
        {{"ETCDCTL_API", "3"}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  std::unique_ptr<etcd::Member> etcd_;
};

TEST_F(EtcdStoreTest, TheSwarmComesBackFromEtcdAndItsSecretIsSealedThere) {
  std::string node = swarm_init();
  ok({"service", "create", "-d", "--name", "web", "--replicas", "2", "--no-resolve-image",
      "nginx:alpine"});
  std::string secret_file = tmp_.path() + "/secret";
  std::ofstream(secret_file) << kSecretBytes;
  ok({"secret", "create", "pw", secret_file});

  std::string dump = etcd_dump();
  EXPECT_TRUE(contains(dump, "/shoal/revision")) << dump.substr(0, 2000);
  EXPECT_TRUE(contains(dump, "/shoal/r/services/")) << dump.substr(0, 2000);
  EXPECT_FALSE(contains(dump, kSecretBytes));
  // The data dir has no SQLite log: the store is etcd's.
  for (const auto& e : std::filesystem::directory_iterator(tmp_.path() + "/data")) {
    EXPECT_FALSE(e.path().filename().string().starts_with("log-")) << e.path();
  }

  restart();
  EXPECT_EQ(trim(ok({"info", "--format", "{{.Swarm.NodeID}}"})), node);
  EXPECT_EQ(
      trim(ok({"service", "inspect", "web", "--format", "{{.Spec.Mode.Replicated.Replicas}}"})),
      "2");
  EXPECT_EQ(trim(ok({"secret", "ls", "--format", "{{.Name}}"})), "pw");
}

TEST_F(EtcdStoreTest, UnreachableEtcdFailsTheStartNamingIt) {
  ASSERT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->log();
  etcd_->stop();
  ASSERT_TRUE(daemon_->start());
  EXPECT_NE(daemon_->wait_exit(std::chrono::seconds(30)), 0);
  EXPECT_TRUE(contains(daemon_->log(),
                       "cannot read the store from etcd at " + etcd_->options().client_address))
      << daemon_->log();
}

TEST_F(EtcdStoreTest, AClientCertificateWithoutACaIsRefusedNamingTheFlags) {
  ASSERT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->log();
  std::string pem = tmp_.path() + "/client.pem";
  std::ofstream(pem) << "-----BEGIN CERTIFICATE-----\n";
  DaemonProcess bad(tmp_.path() + "/data", socket_, tmp_.path() + "/bad.log",
                    {"--executor=hollow", "--etcd-endpoints=" + etcd_->options().client_address,
                     "--etcd-certfile=" + pem, "--etcd-keyfile=" + pem});
  ASSERT_TRUE(bad.start());
  EXPECT_NE(bad.wait_exit(std::chrono::seconds(30)), 0);
  EXPECT_TRUE(contains(bad.log(), "--etcd-certfile and --etcd-keyfile need --etcd-cafile"))
      << bad.log();
}

}  // namespace
}  // namespace shoal::testing
