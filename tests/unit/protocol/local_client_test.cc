#include "protocol/local_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace shoal::protocol {
namespace {

using namespace std::chrono_literals;

// Records who called what; answers with fixed values or `fail`.
class RecordingDispatcher final : public Dispatcher {
 public:
  Result<SessionMessage> session(const Peer& peer, const SessionRequest& request) override {
    record(peer, "session " + request.SessionID);
    if (fail) return *fail;
    return SessionMessage{.SessionID = "s1", .NodeID = peer.NodeID, .HeartbeatPeriod = 5s};
  }
  Result<HeartbeatResponse> heartbeat(const Peer& peer, const HeartbeatRequest& request) override {
    record(peer, "heartbeat " + request.SessionID);
    if (fail) return *fail;
    return HeartbeatResponse{.Period = 4s};
  }
  Status update_task_status(const Peer& peer, const UpdateTaskStatusRequest& request) override {
    record(peer, "update " + std::to_string(request.Updates.size()));
    return fail ? *fail : Status::ok();
  }
  void update_task_status_async(const Peer& peer, UpdateTaskStatusRequest request,
                                std::function<void(Status)> done) override {
    record(peer, "update_async " + std::to_string(request.Updates.size()));
    done(fail ? *fail : Status::ok());
  }
  Result<std::unique_ptr<AssignmentStream>> assignments(
      const Peer& peer, const AssignmentsRequest& request) override {
    record(peer, "assignments " + request.SessionID);
    return error(Code::kUnavailable, "no streams here");
  }

  std::vector<std::string> calls;
  std::optional<Status> fail;

 private:
  void record(const Peer& peer, const std::string& call) {
    calls.push_back(peer.NodeID + "@" + peer.Addr + " " + call);
  }
};

TEST(LocalDispatcherClientTest, EveryCallReachesTheDispatcherAsTheClientsPeer) {
  RecordingDispatcher dispatcher;
  LocalDispatcherClient client(dispatcher, Peer{"n1", "192.0.2.7"});

  SessionRequest hello;
  hello.NodeID = "n1";
  auto session = client.session(hello);
  ASSERT_TRUE(session.is_ok());
  EXPECT_EQ(session->NodeID, "n1");
  auto beat = client.heartbeat(HeartbeatRequest{.SessionID = "s1"});
  ASSERT_TRUE(beat.is_ok());
  EXPECT_EQ(beat->Period, 4s);
  UpdateTaskStatusRequest update;
  update.SessionID = "s1";
  update.Updates.resize(2);
  EXPECT_TRUE(client.update_task_status(update).is_ok());
  std::optional<Status> async_result;
  client.update_task_status_async(update, [&](Status s) { async_result = s; });
  ASSERT_TRUE(async_result.has_value());
  EXPECT_TRUE(async_result->is_ok());
  EXPECT_EQ(client.assignments(AssignmentsRequest{.SessionID = "s1"}).status().code(),
            Code::kUnavailable);

  EXPECT_EQ(dispatcher.calls, (std::vector<std::string>{
                                  "n1@192.0.2.7 session ",
                                  "n1@192.0.2.7 heartbeat s1",
                                  "n1@192.0.2.7 update 2",
                                  "n1@192.0.2.7 update_async 2",
                                  "n1@192.0.2.7 assignments s1",
                              }));
}

TEST(LocalDispatcherClientTest, DispatcherErrorsReachTheAgentUnchanged) {
  RecordingDispatcher dispatcher;
  dispatcher.fail = Status(Code::kInvalidArgument, kSessionInvalid);
  LocalDispatcherClient client(dispatcher, Peer{"n1", ""});

  EXPECT_EQ(client.heartbeat({.SessionID = "gone"}).status().message(), kSessionInvalid);
  UpdateTaskStatusRequest stale;
  stale.SessionID = "gone";
  Status update = client.update_task_status(stale);
  EXPECT_EQ(update.code(), Code::kInvalidArgument);
  EXPECT_EQ(update.message(), kSessionInvalid);
  std::optional<Status> async_result;
  client.update_task_status_async(stale, [&](Status s) { async_result = s; });
  ASSERT_TRUE(async_result.has_value());
  EXPECT_EQ(async_result->message(), kSessionInvalid);
}

}  // namespace
}  // namespace shoal::protocol
