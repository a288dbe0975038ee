#include "ca/node_ca.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "ca_fixture.h"

namespace shoal::ca {
namespace {

using std::chrono::hours;

class NodeCATest : public testing::CATest {
 protected:
  void SetUp() override {
    CATest::SetUp();
    ca_ = std::make_unique<NodeCA>(*store_, *clock_, ids_);
  }

  std::string csr() {
    auto made = make_key_and_csr();
    EXPECT_TRUE(made.is_ok());
    return made->csr_pem;
  }

  std::unique_ptr<NodeCA> ca_;
};

TEST_F(NodeCATest, RootIsTheBundle) {
  auto root = ca_->root_ca_pem();
  ASSERT_TRUE(root.is_ok());
  EXPECT_EQ(*root, root_.cert_pem);
}

TEST_F(NodeCATest, WorkerTokenCreatesAWorkerNodeAndSigns) {
  IssueRequest request{csr(), cluster()->JoinTokens.Worker, api::NodeAvailability::kDrain,
                       "10.0.0.7:41000"};
  auto issued = ca_->issue(request);
  ASSERT_TRUE(issued.is_ok()) << issued.status().to_string();
  auto id = identity_of(issued->cert_chain_pem);
  ASSERT_TRUE(id.is_ok());
  EXPECT_EQ(id->node_id, issued->node_id);
  EXPECT_EQ(id->role, api::NodeRole::kWorker);
  EXPECT_EQ(id->cluster_id, "cluster1");
  EXPECT_EQ(id->not_after, testing::kStart + hours(24 * 90));
  EXPECT_TRUE(verify_chain(issued->cert_chain_pem, root_.cert_pem, clock_->now()).is_ok());

  auto node = store_->view().get<api::Node>(issued->node_id);
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->Spec.Role, api::NodeRole::kWorker);
  EXPECT_EQ(node->Spec.Availability, api::NodeAvailability::kDrain);
  EXPECT_EQ(node->Status.State, api::NodeState::kUnknown);
  EXPECT_EQ(node->Status.Addr, "10.0.0.7");
  EXPECT_EQ(node->Description.Hostname, "");
  EXPECT_TRUE(same_tls_info(node->Description.TLSInfo, cluster()->TLSInfo));
}

TEST_F(NodeCATest, IssueUsesTheClustersCertExpiry) {
  update_cluster([](api::Swarm& c) { c.Spec.CAConfig.NodeCertExpiry = hours(2); });
  auto issued = ca_->issue({csr(), cluster()->JoinTokens.Worker, {}, "10.0.0.7"});
  ASSERT_TRUE(issued.is_ok());
  auto id = identity_of(issued->cert_chain_pem);
  ASSERT_TRUE(id.is_ok());
  EXPECT_EQ(id->not_after, testing::kStart + hours(2));
  EXPECT_EQ(store_->view().get<api::Node>(issued->node_id)->Spec.Availability,
            api::NodeAvailability::kActive);
}

struct RefuseCase {
  const char* name;
  std::string token;  // "worker"/"manager" replaced by the cluster's
  bool good_csr;
  Code code;
  const char* message;
};

TEST_F(NodeCATest, IssueRefuses) {
  std::string other = make_join_token("another CA", std::string(kJoinTokenSecretBytes, 'x'));
  const RefuseCase cases[] = {
      {"no token", "", true, Code::kInvalidArgument,
       "A valid join token is necessary to join this cluster"},
      {"token of another cluster", other, true, Code::kInvalidArgument,
       "A valid join token is necessary to join this cluster"},
      {"manager token, embedded store", "manager", true, Code::kFailedPrecondition,
       "this node cannot join as a manager: the swarm keeps its state in an embedded store that "
       "no other manager can share (start its managers with --etcd-endpoints)"},
      {"bad CSR", "worker", false, Code::kInvalidArgument, nullptr},
  };
  for (const RefuseCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::string token = c.token == "worker"    ? cluster()->JoinTokens.Worker
                        : c.token == "manager" ? cluster()->JoinTokens.Manager
                                               : c.token;
    auto issued = ca_->issue({c.good_csr ? csr() : "junk", token, {}, "10.0.0.7"});
    EXPECT_EQ(issued.status().code(), c.code);
    if (c.message) {
      EXPECT_EQ(issued.status().message(), c.message);
    }
    EXPECT_TRUE(store_->view().find<api::Node>().empty()) << "nothing written";
  }
}

TEST_F(NodeCATest, AManagerTokenMakesAManagerOnlyWhenTheJoinerSharesTheSwarmsEtcd) {
  constexpr uint64_t kEtcd = 0x5eed;
  const store::DataKey key = store::DataKey::generate().value();
  NodeCA replicated(*store_, *clock_, ids_,
                    NodeCAOptions{.etcd_cluster_id = kEtcd, .data_key = key});
  const std::string token = cluster()->JoinTokens.Manager;
  auto elsewhere = replicated.issue({csr(), token, {}, "10.0.0.7", 0x0bad, ""});
  EXPECT_EQ(elsewhere.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(elsewhere.status().message(),
            "this node cannot join as a manager: its store is not the swarm's etcd (start it "
            "with --etcd-endpoints naming the swarm's etcd cluster)");
  EXPECT_TRUE(store_->view().find<api::Node>().empty()) << "nothing written";

  auto issued = replicated.issue({csr(), token, {}, "10.0.0.7:4711", kEtcd, "0.0.0.0:2378"});
  ASSERT_TRUE(issued.is_ok()) << issued.status().to_string();
  EXPECT_EQ(identity_of(issued->cert_chain_pem)->role, api::NodeRole::kManager);
  auto node = store_->view().get<api::Node>(issued->node_id);
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->Spec.Role, api::NodeRole::kManager);
  ASSERT_TRUE(node->ManagerStatus.has_value());
  EXPECT_FALSE(node->ManagerStatus->Leader);
  EXPECT_EQ(node->ManagerStatus->Addr, "10.0.0.7:2378");  // the connection's IP, its port
  auto bytes = key.bytes();
  EXPECT_EQ(issued->data_key,
            std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));

