// The cluster CA through the real docker CLI: swarm init makes it, docker shows it, the
// key stays inside, --cert-expiry is validated and stored, `swarm ca --rotate` completes,
// and a restart keeps the CA.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "ca/certs.h"
#include "engine_fixture.h"

namespace shoal::testing {
namespace {

class EngineSwarmCATest : public EngineIntegrationTest {
 protected:
  std::string cert_file(const std::string& name) const {
    return tmp_.path() + "/data/certificates/" + name;
  }
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }
  std::string trust_root() {
    return ok({"info", "--format", "{{.Swarm.Cluster.TLSInfo.TrustRoot}}"});
  }
};

TEST_F(EngineSwarmCATest, InitMakesTheCAAndDockerShowsIt) {
  std::string node_id = swarm_init();
  std::string ca = ok({"swarm", "ca"});
  EXPECT_TRUE(contains(ca, "-----BEGIN CERTIFICATE-----")) << ca;
  // The same root everywhere: swarm ca, info, the node, the node's files, the tokens.
  std::string root = read(cert_file("swarm-root-ca.crt"));
  EXPECT_EQ(trim(ca), trim(root));
  EXPECT_EQ(trim(trust_root()), trim(root));
  EXPECT_EQ(trim(ok({"node", "inspect", "self", "--format", "{{.Description.TLSInfo.TrustRoot}}"})),
            trim(root));
  std::string worker = trim(ok({"swarm", "join-token", "-q", "worker"}));
  EXPECT_TRUE(ca::check_token_digest(worker, root).is_ok()) << worker;
  EXPECT_FALSE(ca::check_token_digest(worker, trim(ca) + "x").is_ok());
  // The node's certificate: its ID, manager role, the cluster's ID; its key is private.
  auto identity = ca::identity_of(read(cert_file("swarm-node.crt")));
  ASSERT_TRUE(identity.is_ok()) << identity.status().to_string();
  EXPECT_EQ(identity->node_id, node_id);
  EXPECT_EQ(identity->role, api::NodeRole::kManager);
  EXPECT_EQ(identity->cluster_id, trim(ok({"info", "--format", "{{.Swarm.Cluster.ID}}"})));
  struct stat st {};
  ASSERT_EQ(::stat(cert_file("swarm-node.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The CA key never leaves the manager.
  for (const char* path : {"http://localhost/v1.41/swarm", "http://localhost/v1.41/info"}) {
    CommandResult out = curl({path});
    EXPECT_FALSE(contains(out.out, "PRIVATE KEY")) << path;
    EXPECT_FALSE(contains(out.out, "SigningCAKey")) << path;
  }
  // docker node ls's TLS column compares the node's TLSInfo with the cluster's.
  std::string ls = ok({"node", "ls", "--format", "{{.TLSStatus}}"});
  EXPECT_EQ(trim(ls), "Ready") << ls;
}

TEST_F(EngineSwarmCATest, CertExpiryIsValidatedAndStored) {
  swarm_init();
  fails({"swarm", "update", "--cert-expiry", "30m"}, "minimum certificate expiry time is: 1h0m0s");
  ok({"swarm", "update", "--cert-expiry", "2h"});
  EXPECT_EQ(trim(ok({"info", "--format", "{{.Swarm.Cluster.Spec.CAConfig.NodeCertExpiry}}"})),
            "2h0m0s");
}

TEST_F(EngineSwarmCATest, RotateMakesANewRootAndNewTokens) {
  swarm_init();
  std::string old_root = trim(trust_root());
  std::string old_worker = trim(ok({"swarm", "join-token", "-q", "worker"}));
  // The CLI waits until every node holds the new root (a single node: at once).
  ok({"swarm", "ca", "--rotate", "-q"}, std::chrono::seconds(60));
  std::string new_root = trim(trust_root());
  EXPECT_NE(new_root, old_root);
  EXPECT_EQ(trim(ok({"swarm", "ca"})), new_root);
  EXPECT_EQ(trim(ok({"info", "--format", "{{.Swarm.Cluster.RootRotationInProgress}}"})), "false");
  EXPECT_EQ(trim(ok({"node", "ls", "--format", "{{.TLSStatus}}"})), "Ready");
  std::string worker = trim(ok({"swarm", "join-token", "-q", "worker"}));
  EXPECT_NE(worker, old_worker);
  std::string root_file = read(cert_file("swarm-root-ca.crt"));
  EXPECT_EQ(trim(root_file), new_root);
  EXPECT_TRUE(ca::check_token_digest(worker, root_file).is_ok());
  Status chain = ca::verify_chain(read(cert_file("swarm-node.crt")), root_file,
                                  Timestamp::from_sys(std::chrono::system_clock::now()));
  EXPECT_TRUE(chain.is_ok()) << chain.to_string();
}

TEST_F(EngineSwarmCATest, ARestartKeepsTheCA) {
  swarm_init();
  std::string root = trim(trust_root());
  std::string worker = trim(ok({"swarm", "join-token", "-q", "worker"}));
  restart();
  EXPECT_EQ(trim(trust_root()), root);
  EXPECT_EQ(trim(ok({"swarm", "join-token", "-q", "worker"})), worker);
}

}  // namespace
}  // namespace shoal::testing
