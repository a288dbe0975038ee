#include "rpc/wire.h"

#include <gtest/gtest.h>

#include "rpc/status_map.h"
#include "rpc/tls.h"

namespace shoal::rpc {
namespace {

TEST(Wire, AssignmentsRoundTrip) {
  auto spec = std::make_shared<api::TaskSpec>();
  spec->ContainerSpec.emplace();
  spec->ContainerSpec->Image = "nginx:1";
  auto task = std::make_shared<api::Task>();
  task->ID = "t1";
  task->NodeID = "n1";
  task->Spec = spec;
  task->DesiredState = api::TaskState::kRunning;
  auto secret = std::make_shared<api::Secret>();
  secret->ID = "s1";
  secret->Spec.Name = "pw";
  secret->Spec.Data = api::Bytes(std::string("hunter2"));
  auto gone = std::make_shared<api::Config>();
  gone->ID = "c1";

  protocol::AssignmentsMessage in;
  in.Type = protocol::AssignmentsType::kIncremental;
  in.AppliesTo = "a";
  in.ResultsIn = "b";
  in.Changes.push_back({protocol::AssignmentAction::kUpdate, secret});
  in.Changes.push_back({protocol::AssignmentAction::kUpdate, task});
  in.Changes.push_back({protocol::AssignmentAction::kRemove, gone});

  AssignmentsMessage wire;
  to_proto(in, wire);
  std::string bytes = wire.SerializeAsString();
  AssignmentsMessage parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  auto out = from_proto(parsed);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(out->Type, protocol::AssignmentsType::kIncremental);
  EXPECT_EQ(out->AppliesTo, "a");
  EXPECT_EQ(out->ResultsIn, "b");
  ASSERT_EQ(out->Changes.size(), 3u);
  auto s = std::get<std::shared_ptr<const api::Secret>>(out->Changes[0].Item);
  EXPECT_EQ(s->Spec.Data, secret->Spec.Data);
  auto t = std::get<std::shared_ptr<const api::Task>>(out->Changes[1].Item);
  EXPECT_EQ(t->NodeID, "n1");
  EXPECT_EQ(t->Spec->ContainerSpec->Image, "nginx:1");
  EXPECT_EQ(out->Changes[2].Action, protocol::AssignmentAction::kRemove);
  EXPECT_EQ(std::get<std::shared_ptr<const api::Config>>(out->Changes[2].Item)->ID, "c1");
}

TEST(Wire, ABadDocumentIsAClearError) {
  AssignmentsMessage wire;
  auto* c = wire.add_changes();
  c->set_id("t9");
  c->set_object("{not json");
  auto out = from_proto(wire);
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), Code::kInvalidArgument);
  EXPECT_NE(out.status().message().find("t9"), std::string::npos);
}

TEST(Wire, StatusReportsRoundTrip) {
  protocol::UpdateTaskStatusRequest in;
  in.SessionID = "s";
  api::TaskStatus st;
  st.State = api::TaskState::kFailed;
  st.Err = "exit 1";
  in.Updates.push_back({"t1", st});
  UpdateTaskStatusRequest wire;
  to_proto(in, wire);
  auto out = from_proto(wire);
  ASSERT_TRUE(out.is_ok());
  ASSERT_EQ(out->Updates.size(), 1u);
  EXPECT_EQ(out->Updates[0].TaskID, "t1");
  EXPECT_EQ(out->Updates[0].Status.State, api::TaskState::kFailed);
  EXPECT_EQ(out->Updates[0].Status.Err, "exit 1");
}

TEST(StatusMap, EveryCodeRoundTrips) {
  for (int c = 1; c <= static_cast<int>(Code::kDataLoss); ++c) {
    Code code = static_cast<Code>(c);
    Status back = from_grpc(to_grpc(Status(code, "text")));
    EXPECT_EQ(back.code(), code) << code_name(code);
    EXPECT_EQ(back.message(), "text");
  }
  EXPECT_TRUE(from_grpc(to_grpc(Status::ok())).is_ok());
  EXPECT_EQ(from_grpc(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "slow")).code(),
            Code::kUnavailable);
}

TEST(PeerIp, StripsSchemeAndPort) {
  EXPECT_EQ(peer_ip("ipv4:10.1.2.3:4567"), "10.1.2.3");
  EXPECT_EQ(peer_ip("ipv6:[::1]:80"), "::1");
  EXPECT_EQ(peer_ip("unix:/x"), "unix:/x");
}

}  // namespace
}  // namespace shoal::rpc
