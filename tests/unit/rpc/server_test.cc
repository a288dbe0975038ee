// The RpcServer and its clients over real gRPC + mutual TLS on 127.0.0.1.
#include "rpc/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "ca/certs.h"
#include "fixture.h"
#include "rpc/ca_client.h"
#include "rpc/dispatcher_client.h"
#include "support/next_assignment.h"

namespace shoal::rpc {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::kClusterID;

api::NodeDescription description() {
  api::NodeDescription d;
  d.Hostname = "worker-host";
  d.Platform = {"x86_64", "linux"};
  d.Resources.NanoCPUs = 2'000'000'000;
  return d;
}

std::optional<protocol::AssignmentsMessage> next(protocol::AssignmentStream& stream) {
  return ::shoal::testing::next_assignment(stream);
}

class RpcServerTest : public testing::RpcFixture {
 protected:
  JoinRequest req(const std::string& token) {
    JoinRequest r;
    r.remote_addr = addr_;
    r.join_token = token;
    return r;
  }

  JoinResult join() {
    JoinRequest request = req(worker_token_);
    auto joined = join_cluster(request);
    EXPECT_TRUE(joined.is_ok()) << joined.status().to_string();
    return joined.is_ok() ? *joined : JoinResult{};
  }

  api::Task task_for(const std::string& id, const std::string& node) {
    auto spec = std::make_shared<api::TaskSpec>();
    spec->ContainerSpec.emplace();
    spec->ContainerSpec->Image = "busybox:latest";
    api::Task t;
    t.ID = id;
    t.ServiceID = "svc";
    t.NodeID = node;
    t.Spec = spec;
    t.DesiredState = api::TaskState::kRunning;
    t.Status.State = api::TaskState::kAssigned;
    return t;
  }
};

TEST_F(RpcServerTest, JoinSessionHeartbeatAssignmentsAndStatusReports) {
  JoinResult joined = join();
  ASSERT_FALSE(joined.node_id.empty());
  auto identity = ca::identity_of(joined.identity.cert_pem);
  ASSERT_TRUE(identity.is_ok());
  EXPECT_EQ(identity->node_id, joined.node_id);
  EXPECT_EQ(identity->role, api::NodeRole::kWorker);
  EXPECT_EQ(identity->cluster_id, kClusterID);

  GrpcDispatcherClient client(addr_, joined.identity);
  auto session = client.session({joined.node_id, description(), ""});
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  EXPECT_EQ(session->NodeID, joined.node_id);
  EXPECT_GT(session->HeartbeatPeriod.count(), 0);
  auto node = store_->view().get<api::Node>(joined.node_id);
  ASSERT_TRUE(node);
  EXPECT_EQ(node->Status.State, api::NodeState::kReady);
  EXPECT_EQ(node->Description.Hostname, "worker-host");
  EXPECT_EQ(node->Status.Addr, "127.0.0.1");

  auto beat = client.heartbeat({session->SessionID});
  ASSERT_TRUE(beat.is_ok()) << beat.status().to_string();
  EXPECT_GT(beat->Period.count(), 0);

  write([&](store::WriteTxn& tx) { return tx.create(task_for("t1", joined.node_id)); });
  auto stream = client.assignments({session->SessionID});
  ASSERT_TRUE(stream.is_ok()) << stream.status().to_string();
  auto complete = next(**stream);
  ASSERT_TRUE(complete);
  EXPECT_EQ(complete->Type, protocol::AssignmentsType::kComplete);
  ASSERT_EQ(complete->Changes.size(), 1u);
  auto t1 = std::get<std::shared_ptr<const api::Task>>(complete->Changes[0].Item);
  EXPECT_EQ(t1->ID, "t1");
  ASSERT_TRUE(t1->Spec && t1->Spec->ContainerSpec);
  EXPECT_EQ(t1->Spec->ContainerSpec->Image, "busybox:latest");

  write([&](store::WriteTxn& tx) { return tx.create(task_for("t2", joined.node_id)); });
  auto incremental = next(**stream);
  ASSERT_TRUE(incremental);
  EXPECT_EQ(incremental->Type, protocol::AssignmentsType::kIncremental);
  EXPECT_EQ(incremental->AppliesTo, complete->ResultsIn);
  ASSERT_EQ(incremental->Changes.size(), 1u);
  EXPECT_EQ(protocol::assignment_id(incremental->Changes[0].Item), "t2");

  api::TaskStatus running;
  running.State = api::TaskState::kRunning;
  running.Message = "started";
  running.Timestamp = clock_->now();
  Status reported = client.update_task_status({session->SessionID, {{"t1", running}}});
  ASSERT_TRUE(reported.is_ok()) << reported.to_string();
  EXPECT_EQ(store_->view().get<api::Task>("t1")->Status.State, api::TaskState::kRunning);

  std::promise<Status> done;
  client.update_task_status_async({session->SessionID, {{"t2", running}}},
                                  [&](Status s) { done.set_value(s); });
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(future.get().is_ok());
  EXPECT_EQ(store_->view().get<api::Task>("t2")->Status.State, api::TaskState::kRunning);

  // Removing the task reaches the stream as a removal.
  write([&](store::WriteTxn& tx) { return tx.remove<api::Task>("t2"); });
  auto removal = next(**stream);
  ASSERT_TRUE(removal);
  ASSERT_EQ(removal->Changes.size(), 1u);
  EXPECT_EQ(removal->Changes[0].Action, protocol::AssignmentAction::kRemove);
  EXPECT_EQ(protocol::assignment_id(removal->Changes[0].Item), "t2");
}

TEST_F(RpcServerTest, ErrorsCrossTheWireWithTheirCodeAndText) {
  JoinResult joined = join();
  GrpcDispatcherClient client(addr_, joined.identity);
  auto unregistered = client.heartbeat({"no-such-session"});
  ASSERT_FALSE(unregistered.is_ok());
  EXPECT_EQ(unregistered.status().code(), Code::kNotFound);
  EXPECT_EQ(unregistered.status().message(), "node not registered");
  auto session = client.session({joined.node_id, description(), ""});
  ASSERT_TRUE(session.is_ok());
  auto beat = client.heartbeat({"no-such-session"});
  ASSERT_FALSE(beat.is_ok());
  EXPECT_EQ(beat.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(beat.status().message(), protocol::kSessionInvalid);
  auto stream = client.assignments({"no-such-session"});
  ASSERT_FALSE(stream.is_ok());
  EXPECT_EQ(stream.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(stream.status().message(), protocol::kSessionInvalid);
  api::TaskStatus running;
  running.State = api::TaskState::kRunning;
  write([&](store::WriteTxn& tx) { return tx.create(task_for("other", testing::kManagerID)); });
  Status denied = client.update_task_status({session->SessionID, {{"other", running}}});
  EXPECT_EQ(denied.code(), Code::kPermissionDenied) << denied.to_string();
}

TEST_F(RpcServerTest, ACertificateFromAnotherCAIsRefused) {
  auto other_root = ca::make_root_ca(clock_->now());
  ASSERT_TRUE(other_root.is_ok());
  TlsIdentity foreign = testing::sign_identity(*other_root, "intruder", api::NodeRole::kWorker,
                                               kClusterID, clock_->now());
  foreign.ca_pem = root_.cert_pem;  // it trusts our server; we must not trust it
  GrpcDispatcherClient client(addr_, foreign, ClientOptions{.call_timeout = 3000ms});
  auto session = client.session({"intruder", description(), ""});
  EXPECT_FALSE(session.is_ok());
  EXPECT_EQ(dispatcher_->session_count(), 0u);
}

TEST_F(RpcServerTest, ACertificateOfAnotherClusterIsRefused) {
  TlsIdentity foreign = testing::sign_identity(root_, testing::kManagerID, api::NodeRole::kWorker,
                                               "other-cluster", clock_->now());
  GrpcDispatcherClient client(addr_, foreign);
  auto session = client.session({testing::kManagerID, description(), ""});
  ASSERT_FALSE(session.is_ok());
  EXPECT_EQ(session.status().code(), Code::kUnauthenticated) << session.status().to_string();
  EXPECT_EQ(dispatcher_->session_count(), 0u);
}

TEST_F(RpcServerTest, WithoutACertificateOnlyTheRootAndIssueCallsWork) {
  TlsIdentity anonymous{root_.cert_pem, "", ""};
  GrpcDispatcherClient dispatcher(addr_, anonymous);
  auto session = dispatcher.session({testing::kManagerID, description(), ""});
  ASSERT_FALSE(session.is_ok());
  EXPECT_EQ(session.status().code(), Code::kUnauthenticated);
  auto beat = dispatcher.heartbeat({"x"});
  EXPECT_EQ(beat.status().code(), Code::kUnauthenticated);

  GrpcCAClient ca_client(addr_, anonymous);
  auto root = ca_client.root_ca();
  ASSERT_TRUE(root.is_ok()) << root.status().to_string();
  EXPECT_EQ(ca::ca_digest(*root), ca::ca_digest(root_.cert_pem));
  auto key = ca::make_key_and_csr();
  ASSERT_TRUE(key.is_ok());
  auto renewed = ca_client.renew(key->csr_pem);
  ASSERT_FALSE(renewed.is_ok());
  EXPECT_EQ(renewed.status().code(), Code::kUnauthenticated);
}

TEST_F(RpcServerTest, JoinRefusesATokenForAnotherCA) {
  auto other_root = ca::make_root_ca(clock_->now());
  ASSERT_TRUE(other_root.is_ok());
  std::string token = ca::make_join_token(other_root->cert_pem, std::string(16, 'x'));
  auto joined = join_cluster(req(token));
  ASSERT_FALSE(joined.is_ok());
  EXPECT_EQ(joined.status().code(), Code::kPermissionDenied);
  EXPECT_NE(joined.status().message().find("remote CA does not match fingerprint"),
            std::string::npos)
      << joined.status().message();
  EXPECT_EQ(store_->view().find<api::Node>().size(), 1u);  // only the manager
}

TEST_F(RpcServerTest, JoinRefusesAWrongSecretAndAMalformedToken) {
  std::string token = ca::make_join_token(root_.cert_pem, std::string(16, 'y'));
  auto joined = join_cluster(req(token));
  ASSERT_FALSE(joined.is_ok());
  EXPECT_EQ(joined.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(joined.status().message(), "A valid join token is necessary to join this cluster");
  auto malformed = join_cluster(req("SWMTKN-1-nope"));
  ASSERT_FALSE(malformed.is_ok());
  EXPECT_EQ(malformed.status().message(), "invalid join token");
}

TEST_F(RpcServerTest, JoinToNothingSaysItCannotConnect) {
  std::string port = std::to_string(server_->port());
  server_->stop();
  auto joined = [&] {
    JoinRequest r = req(worker_token_);
    r.timeout = 1000ms;
    return join_cluster(r);
  }();
  ASSERT_FALSE(joined.is_ok());
  EXPECT_EQ(joined.status().code(), Code::kUnavailable);
  EXPECT_NE(joined.status().message().find("could not connect to 127.0.0.1:" + port),
            std::string::npos)
      << joined.status().message();
}

TEST_F(RpcServerTest, ANodeRenewsItsCertificate) {
  JoinResult joined = join();
  GrpcCAClient ca_client(addr_, joined.identity);
  auto key = ca::make_key_and_csr();
  ASSERT_TRUE(key.is_ok());
  auto renewed = ca_client.renew(key->csr_pem);
  ASSERT_TRUE(renewed.is_ok()) << renewed.status().to_string();
  auto identity = ca::identity_of(*renewed);
  ASSERT_TRUE(identity.is_ok());
  EXPECT_EQ(identity->node_id, joined.node_id);
  EXPECT_TRUE(ca::check_key_matches(*renewed, key->key_pem).is_ok());
}

TEST_F(RpcServerTest, TheClientReconnectsAfterAManagerRestart) {
  JoinResult joined = join();
  GrpcDispatcherClient client(addr_, joined.identity,
                              ClientOptions{.call_timeout = 2000ms, .max_backoff = 200ms});
  auto session = client.session({joined.node_id, description(), ""});
  ASSERT_TRUE(session.is_ok());
  // A restart on the same port (set_identity restarts the listener).
  ASSERT_TRUE(server_->set_identity(manager_identity_).is_ok());
  // The old session's stream ended: the agent learns it without a round trip...
  ASSERT_TRUE(eventually([&] {
    auto beat = client.heartbeat({session->SessionID});
    return !beat.is_ok() && beat.status().message() == protocol::kSessionInvalid;
  }));
  // ...and a new session works on the same client.
  ASSERT_TRUE(eventually([&] {
    return client.session({joined.node_id, description(), ""}).is_ok();
  }));
}

}  // namespace
}  // namespace shoal::rpc
