// Request bodies with numbers beyond their field's type, or values of the wrong JSON type,
// on each family of POST routes: a 400 whose message names the field as Docker's does.
#include "http/engine/engine_fixture.h"

namespace shoal::http::engine::testing {
namespace {

std::string go_error(std::string_view what, std::string_view field, std::string_view type) {
  return fmt::format("json: cannot unmarshal {} into Go struct field {} of type {}", what, field,
                     type);
}

TEST_F(EngineTest, ServiceCreateAndUpdateRefuseNumbersBeyondTheirFieldWith400) {
  swarm_init();
  Reply r = post("/services/create",
                 R"({"Name":"web","TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},)"
                 R"("Mode":{"Replicated":{"Replicas":1e400}}})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.message(),
            go_error("number 1e400", "ReplicatedService.Mode.Replicated.Replicas", "uint64"));
  r = post("/services/create",
           R"({"Name":"web","TaskTemplate":{"ContainerSpec":{"Image":"busybox"},)"
           R"("Resources":{"Limits":{"MemoryBytes":9223372036854775808}}}})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.message(), go_error("number 9223372036854775808",
                                  "Limit.TaskTemplate.Resources.Limits.MemoryBytes", "int64"));
  r = post("/services/web/update?version=1",
           R"({"Name":"web","EndpointSpec":{"Ports":[{"TargetPort":-80}]}})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.message(),
            go_error("number -80", "PortConfig.EndpointSpec.Ports.TargetPort", "uint32"));
}

TEST_F(EngineTest, SwarmRoutesRefuseNumbersBeyondTheirFieldWith400) {
  Reply r = post("/swarm/init", R"({"ListenAddr":"0.0.0.0:2377","DataPathPort":4294967296})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.message(), go_error("number 4294967296", "InitRequest.DataPathPort", "uint32"));
  r = post("/swarm/join", R"({"RemoteAddrs":[1e400],"JoinToken":"t"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.message(), go_error("number", "JoinRequest.RemoteAddrs", "string"));
  r = post("/swarm/update?version=1", R"({"Dispatcher":{"HeartbeatPeriod":5e9}})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.message(),
            go_error("number 5e9", "DispatcherConfig.Dispatcher.HeartbeatPeriod", "time.Duration"));
  r = post("/swarm/unlock", R"({"UnlockKey":-1})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.message(), go_error("number", "UnlockRequest.UnlockKey", "string"));
}

TEST_F(EngineTest, SecretConfigNodeAndNetworkRoutesRefuseNumbersBeyondTheirFieldWith400) {
  swarm_init();
  Reply r = post("/secrets/create", R"({"Name":"s","Data":1e400})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.message(), go_error("number", "SecretSpec.Data", "[]uint8"));
  r = post("/configs/create", R"({"Name":"c","Labels":{"a":1.5},"Data":""})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.message(), go_error("number", "ConfigSpec.Labels", "string"));
  r = post("/nodes/self/update?version=1", R"({"Role":18446744073709551616})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.message(), go_error("number", "NodeSpec.Role", "string"));
  r = post("/networks/create", R"({"Name":"n","Driver":"overlay","EnableIPv6":1e400})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.message(), go_error("number", "NetworkCreateRequest.EnableIPv6", "bool"));
  r = post("/networks/create", R"({"Name":"n","Bogus":-1e400})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.message(), "json: cannot unmarshal number -1e400 into Go value of type float64");
}

}  // namespace
}  // namespace shoal::http::engine::testing
