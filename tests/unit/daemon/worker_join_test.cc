// Joining a worker to a manager, both real SwarmNodes with hollow executors, over an
// in-process ClusterTransport that calls the manager's NodeCA and Dispatcher directly
// (the gRPC transport is exercised by tests/integration/cluster_*).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <thread>

#include "ca/cert_dir.h"
#include "ca/certs.h"
#include "ca/root_ca.h"
#include "daemon/cluster_transport.h"
#include "daemon/executor_factory.h"
#include "daemon/membership_file.h"
#include "daemon/swarm_node.h"
#include "manager/controlapi/context.h"
#include "manager/controlapi/swarm.h"
#include "protocol/local_client.h"
#include "store/datastore/memory.h"
#include "store/store.h"
#include "support/eventually.h"

namespace shoal::daemon {
namespace {

// ca::CAClient over a NodeCA, as the node `node_id`.
class LocalCAClient final : public ca::CAClient {
 public:
  LocalCAClient(ca::NodeCA& node_ca, std::string node_id)
      : node_ca_(node_ca), node_id_(std::move(node_id)) {}
  Result<std::string> root_ca() override { return node_ca_.root_ca_pem(); }
  Result<std::string> renew(std::string_view csr_pem) override {
    return node_ca_.renew(node_id_, csr_pem);
  }

 private:
  ca::NodeCA& node_ca_;
  std::string node_id_;
};

class LocalLink final : public ManagerLink {
 public:
  LocalLink(manager::dispatcher::Dispatcher& dispatcher, ca::NodeCA& node_ca,
            const std::string& node_id)
      : client_(dispatcher, manager::dispatcher::Peer{node_id, "127.0.0.1"}),
        ca_(node_ca, node_id) {}
  protocol::DispatcherClient& dispatcher() override { return client_; }
  ca::CAClient& ca() override { return ca_; }
  void set_certs(const ca::NodeCerts&) override {}

 private:
  protocol::LocalDispatcherClient client_;
  LocalCAClient ca_;
};

class NullEndpoint final : public ManagerEndpoint {
 public:
  Status set_certs(const ca::NodeCerts&) override { return Status::ok(); }
};

// What a manager serves (set by its serve()) is what workers reach.
class InProcessTransport final : public ClusterTransport {
 public:
  Result<JoinedNode> join(const JoinParams& params) override {
    if (node_ca_ == nullptr) return Status(Code::kUnavailable, "manager unreachable");
    SHOAL_ASSIGN_OR_RETURN(std::string root, node_ca_->root_ca_pem());
    SHOAL_RETURN_IF_ERROR(ca::check_token_digest(params.join_token, root));
    SHOAL_ASSIGN_OR_RETURN(ca::KeyAndCsr fresh, ca::make_key_and_csr());
    SHOAL_ASSIGN_OR_RETURN(ca::IssuedCert issued,
                           node_ca_->issue({.csr_pem = fresh.csr_pem,
                                            .join_token = params.join_token,
                                            .availability = params.availability,
                                            .peer_addr = "127.0.0.1"}));
    return JoinedNode{
        issued.node_id, issued.data_key, {root, issued.cert_chain_pem, fresh.key_pem}};
  }
  std::unique_ptr<ManagerLink> connect(const std::string&, const ca::NodeCerts& certs) override {
    auto identity = ca::identity_of(certs.cert_pem);
    return std::make_unique<LocalLink>(*dispatcher_, *node_ca_,
                                       identity.is_ok() ? identity->node_id : "");
  }
  Result<std::unique_ptr<ManagerEndpoint>> serve(const std::string& listen_addr,
                                                 const ca::NodeCerts& certs,
                                                 manager::dispatcher::Dispatcher& dispatcher,
                                                 ca::NodeCA& node_ca,
                                                 protocol::ForwardHandler) override {
    listen_addr_ = listen_addr;
    auto identity = ca::identity_of(certs.cert_pem);
    if (!identity.is_ok()) return identity.status();
    manager_role_ = identity->role;
    dispatcher_ = &dispatcher;
    node_ca_ = &node_ca;
    return std::unique_ptr<ManagerEndpoint>(std::make_unique<NullEndpoint>());
  }

  Result<protocol::ForwardedResponse> forward(const std::string&, const ca::NodeCerts&,
                                              const protocol::ForwardedRequest&,
                                              std::chrono::milliseconds) override {
    return Status(Code::kUnimplemented, "no forwarding between in-process managers");
  }

