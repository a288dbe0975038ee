#include "manager/controlapi/swarm.h"

#include <gtest/gtest.h>

#include "api/codec.h"
#include "fixture.h"
#include "manager/controlapi/errors.h"
#include "manager/controlapi/tokens.h"

namespace shoal::manager::controlapi {
namespace {

using testing::ControlApiTest;

class SwarmTest : public ControlApiTest {};

TEST_F(SwarmTest, InitCreatesClusterNodeAndIngressInOneTransaction) {
  uint64_t before = revision();
  std::string node_id = init();
  EXPECT_EQ(revision(), before + 1);
  EXPECT_EQ(local_.state(), api::LocalNodeState::kActive);
  EXPECT_EQ(local_.membership_.node_id, node_id);
  EXPECT_EQ(local_.membership_.advertise_addr, "192.168.1.10:2377");
  EXPECT_EQ(local_.membership_.listen_addr, "0.0.0.0:2377");

  auto view = store_->view();
  auto node = view.get<api::Node>(node_id);
  ASSERT_TRUE(node);
  EXPECT_EQ(node->Spec.Role, api::NodeRole::kManager);
  EXPECT_EQ(node->Spec.Availability, api::NodeAvailability::kActive);
  EXPECT_EQ(node->Status.State, api::NodeState::kReady);
  EXPECT_EQ(node->Status.Addr, "192.168.1.10");
  ASSERT_TRUE(node->ManagerStatus);
  EXPECT_TRUE(node->ManagerStatus->Leader);
  EXPECT_EQ(node->ManagerStatus->Reachability, api::Reachability::kReachable);
  EXPECT_EQ(node->ManagerStatus->Addr, "192.168.1.10:2377");
  EXPECT_EQ(node->Description.Hostname, "host-1");

  auto ingress = view.find<api::Network>(store::by::Name{"ingress"});
  ASSERT_EQ(ingress.size(), 1u);
  EXPECT_TRUE(ingress[0]->Spec.Ingress);
  ASSERT_TRUE(ingress[0]->Spec.DriverConfiguration);
  EXPECT_EQ(ingress[0]->Spec.DriverConfiguration->Name, "overlay");
  ASSERT_TRUE(ingress[0]->Spec.IPAMOptions);
  ASSERT_EQ(ingress[0]->Spec.IPAMOptions->Configs.size(), 1u);
  EXPECT_EQ(ingress[0]->Spec.IPAMOptions->Configs[0].Subnet, "10.0.0.0/24");
  EXPECT_EQ(ingress[0]->Spec.IPAMOptions->Configs[0].Gateway, "10.0.0.1");
}

TEST_F(SwarmTest, InspectShowsDockerDefaults) {
  init();
  auto swarm = inspect_swarm(ctx());
  ASSERT_TRUE(swarm.is_ok()) << swarm.status().to_string();
  const api::Spec& spec = swarm->Spec;
  EXPECT_EQ(spec.Name, "default");
  EXPECT_EQ(spec.Orchestration.TaskHistoryRetentionLimit, 5);
  EXPECT_EQ(spec.Raft.SnapshotInterval, 10000u);
  EXPECT_EQ(spec.Raft.KeepOldSnapshots, 0u);
  EXPECT_EQ(spec.Raft.LogEntriesForSlowFollowers, 500u);
  EXPECT_EQ(spec.Raft.ElectionTick, 10);
  EXPECT_EQ(spec.Raft.HeartbeatTick, 1);
  EXPECT_EQ(spec.Dispatcher.HeartbeatPeriod, std::chrono::seconds(5));
  EXPECT_EQ(spec.CAConfig.NodeCertExpiry.count(), 7776000000000000);
  EXPECT_EQ(swarm->DefaultAddrPool, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(swarm->SubnetSize, 24u);
  EXPECT_EQ(swarm->DataPathPort, 4789u);
  EXPECT_TRUE(swarm->JoinTokens.Worker.starts_with("SWMTKN-1-"));
  EXPECT_EQ(swarm->JoinTokens.Worker.size(), 9 + 50 + 1 + 25u);
  EXPECT_NE(swarm->JoinTokens.Worker, swarm->JoinTokens.Manager);
  // Both tokens carry the same digest.
  EXPECT_EQ(swarm->JoinTokens.Worker.substr(0, 60), swarm->JoinTokens.Manager.substr(0, 60));
}

TEST_F(SwarmTest, InitHonoursRequestedSettings) {
  api::InitRequest request;
  request.ListenAddr = "0.0.0.0:2377";
  request.AdvertiseAddr = "10.1.2.3";
  request.Availability = api::NodeAvailability::kDrain;
  request.DefaultAddrPool = {"172.20.0.0/16"};
  request.SubnetSize = 26;
  request.DataPathPort = 7777;
  request.Spec.Orchestration.TaskHistoryRetentionLimit = 2;
  request.AutoLockManagers = true;
  auto id = init_swarm(ctx(), request);
  ASSERT_TRUE(id.is_ok()) << id.status().to_string();
  auto swarm = inspect_swarm(ctx());
  ASSERT_TRUE(swarm.is_ok());
  EXPECT_EQ(swarm->Spec.Orchestration.TaskHistoryRetentionLimit, 2);
  EXPECT_TRUE(swarm->Spec.EncryptionConfig.AutoLockManagers);
  EXPECT_EQ(swarm->SubnetSize, 26u);
  EXPECT_EQ(swarm->DataPathPort, 7777u);
  EXPECT_TRUE(local_.unlock_key().starts_with("SWMKEY-1-"));
  EXPECT_TRUE(check_unlock_key(local_.unlock_key()).is_ok());
  auto node = store_->view().get<api::Node>(*id);
  EXPECT_EQ(node->Spec.Availability, api::NodeAvailability::kDrain);
  EXPECT_EQ(node->ManagerStatus->Addr, "10.1.2.3:2377");
  auto ingress = store_->view().find<api::Network>(store::by::Name{"ingress"});
  EXPECT_EQ(ingress[0]->Spec.IPAMOptions->Configs[0].Subnet, "172.20.0.0/26");
}

struct BadInit {
  const char* name;
  void (*edit)(api::InitRequest&);
  Code code;
  const char* message;
};

TEST_F(SwarmTest, InitRefusesBadRequestsAndWritesNothing) {
  const BadInit cases[] = {
      {"empty listen", [](api::InitRequest& r) { r.ListenAddr = ""; }, Code::kInvalidArgument,
       "invalid ListenAddr \"\": invalid empty address"},
      {"listen port past 65535", [](api::InitRequest& r) { r.ListenAddr = "0.0.0.0:99999"; },
       Code::kInternal,
       "manager stopped: failed to listen on remote API address: listen tcp: address 99999: "
       "invalid port"},
      {"listen port not a number", [](api::InitRequest& r) { r.ListenAddr = "0.0.0.0:http2"; },
       Code::kInternal,
       "manager stopped: failed to listen on remote API address: listen tcp: lookup tcp/http2: "
       "unknown port"},
      {"spec name", [](api::InitRequest& r) { r.Spec.Name = "other"; }, Code::kInvalidArgument,
       "swarm spec must be named \"default\""},
      {"subnet size",
       [](api::InitRequest& r) {
         r.DefaultAddrPool = {"10.0.0.0/8"};
         r.SubnetSize = 30;
       },
       Code::kInvalidArgument, "subnet size is out of range: 30"},
      {"bad pool", [](api::InitRequest& r) { r.DefaultAddrPool = {"10.0.0.0"}; },
       Code::kInvalidArgument, "invalid base pool 10.0.0.0: invalid CIDR address: 10.0.0.0"},
      {"small pool",
       [](api::InitRequest& r) {
         r.DefaultAddrPool = {"10.0.0.0/24"};
         r.SubnetSize = 16;
       },
       Code::kInvalidArgument,
       "invalid CIDR: \"10.0.0.0/24\". Subnet size is too small for pool: 16"},
      {"data path port", [](api::InitRequest& r) { r.DataPathPort = 80; }, Code::kInvalidArgument,
       "Datapath port number is not in valid range (1024-49151) : 80"},
      {"unspecified advertise", [](api::InitRequest& r) { r.AdvertiseAddr = "0.0.0.0"; },
       Code::kInvalidArgument,
       "advertise address must be a non-zero IP address or network interface (with optional port "
       "number)"},
      {"unknown interface", [](api::InitRequest& r) { r.AdvertiseAddr = "wlan9"; },
       Code::kInvalidArgument, "no such interface"},
      {"cert expiry",
       [](api::InitRequest& r) { r.Spec.CAConfig.NodeCertExpiry = std::chrono::minutes(5); },
       Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = minimum certificate expiry time is: 1h0m0s"},
  };
  for (const BadInit& c : cases) {
    SCOPED_TRACE(c.name);
    api::InitRequest request;
    request.ListenAddr = "0.0.0.0:2377";
    c.edit(request);
    uint64_t before = revision();
    EXPECT_ERROR(init_swarm(ctx(), request).status(), c.code, c.message);
    EXPECT_EQ(revision(), before);
    EXPECT_EQ(local_.state(), api::LocalNodeState::kInactive);
  }
}

TEST_F(SwarmTest, InitIgnoresSubnetSizeWithoutAddressPools) {
  api::InitRequest request;
  request.ListenAddr = "0.0.0.0:2377";
  request.SubnetSize = 40;
  ASSERT_TRUE(init_swarm(ctx(), request).is_ok());
  auto swarm = inspect_swarm(ctx());
  ASSERT_TRUE(swarm.is_ok());
  EXPECT_EQ(swarm->DefaultAddrPool, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(swarm->SubnetSize, 24u);
}

TEST_F(SwarmTest, InitTwiceIsRefused) {
  init();
  uint64_t before = revision();
  api::InitRequest request;
  request.ListenAddr = "0.0.0.0:2377";
  EXPECT_ERROR(init_swarm(ctx(), request).status(), Code::kUnavailable, kAlreadyInSwarmText);
  EXPECT_EQ(revision(), before);
}

TEST_F(SwarmTest, FailedJoinHookLeavesNothingBehind) {
  local_.fail_join(Status(Code::kInternal, "boom"));
  api::InitRequest request;
  request.ListenAddr = "0.0.0.0:2377";
  EXPECT_ERROR(init_swarm(ctx(), request).status(), Code::kInternal, "boom");
  auto view = store_->view();
  EXPECT_EQ(view.count<api::Swarm>(), 0u);
  EXPECT_EQ(view.count<api::Node>(), 0u);
  EXPECT_EQ(view.count<api::Network>(), 0u);
}

TEST_F(SwarmTest, EndpointsOutsideASwarmAnswer503) {
  EXPECT_ERROR(inspect_swarm(ctx()).status(), Code::kUnavailable, kNotInSwarmText);
  EXPECT_ERROR(get_unlock_key(ctx()).status(), Code::kUnavailable, kNotInSwarmText);
  EXPECT_ERROR(leave_swarm(ctx(), false), Code::kUnavailable, "This node is not part of a swarm");
  local_.set_state(api::LocalNodeState::kLocked, true);
  EXPECT_ERROR(inspect_swarm(ctx()).status(), Code::kUnavailable, kLockedText);
  local_.set_state(api::LocalNodeState::kActive, false);
  EXPECT_ERROR(inspect_swarm(ctx()).status(), Code::kUnavailable, kWorkerText);
  local_.set_state(api::LocalNodeState::kPending, true);
  EXPECT_ERROR(inspect_swarm(ctx()).status(), Code::kUnavailable, kManagerNotReadyText);
}

TEST_F(SwarmTest, LeaveNeedsForceOnTheLastManagerThenWipesEverything) {
  init();
  uint64_t before = revision();
  EXPECT_ERROR(leave_swarm(ctx(), false), Code::kUnavailable,
               "You are attempting to leave the swarm on a node that is participating as a "
               "manager. Removing the last manager erases all current state of the swarm. Use "
               "`--force` to ignore this message.");
  EXPECT_EQ(revision(), before);
  ASSERT_TRUE(leave_swarm(ctx(), true).is_ok());
  EXPECT_EQ(local_.state(), api::LocalNodeState::kInactive);
  auto view = store_->view();
  EXPECT_EQ(view.count<api::Swarm>(), 0u);
  EXPECT_EQ(view.count<api::Node>(), 0u);
  EXPECT_EQ(view.count<api::Network>(), 0u);
}

TEST_F(SwarmTest, InitAfterLeaveMakesANewSwarm) {
  std::string first = init();
  ASSERT_TRUE(leave_swarm(ctx(), true).is_ok());
  std::string second = init();
  EXPECT_NE(first, second);
  EXPECT_EQ(store_->view().count<api::Node>(), 1u);
}

TEST_F(SwarmTest, UpdateRoundTripsTheSpecAndChecksTheVersion) {
  init();
  auto swarm = inspect_swarm(ctx());
  ASSERT_TRUE(swarm.is_ok());
  api::Spec spec = swarm->Spec;
  spec.Orchestration.TaskHistoryRetentionLimit = 9;
  uint64_t before = revision();
  EXPECT_ERROR(update_swarm(ctx(), swarm->Version.Index - 1, spec, {}), Code::kOutOfSequence,
               "rpc error: code = Unknown desc = update out of sequence");
  EXPECT_EQ(revision(), before);
  ASSERT_TRUE(update_swarm(ctx(), swarm->Version.Index, spec, {}).is_ok());
  auto after = inspect_swarm(ctx());
  EXPECT_EQ(after->Spec.Orchestration.TaskHistoryRetentionLimit, 9);
  EXPECT_EQ(after->JoinTokens.Worker, swarm->JoinTokens.Worker);
  EXPECT_GT(after->Version.Index, swarm->Version.Index);
  // Sending back exactly what GET returned changes nothing but the version.
  ASSERT_TRUE(update_swarm(ctx(), after->Version.Index, after->Spec, {}).is_ok());
  auto again = inspect_swarm(ctx());
  EXPECT_EQ(api::encode(again->Spec), api::encode(after->Spec));
}

TEST_F(SwarmTest, RotatesTokensAndUnlockKey) {
  init();
  auto swarm = inspect_swarm(ctx());
  api::UpdateFlags flags;
  flags.RotateWorkerToken = true;
  ASSERT_TRUE(update_swarm(ctx(), swarm->Version.Index, swarm->Spec, flags).is_ok());
  auto rotated = inspect_swarm(ctx());
  EXPECT_NE(rotated->JoinTokens.Worker, swarm->JoinTokens.Worker);
  EXPECT_EQ(rotated->JoinTokens.Manager, swarm->JoinTokens.Manager);

  // Autolock on → a key; rotate → another; off → none.
  api::Spec spec = rotated->Spec;
  spec.EncryptionConfig.AutoLockManagers = true;
  ASSERT_TRUE(update_swarm(ctx(), rotated->Version.Index, spec, {}).is_ok());
  std::string key = get_unlock_key(ctx())->UnlockKey;
  EXPECT_TRUE(key.starts_with("SWMKEY-1-"));
  api::UpdateFlags rotate_key;
  rotate_key.RotateManagerUnlockKey = true;
  ASSERT_TRUE(update_swarm(ctx(), inspect_swarm(ctx())->Version.Index, spec, rotate_key).is_ok());
  EXPECT_NE(get_unlock_key(ctx())->UnlockKey, key);
  spec.EncryptionConfig.AutoLockManagers = false;
  ASSERT_TRUE(update_swarm(ctx(), inspect_swarm(ctx())->Version.Index, spec, {}).is_ok());
  EXPECT_EQ(get_unlock_key(ctx())->UnlockKey, "");
}

TEST_F(SwarmTest, UnlockRules) {
  api::UnlockRequest request{"SWMKEY-1-abcd"};
  EXPECT_ERROR(unlock_swarm(ctx(), request), Code::kUnavailable, kNotInSwarmText);
  init();
  EXPECT_ERROR(unlock_swarm(ctx(), request), Code::kConflict, "swarm is not locked");
  ASSERT_TRUE(local_.set_unlock_key("SWMKEY-1-rightkey").is_ok());
  local_.set_state(api::LocalNodeState::kLocked, true);
  EXPECT_ERROR(unlock_swarm(ctx(), api::UnlockRequest{"nonsense"}), Code::kInvalidArgument,
               "invalid key string");
  EXPECT_ERROR(unlock_swarm(ctx(), api::UnlockRequest{"SWMKEY-1-wrongkey"}), Code::kUnauthenticated,
               "swarm could not be unlocked: invalid key provided");
  EXPECT_TRUE(unlock_swarm(ctx(), api::UnlockRequest{"SWMKEY-1-rightkey"}).is_ok());
}

TEST_F(SwarmTest, JoinGoesToTheLocalNode) {
  api::JoinRequest request;
  request.ListenAddr = "0.0.0.0:2377";
  request.RemoteAddrs = {"10.0.0.1:2377"};
  request.JoinToken = "SWMTKN-1-x";
  // The fake node keeps LocalNode's default join(): a node that cannot join.
  EXPECT_ERROR(join_swarm(ctx(), request), Code::kUnimplemented,
               "joining an existing swarm is not supported by this node");
  request.RemoteAddrs.clear();
  EXPECT_ERROR(join_swarm(ctx(), request), Code::kInvalidArgument,
               "at least 1 RemoteAddr is required to join");
  init();
  EXPECT_ERROR(join_swarm(ctx(), request), Code::kUnavailable, kAlreadyInSwarmText);
}

TEST(TokensTest, Base36AndTokenShape) {
  EXPECT_EQ(to_base36(std::string("\x00", 1), 3), "000");
  EXPECT_EQ(to_base36(std::string("\x01\x00", 2), 0), "74");                       // 256 = 7*36 + 4
  EXPECT_EQ(to_base36(std::string(16, '\xff'), 25), "f5lxx1zz5pnorynqglhzmsp33");  // 2^128-1
  std::string token = make_join_token("cluster", std::string(16, '\x01'));
  EXPECT_TRUE(token.starts_with("SWMTKN-1-" + join_token_digest("cluster") + "-"));
  EXPECT_EQ(join_token_digest("cluster").size(), 50u);
  std::string key = make_unlock_key(std::string(32, '\x02'));
  EXPECT_EQ(key, "SWMKEY-1-AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI");
  EXPECT_TRUE(check_unlock_key(key).is_ok());
  EXPECT_FALSE(check_unlock_key("SWMKEY-1-a!b").is_ok());
}

}  // namespace
}  // namespace shoal::manager::controlapi
