// ManagerLinks: a node whose manager cannot be reached opens its next session with another
// manager it knows, learns managers from session answers, and is not sent elsewhere by an
// answer that is the swarm's (a removed node).
#include "daemon/manager_links.h"

#include <gtest/gtest.h>

#include <map>

namespace shoal::daemon {
namespace {

// A manager as a link sees it: reachable or not, and what its sessions answer.
struct FakeManager {
  bool reachable = true;
  Status refusal;  // when not OK and reachable: what session() answers
  std::vector<std::string> managers;
  int sessions = 0;
};

class FakeDispatcher final : public protocol::DispatcherClient {
 public:
  explicit FakeDispatcher(FakeManager& m) : m_(m) {}
  Result<protocol::SessionMessage> session(const protocol::SessionRequest&) override {
    if (!m_.reachable) return Status(Code::kUnavailable, "connection refused");
    if (!m_.refusal.is_ok()) return m_.refusal;
    ++m_.sessions;
    protocol::SessionMessage message;
    message.SessionID = "s";
    message.Managers = m_.managers;
    return message;
  }
  Result<protocol::HeartbeatResponse> heartbeat(const protocol::HeartbeatRequest&) override {
    return protocol::HeartbeatResponse{};
  }
  Status update_task_status(const protocol::UpdateTaskStatusRequest&) override {
    return Status::ok();
  }
  Result<std::unique_ptr<protocol::AssignmentStream>> assignments(
      const protocol::AssignmentsRequest&) override {
    return Status(Code::kUnimplemented, "not in this test");
  }

 private:
  FakeManager& m_;
};

class FakeLink final : public ManagerLink {
 public:
  explicit FakeLink(FakeManager& m) : dispatcher_(m) {}
  protocol::DispatcherClient& dispatcher() override { return dispatcher_; }
  ca::CAClient& ca() override { std::abort(); }
  void set_certs(const ca::NodeCerts&) override {}

 private:
  FakeDispatcher dispatcher_;
};

class FakeTransport final : public ClusterTransport {
 public:
  Result<JoinedNode> join(const JoinParams&) override {
    return Status(Code::kUnimplemented, "not in this test");
  }
  std::unique_ptr<ManagerLink> connect(const std::string& addr, const ca::NodeCerts&) override {
    return std::make_unique<FakeLink>(managers[addr]);
  }
  Result<std::unique_ptr<ManagerEndpoint>> serve(const std::string&, const ca::NodeCerts&,
                                                 manager::dispatcher::Dispatcher&, ca::NodeCA&,
                                                 protocol::ForwardHandler) override {
    return Status(Code::kUnimplemented, "not in this test");
  }
  Result<protocol::ForwardedResponse> forward(const std::string&, const ca::NodeCerts&,
                                              const protocol::ForwardedRequest&,
                                              std::chrono::milliseconds) override {
    return Status(Code::kUnimplemented, "not in this test");
  }

  std::map<std::string, FakeManager> managers;
};

TEST(ManagerLinksTest, AnUnreachableManagersNodeMovesToAnotherAndLearnsTheManagers) {
  FakeTransport transport;
  transport.managers["a:2377"].managers = {"a:2377", "b:2377", "c:2377"};
  transport.managers["b:2377"].reachable = false;  // a follower: nothing listens
  transport.managers["c:2377"].managers = {"a:2377", "b:2377", "c:2377"};
  ManagerLinks links(transport, {"a:2377"}, {});
  ASSERT_TRUE(links.session({}).is_ok());
  EXPECT_EQ(links.managers(), (std::vector<std::string>{"a:2377", "b:2377", "c:2377"}));

  transport.managers["a:2377"].reachable = false;  // the leader dies; c leads
  auto moved = links.session({});
  ASSERT_TRUE(moved.is_ok()) << moved.status().to_string();
  EXPECT_EQ(links.current(), "c:2377");
  EXPECT_EQ(transport.managers["c:2377"].sessions, 1);
  ASSERT_TRUE(links.heartbeat({}).is_ok());  // within the session: the same manager
}

TEST(ManagerLinksTest, WhenNoManagerAnswersTheLastErrorComesBackAndNothingMoves) {
  FakeTransport transport;
  transport.managers["a:2377"].reachable = false;
  transport.managers["b:2377"].reachable = false;
  ManagerLinks links(transport, {"a:2377", "b:2377"}, {});
  EXPECT_EQ(links.session({}).status().code(), Code::kUnavailable);
  EXPECT_EQ(links.current(), "a:2377");
}

TEST(ManagerLinksTest, TheSwarmsAnswerDoesNotSendTheNodeElsewhere) {
  FakeTransport transport;
  transport.managers["a:2377"].refusal = Status(Code::kNotFound, "node n1 not found");
  ManagerLinks links(transport, {"a:2377", "b:2377"}, {});
  EXPECT_EQ(links.session({}).status().code(), Code::kNotFound);
  EXPECT_EQ(links.current(), "a:2377");
  EXPECT_EQ(transport.managers["b:2377"].sessions, 0);
}

}  // namespace
}  // namespace shoal::daemon