  std::string listen_addr_;
  api::NodeRole manager_role_ = api::NodeRole::kWorker;
  manager::dispatcher::Dispatcher* dispatcher_ = nullptr;
  ca::NodeCA* node_ca_ = nullptr;
};

// One daemon's node: a store, a hollow executor, a SwarmNode and its control context.
struct TestNode {
  TestNode(const std::string& dir, ClusterTransport& transport, const Clock& clock,
           std::shared_ptr<const Clock> shared_clock)
      : data_dir(dir) {
    std::filesystem::create_directories(dir);
    store = std::move(
        store::Store::open(std::make_unique<store::MemoryDatastore>(), std::move(shared_clock))
            .value());
    ExecutorSettings settings;
    settings.name = "hollow";
    settings.data_dir = dir;
    executor = std::move(make_daemon_executor(settings).value().executor);
    start(transport, clock);
  }
  void start(ClusterTransport& transport, const Clock& clock) {
    node = std::make_unique<SwarmNode>(data_dir, "engine-" + data_dir, *store, clock, ids,
                                       *executor, executor->describe().value(),
                                       SwarmNodeOptions{.listen_addr = "127.0.0.1:4242",
                                                        .advertise_addr = "127.0.0.1",
                                                        .transport = &transport});
    ctx = std::make_unique<manager::controlapi::Context>(*store, clock, ids, *node);
  }
  void stop() {
    ctx.reset();
    if (node) node->stop();
    node.reset();
  }
  ~TestNode() { stop(); }

