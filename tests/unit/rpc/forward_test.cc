// The Control service: a request another manager forwards reaches the handler and its answer
// comes back whole; only a manager certificate of this cluster may forward; a server started
// without a handler does not offer the service.
#include <gtest/gtest.h>

#include "fixture.h"
#include "rpc/forward_client.h"
#include "rpc/server.h"

namespace shoal::rpc {
namespace {

using namespace std::chrono_literals;
using testing::kClusterID;

class ForwardTest : public testing::RpcFixture {
 protected:
  void SetUp() override {
    RpcFixture::SetUp();
    forwarding_ = std::make_unique<RpcServer>(
        "127.0.0.1:0", manager_identity_, *dispatcher_, *node_ca_,
        [this](const protocol::ForwardedRequest& request) {
          seen_ = request;
          return protocol::ForwardedResponse{
              201, {{"Content-Type", "application/json"}}, "{\"ID\":\"made\"}\n"};
        });
    ASSERT_TRUE(forwarding_->start().is_ok());
    forwarding_addr_ = "127.0.0.1:" + std::to_string(forwarding_->port());
  }
  void TearDown() override {
    forwarding_->stop();
    RpcFixture::TearDown();
  }

  TlsIdentity identity(api::NodeRole role) {
    return testing::sign_identity(root_, "other-manager", role, kClusterID, clock_->now());
  }

  std::unique_ptr<RpcServer> forwarding_;
  std::string forwarding_addr_;
  protocol::ForwardedRequest seen_;
};

const protocol::ForwardedRequest kCreate{
    "POST", "/v1.41/services/create", {{"Content-Type", "application/json"}}, "{\"Name\":\"x\"}"};

TEST_F(ForwardTest, AManagersRequestReachesTheHandlerAndItsAnswerComesBack) {
  ForwardClient client(forwarding_addr_, identity(api::NodeRole::kManager));
  auto answer = client.forward(kCreate, 10s);
  ASSERT_TRUE(answer.is_ok()) << answer.status().to_string();
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->body, "{\"ID\":\"made\"}\n");
  EXPECT_EQ(answer->headers, (protocol::HeaderFields{{"Content-Type", "application/json"}}));
  EXPECT_EQ(seen_.method, "POST");
  EXPECT_EQ(seen_.target, "/v1.41/services/create");
  EXPECT_EQ(seen_.body, "{\"Name\":\"x\"}");
  EXPECT_EQ(seen_.headers, kCreate.headers);
}

TEST_F(ForwardTest, AWorkerMayNotForward) {
  ForwardClient client(forwarding_addr_, identity(api::NodeRole::kWorker));
  auto answer = client.forward(kCreate, 10s);
  EXPECT_EQ(answer.status().code(), Code::kPermissionDenied) << answer.status().to_string();
  EXPECT_TRUE(seen_.method.empty()) << "the handler never ran";
}

TEST_F(ForwardTest, AServerWithoutAHandlerDoesNotOfferForwarding) {
  ForwardClient client(addr_, identity(api::NodeRole::kManager));
  auto answer = client.forward(kCreate, 10s);
  EXPECT_EQ(answer.status().code(), Code::kUnimplemented) << answer.status().to_string();
}

TEST_F(ForwardTest, AnUnreachableLeaderIsNamed) {
  forwarding_->stop();
  ForwardClient client(forwarding_addr_, identity(api::NodeRole::kManager));
  auto answer = client.forward(kCreate, 2s);
  EXPECT_EQ(answer.status().code(), Code::kUnavailable);
  EXPECT_NE(answer.status().message().find("cannot reach the leader at " + forwarding_addr_),
            std::string::npos)
      << answer.status().message();
}

}  // namespace
}  // namespace shoal::rpc