  // A worker token still makes a worker, whatever store the joiner has.
  auto worker = replicated.issue({csr(), cluster()->JoinTokens.Worker, {}, "10.0.0.8", kEtcd, ""});
  ASSERT_TRUE(worker.is_ok());
  EXPECT_EQ(identity_of(worker->cert_chain_pem)->role, api::NodeRole::kWorker);
  EXPECT_EQ(worker->data_key, "") << "a worker never gets the data key";
}

TEST_F(NodeCATest, RotatedTokenStopsWorking) {
  std::string old_token = cluster()->JoinTokens.Worker;
  update_cluster([&](api::Swarm& c) { c.JoinTokens.Worker = *new_join_token(c, random_); });
  auto issued = ca_->issue({csr(), old_token, {}, "10.0.0.7"});
  EXPECT_EQ(issued.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(ca_->issue({csr(), cluster()->JoinTokens.Worker, {}, "10.0.0.7"}).is_ok());
}

TEST_F(NodeCATest, RenewKeepsIdentityAndRole) {
  auto issued = ca_->issue({csr(), cluster()->JoinTokens.Worker, {}, "10.0.0.7"});
  ASSERT_TRUE(issued.is_ok());
  clock_->advance(hours(24 * 50));
  auto renewed = ca_->renew(issued->node_id, csr());
  ASSERT_TRUE(renewed.is_ok()) << renewed.status().to_string();
  auto id = identity_of(*renewed);
  ASSERT_TRUE(id.is_ok());
  EXPECT_EQ(id->node_id, issued->node_id);
  EXPECT_EQ(id->role, api::NodeRole::kWorker);
  EXPECT_EQ(id->not_after, testing::kStart + hours(24 * 140));

  // A node promoted in the store gets a manager certificate on its next renewal.
  Status status = store_->update([&](store::WriteTxn& tx) {
    api::Node node = *tx.get<api::Node>(issued->node_id);
    node.Spec.Role = api::NodeRole::kManager;
    return tx.update(std::move(node));
  });
  ASSERT_TRUE(status.is_ok());
  auto promoted = ca_->renew(issued->node_id, csr());
  ASSERT_TRUE(promoted.is_ok());
  EXPECT_EQ(identity_of(*promoted)->role, api::NodeRole::kManager);
}

TEST_F(NodeCATest, RenewRefusesUnknownOrRemovedNodes) {
  auto unknown = ca_->renew("nosuchnode", csr());
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  EXPECT_EQ(unknown.status().message(),
            "node nosuchnode not found when attempting to renew certificate");

  auto issued = ca_->issue({csr(), cluster()->JoinTokens.Worker, {}, "10.0.0.7"});
  ASSERT_TRUE(issued.is_ok());
  Status removed =
      store_->update([&](store::WriteTxn& tx) { return tx.remove<api::Node>(issued->node_id); });
  ASSERT_TRUE(removed.is_ok());
  EXPECT_EQ(ca_->renew(issued->node_id, csr()).status().code(), Code::kNotFound);
}

TEST_F(NodeCATest, NoClusterOrNoCA) {
  update_cluster([](api::Swarm& c) {
    c.Spec.CAConfig.SigningCACert.clear();
    c.Spec.CAConfig.SigningCAKey.clear();
  });
  EXPECT_EQ(ca_->root_ca_pem().status().code(), Code::kFailedPrecondition);
  Status status =
      store_->update([&](store::WriteTxn& tx) { return tx.remove<api::Swarm>(cluster()->ID); });
  ASSERT_TRUE(status.is_ok());
  EXPECT_EQ(ca_->root_ca_pem().status().code(), Code::kUnavailable);
  EXPECT_EQ(ca_->issue({csr(), "x", {}, ""}).status().code(), Code::kUnavailable);
}

TEST_F(NodeCATest, RotationEndsWhenEveryReadyNodeRenewed) {
  auto a = ca_->issue({csr(), cluster()->JoinTokens.Worker, {}, "10.0.0.7"});
  auto b = ca_->issue({csr(), cluster()->JoinTokens.Worker, {}, "10.0.0.8"});
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  Status ready = store_->update([&](store::WriteTxn& tx) {
    for (const std::string& id : {a->node_id, b->node_id}) {
      api::Node node = *tx.get<api::Node>(id);
      node.Status.State = api::NodeState::kReady;
      SHOAL_RETURN_IF_ERROR(tx.update(std::move(node)));
    }
    return Status::ok();
  });
  ASSERT_TRUE(ready.is_ok());

  auto new_root = make_root_ca(clock_->now());
  ASSERT_TRUE(new_root.is_ok());
  update_cluster(
      [&](api::Swarm& c) { ASSERT_TRUE(install_root(c, *new_root, true, random_).is_ok()); });
  EXPECT_TRUE(cluster()->RootRotationInProgress);
  EXPECT_EQ(*ca_->root_ca_pem(), new_root->cert_pem + root_.cert_pem);

  auto renewed_a = ca_->renew(a->node_id, csr());
  ASSERT_TRUE(renewed_a.is_ok());
  EXPECT_TRUE(verify_chain(*renewed_a, new_root->cert_pem, clock_->now()).is_ok());
  // It carries the cross-signed root: a node holding only the old root accepts it.
  EXPECT_EQ(split_pem(*renewed_a).size(), 2u);
  EXPECT_TRUE(verify_chain(*renewed_a, root_.cert_pem, clock_->now()).is_ok());
  // A new worker joins with the new token; the old one is refused.
  EXPECT_TRUE(check_token_digest(cluster()->JoinTokens.Worker, *ca_->root_ca_pem()).is_ok());
  EXPECT_TRUE(cluster()->RootRotationInProgress) << "b still holds the old root";

  // b goes down: it no longer holds the rotation up.
  Status down = store_->update([&](store::WriteTxn& tx) {
    api::Node node = *tx.get<api::Node>(b->node_id);
    node.Status.State = api::NodeState::kDown;
    return tx.update(std::move(node));
  });
  ASSERT_TRUE(down.is_ok());
  ASSERT_TRUE(ca_->finish_rotation_if_done().is_ok());
  EXPECT_FALSE(cluster()->RootRotationInProgress);
  EXPECT_EQ(*ca_->root_ca_pem(), new_root->cert_pem);
  // After the rotation, certificates are the leaf alone.
  auto after = ca_->renew(a->node_id, csr());
  ASSERT_TRUE(after.is_ok());
  EXPECT_EQ(split_pem(*after).size(), 1u);
}

TEST_F(NodeCATest, ConcurrentJoinsGetDistinctNodesAndValidCertificates) {
  constexpr int kJoins = 8;
  std::string token = cluster()->JoinTokens.Worker;
  std::vector<std::string> csrs;
  for (int i = 0; i < kJoins; ++i) csrs.push_back(csr());
  std::vector<Result<IssuedCert>> results(kJoins, Status(Code::kInternal, "not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kJoins; ++i) {
    threads.emplace_back([&, i] { results[i] = ca_->issue({csrs[i], token, {}, "10.0.0.1"}); });
  }
  for (std::thread& t : threads) t.join();
  std::set<std::string> ids;
  for (const auto& r : results) {
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ids.insert(r->node_id);
    EXPECT_EQ(identity_of(r->cert_chain_pem)->node_id, r->node_id);
    EXPECT_TRUE(verify_chain(r->cert_chain_pem, root_.cert_pem, clock_->now()).is_ok());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kJoins));
  EXPECT_EQ(store_->view().find<api::Node>().size(), static_cast<size_t>(kJoins));
}

}  // namespace
}  // namespace shoal::ca