  std::string data_dir;
  IdGenerator ids;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<agent::Executor> executor;
  std::unique_ptr<SwarmNode> node;
  std::unique_ptr<manager::controlapi::Context> ctx;
};

class WorkerJoinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shoal-join-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    manager_ = std::make_unique<TestNode>(dir_ + "/manager", transport_, *clock_, clock_);
    api::InitRequest init;
    init.ListenAddr = "0.0.0.0:2377";
    auto id = manager::controlapi::init_swarm(*manager_->ctx, init);
    ASSERT_TRUE(id.is_ok()) << id.status().to_string();
    manager_id_ = *id;
    ensure_root_ca();
    worker_ = std::make_unique<TestNode>(dir_ + "/worker", transport_, *clock_, clock_);
  }
  void TearDown() override {
    worker_.reset();
    manager_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Until swarm init makes the root CA itself (the ca module), the test installs one and
  // restarts the manager's role so that it serves.
  void ensure_root_ca() {
    auto cluster = manager_->store->view().find<api::Swarm>().front();
    if (ca::cluster_ca(*cluster).is_ok() && transport_.node_ca_ != nullptr) return;
    Status st = manager_->store->update([&](store::WriteTxn& tx) {
      api::Swarm next = *tx.find<api::Swarm>().front();
      SHOAL_ASSIGN_OR_RETURN(ca::KeyPair root, ca::make_root_ca(clock_->now()));
      SHOAL_RETURN_IF_ERROR(ca::install_root(next, root, false, manager_->ctx->random));
      return tx.update(std::move(next));
    });
    ASSERT_TRUE(st.is_ok()) << st.to_string();
    manager_->stop();
    manager_->start(transport_, *clock_);
    Status restored = manager_->node->restore();
    ASSERT_TRUE(restored.is_ok()) << restored.to_string();
    ASSERT_NE(transport_.node_ca_, nullptr);
  }

  std::string worker_token() {
    return manager_->store->view().find<api::Swarm>().front()->JoinTokens.Worker;
  }
  api::JoinRequest join_request(std::string token) {
    api::JoinRequest request;
    request.ListenAddr = "0.0.0.0:2377";
    request.RemoteAddrs = {"127.0.0.1:4242"};
    request.JoinToken = std::move(token);
    return request;
  }
  // Waits for `pred` on the manager's store.
  bool eventually(const std::function<bool()>& pred) { return ::shoal::testing::eventually(pred); }
  std::shared_ptr<const api::Node> manager_node(const std::string& id) {
    return manager_->store->view().get<api::Node>(id);
  }

  std::shared_ptr<SystemClock> clock_ = std::make_shared<SystemClock>();
  std::string dir_;
  InProcessTransport transport_;
  std::unique_ptr<TestNode> manager_;
  std::unique_ptr<TestNode> worker_;
  std::string manager_id_;
};

TEST_F(WorkerJoinTest, ManagerServesOnItsListenAddressWithAManagerCertificate) {
  EXPECT_EQ(transport_.listen_addr_, "127.0.0.1:4242");  // --listen-addr replaced the default
  EXPECT_EQ(transport_.manager_role_, api::NodeRole::kManager);
  EXPECT_TRUE(ca::CertDir(dir_ + "/manager").exists());
  EXPECT_EQ(manager_->node->advertise_addr(), "127.0.0.1:4242");
}

TEST_F(WorkerJoinTest, JoinsAsAWorkerThatRestartsAndLeaves) {
  Status joined = manager::controlapi::join_swarm(*worker_->ctx, join_request(worker_token()));
  ASSERT_TRUE(joined.is_ok()) << joined.to_string();
  SwarmNode& worker = *worker_->node;
  EXPECT_EQ(worker.state(), api::LocalNodeState::kActive);
  EXPECT_FALSE(worker.is_manager());
  std::string id = worker.node_id();
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(worker.remote_managers().size(), 1u);
  EXPECT_EQ(worker.remote_managers()[0].Addr, "127.0.0.1:4242");
  EXPECT_TRUE(eventually([&] {
    auto node = manager_node(id);
    return node && node->Status.State == api::NodeState::kReady;
  }));
  EXPECT_EQ(manager_node(id)->Spec.Role, api::NodeRole::kWorker);
  // A worker refuses cluster calls with Docker's 503.
  Status denied = manager::controlapi::require_manager(*worker_->ctx);
  EXPECT_EQ(denied.code(), Code::kUnavailable);
  EXPECT_NE(denied.message().find("Worker nodes can't be used"), std::string::npos);
  // Already a member.
  EXPECT_EQ(manager::controlapi::join_swarm(*worker_->ctx, join_request(worker_token())).code(),
            Code::kUnavailable);

  auto saved = load_membership(dir_ + "/worker");
  ASSERT_TRUE(saved.is_ok() && saved->has_value());
  EXPECT_EQ((*saved)->membership.role, api::NodeRole::kWorker);
  EXPECT_EQ((*saved)->manager_addrs, std::vector<std::string>{"127.0.0.1:4242"});

  // Restart: the worker role comes back from swarm.json and the certificates.
  worker_->stop();
  worker_->start(transport_, *clock_);
  ASSERT_TRUE(worker_->node->restore().is_ok());
  EXPECT_EQ(worker_->node->state(), api::LocalNodeState::kActive);
  EXPECT_EQ(worker_->node->node_id(), id);

  // A worker leaves without --force.
  Status left = manager::controlapi::leave_swarm(*worker_->ctx, false);
  ASSERT_TRUE(left.is_ok()) << left.to_string();
  EXPECT_EQ(worker_->node->state(), api::LocalNodeState::kInactive);
  EXPECT_FALSE(ca::CertDir(dir_ + "/worker").exists());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/worker/swarm.json"));
}

TEST_F(WorkerJoinTest, WrongTokensAreRefusedAndNothingIsSaved) {
  std::string token = worker_token();
  // Same CA digest, another secret.
  std::string forged = token.substr(0, token.size() - 5) + "zzzzz";
  Status refused = manager::controlapi::join_swarm(*worker_->ctx, join_request(forged));
  EXPECT_EQ(refused.code(), Code::kInvalidArgument) << refused.to_string();
  EXPECT_EQ(manager::controlapi::join_swarm(*worker_->ctx, join_request("SWMTKN-1-x")).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(worker_->node->state(), api::LocalNodeState::kInactive);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/worker/swarm.json"));
  EXPECT_FALSE(ca::CertDir(dir_ + "/worker").exists());
  EXPECT_EQ(manager_->store->view().find<api::Node>().size(), 1u);
}

TEST_F(WorkerJoinTest, ARemovedNodeStopsItsWork) {
  ASSERT_TRUE(manager::controlapi::join_swarm(*worker_->ctx, join_request(worker_token())).is_ok());
  std::string id = worker_->node->node_id();
  ASSERT_TRUE(eventually([&] {
    auto node = manager_node(id);
    return node && node->Status.State == api::NodeState::kReady;
  }));
  Status removed =
      manager_->store->update([&](store::WriteTxn& tx) { return tx.remove<api::Node>(id); });
  ASSERT_TRUE(removed.is_ok());
  EXPECT_TRUE(eventually([&] { return worker_->node->state() == api::LocalNodeState::kError; }));
  EXPECT_EQ(worker_->node->error(), kNodeRemovedText);
  // Leaving still works (and needs no manager).
  EXPECT_TRUE(manager::controlapi::leave_swarm(*worker_->ctx, false).is_ok());
}

}  // namespace
}  // namespace shoal::daemon
