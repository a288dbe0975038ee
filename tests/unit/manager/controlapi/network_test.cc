#include "manager/controlapi/network.h"

#include <gtest/gtest.h>

#include <functional>

#include "fixture.h"
#include "manager/controlapi/info.h"
#include "manager/controlapi/service.h"

namespace shoal::manager::controlapi {
namespace {

class NetworkTest : public testing::ControlApiTest {
 protected:
  void SetUp() override { init(); }
};

api::NetworkSpec net(std::string name) {
  api::NetworkSpec spec;
  spec.Name = std::move(name);
  spec.DriverConfiguration = api::Driver{"overlay", {}};
  return spec;
}

TEST_F(NetworkTest, CreateAndRemove) {
  api::NetworkSpec spec = net("back");
  spec.IPAMOptions =
      api::IPAMOptions{api::Driver{}, {api::IPAMConfig{"10.5.0.0/24", "", "10.5.0.1"}}};
  auto id = create_network(ctx(), spec);
  ASSERT_TRUE(id.is_ok()) << id.status().to_string();
  auto stored = *get_network(ctx(), "back");
  EXPECT_EQ(stored->Spec.Scope, "swarm");
  EXPECT_EQ(stored->Spec.IPAMOptions->Driver.Name, "default");
  EXPECT_ERROR(create_network(ctx(), net("back")).status(), Code::kAlreadyExists,
               "network with name back already exists");
  ASSERT_TRUE(remove_network(ctx(), "back").is_ok());
  EXPECT_ERROR(get_network(ctx(), "back").status(), Code::kNotFound, "network back not found");
}

TEST_F(NetworkTest, CreateRefusals) {
  struct Case {
    const char* name;
    std::function<void(api::NetworkSpec&)> edit;
    Code code;
    const char* message;
  };
  const Case cases[] = {
      {"attachable ingress", [](api::NetworkSpec& s) { s.Attachable = s.Ingress = true; },
       Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = ingress network cannot be attachable"},
      {"second ingress", [](api::NetworkSpec& s) { s.Ingress = true; }, Code::kAlreadyExists,
       nullptr},
      {"bad name", [](api::NetworkSpec& s) { s.Name = "a.b"; }, Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = name must be valid as a DNS name component"},
      {"no name", [](api::NetworkSpec& s) { s.Name = ""; }, Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = meta: name must be provided"},
      {"long name", [](api::NetworkSpec& s) { s.Name = std::string(64, 'n'); },
       Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = name must be 63 characters or fewer"},
      {"driver without a name", [](api::NetworkSpec& s) { s.DriverConfiguration->Name = ""; },
       Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = driver name: if driver is specified name is "
       "required"},
      {"ipam plugin",
       [](api::NetworkSpec& s) {
         s.IPAMOptions = api::IPAMOptions{{"infoblox", {}}, {}};
       },
       Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = plugin infoblox not supported"},
      {"bad range",
       [](api::NetworkSpec& s) {
         s.IPAMOptions = api::IPAMOptions{{}, {api::IPAMConfig{"10.5.0.0/16", "10.5.1", ""}}};
       },
       Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = ipam configuration: invalid range 10.5.1"},
      {"range outside",
       [](api::NetworkSpec& s) {
         s.IPAMOptions = api::IPAMOptions{{}, {api::IPAMConfig{"10.5.0.0/16", "10.6.1.0/24", ""}}};
       },
       Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = ipam configuration: subnet 10.5.0.0/16 does not "
       "contain range 10.6.1.0/24"},
      {"bad gateway",
       [](api::NetworkSpec& s) {
         s.IPAMOptions = api::IPAMOptions{{}, {api::IPAMConfig{"10.5.0.0/24", "", "10.5.0"}}};
       },
       Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = ipam configuration: invalid gateway 10.5.0"},
      {"predefined label",
       [](api::NetworkSpec& s) {
         s.Labels = {{"com.docker.swarm.predefined", "true"}};
       },
       Code::kPermissionDenied,
       "rpc error: code = PermissionDenied desc = label com.docker.swarm.predefined is for "
       "internally created predefined networks and cannot be applied by users"},
      {"bridge", [](api::NetworkSpec& s) { s.DriverConfiguration->Name = "bridge"; },
       Code::kInvalidArgument, nullptr},
      {"bad subnet",
       [](api::NetworkSpec& s) {
         s.IPAMOptions = api::IPAMOptions{{}, {api::IPAMConfig{"10.5.0.0", "", ""}}};
       },
       Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = ipam configuration: invalid subnet 10.5.0.0"},
      {"gateway outside",
       [](api::NetworkSpec& s) {
         s.IPAMOptions = api::IPAMOptions{{}, {api::IPAMConfig{"10.5.0.0/24", "", "10.6.0.1"}}};
       },
       Code::kInvalidArgument,
       "rpc error: code = InvalidArgument desc = ipam configuration: subnet 10.5.0.0/24 does not "
       "contain gateway 10.6.0.1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    api::NetworkSpec spec = net("n1");
    c.edit(spec);
    uint64_t before = revision();
    Status status = create_network(ctx(), spec).status();
    EXPECT_EQ(status.code(), c.code) << status.to_string();
    if (c.message != nullptr) {
      EXPECT_EQ(status.message(), c.message);
    }
    EXPECT_EQ(revision(), before);
  }
}

TEST_F(NetworkTest, InUseNetworksStay) {
  ASSERT_TRUE(create_network(ctx(), net("back")).is_ok());
  api::ServiceSpec spec;
  spec.Name = "web";
  spec.TaskTemplate.ContainerSpec.emplace();
  spec.TaskTemplate.ContainerSpec->Image = "nginx";
  spec.TaskTemplate.Networks = {api::NetworkAttachmentConfig{"back", {}, {}}};
  spec.EndpointSpec = api::EndpointSpec{{}, {api::PortConfig{"", {}, 80, 8080, {}}}};
  auto created = create_service(ctx(), spec);
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  std::string back_id = (*get_network(ctx(), "back"))->ID;
  EXPECT_ERROR(remove_network(ctx(), "back"), Code::kFailedPrecondition,
               "rpc error: code = FailedPrecondition desc = network " + back_id +
                   " is in use by service " + created->ID);
  EXPECT_ERROR(remove_network(ctx(), "ingress"), Code::kFailedPrecondition,
               "rpc error: code = FailedPrecondition desc = ingress network cannot be removed "
               "because service " +
                   created->ID + " depends on it");
  auto uses = list_networks(ctx());
  ASSERT_TRUE(uses.is_ok());
  for (const NetworkUse& use : *uses) {
    EXPECT_EQ(use.service_ids.size(), 1u) << use.network->Spec.Name;
  }
  ASSERT_TRUE(remove_service(ctx(), "web").is_ok());
  EXPECT_TRUE(remove_network(ctx(), "back").is_ok());
  EXPECT_TRUE(remove_network(ctx(), "ingress").is_ok());
}

TEST_F(NetworkTest, InfoAndPingAgree) {
  api::Info info = swarm_info(ctx());
  EXPECT_EQ(info.LocalNodeState, api::LocalNodeState::kActive);
  EXPECT_TRUE(info.ControlAvailable);
  EXPECT_EQ(info.NodeID, local_.node_id());
  EXPECT_EQ(info.NodeAddr, "192.168.1.10");
  EXPECT_EQ(info.Nodes, 1);
  EXPECT_EQ(info.Managers, 1);
  ASSERT_EQ(info.RemoteManagers.size(), 1u);
  EXPECT_EQ(info.RemoteManagers[0].Addr, "192.168.1.10:2377");
  ASSERT_TRUE(info.Cluster);
  EXPECT_EQ(info.Cluster->Spec.Name, "default");
  EXPECT_EQ(swarm_ping_state(local_), "active/manager");
  ASSERT_TRUE(leave_swarm(ctx(), true).is_ok());
  info = swarm_info(ctx());
  EXPECT_EQ(info.LocalNodeState, api::LocalNodeState::kInactive);
  EXPECT_FALSE(info.ControlAvailable);
  EXPECT_FALSE(info.Cluster);
  EXPECT_EQ(info.NodeID, "");
  EXPECT_EQ(swarm_ping_state(local_), "inactive");
}

}  // namespace
}  // namespace shoal::manager::controlapi
