// The engine routes end to end through the router: status codes, bodies and error texts
// as the docker CLI sees them.
#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace shoal::http::engine {
namespace {

using testing::EngineTest;
using testing::Reply;

constexpr const char* kMinimalService =
    R"({"Name":"web","Labels":{},"TaskTemplate":{"ContainerSpec":{"Image":"nginx:latest","Init":false,)"
    R"("DNSConfig":{}},"Resources":{"Limits":{},"Reservations":{}},"Placement":{},"ForceUpdate":0},)"
    R"("Mode":{"Replicated":{}},"EndpointSpec":{"Mode":"vip"}})";

TEST_F(EngineTest, OutsideASwarm) {
  for (const char* path :
       {"/swarm", "/nodes", "/services", "/tasks", "/secrets", "/configs", "/swarm/unlockkey"}) {
    Reply r = get(path);
    EXPECT_EQ(r.status, 503) << path;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(
        r.message(),
        "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" "
        "to connect this node to swarm and try again.")
        << path;
  }
  EXPECT_EQ(post("/swarm/leave").message(), "This node is not part of a swarm");
  Reply networks = get("/networks");
  EXPECT_EQ(networks.status, 200);
  EXPECT_EQ(networks.json(), nlohmann::json::array());
  EXPECT_EQ(get("/networks/foo").status, 404);
  Reply info = get("/info");
  ASSERT_EQ(info.status, 200);
  EXPECT_EQ(info.json()["Swarm"]["LocalNodeState"], "inactive");
  EXPECT_EQ(info.json()["Swarm"]["ControlAvailable"], false);
  EXPECT_EQ(info.json()["DockerRootDir"], "/var/lib/shoal");
  EXPECT_EQ(info.json()["ServerVersion"], "0.1.0-test");
  EXPECT_EQ(post("/swarm/unlock", R"({"UnlockKey":"SWMKEY-1-x"})").status, 503);
  EXPECT_EQ(post("/swarm/join",
                 R"({"ListenAddr":"0.0.0.0:2377","RemoteAddrs":["10.0.0.1:2377"],"JoinToken":"t"})")
                .status,
            501);
}

TEST_F(EngineTest, SwarmInitThenInspect) {
  std::string node_id = swarm_init();
  Reply node = get("/nodes/" + node_id);
  ASSERT_EQ(node.status, 200) << node.body;
  EXPECT_EQ(node.json()["ManagerStatus"]["Addr"], "192.168.1.10:2377");
  EXPECT_EQ(node.json()["ManagerStatus"]["Leader"], true);
  EXPECT_EQ(node.json()["Spec"]["Role"], "manager");
  Reply swarm = get("/swarm");
  ASSERT_EQ(swarm.status, 200);
  EXPECT_TRUE(swarm.json()["JoinTokens"]["Worker"].get<std::string>().starts_with("SWMTKN-1-"));
  EXPECT_EQ(swarm.json()["Spec"]["Raft"]["ElectionTick"], 10);
  Reply again = post("/swarm/init", R"({"ListenAddr":"0.0.0.0:2377"})");
  EXPECT_EQ(again.status, 503);
  Reply info = get("/info");
  auto s = info.json()["Swarm"];
  EXPECT_EQ(s["NodeID"], node_id);
  EXPECT_EQ(s["LocalNodeState"], "active");
  EXPECT_EQ(s["ControlAvailable"], true);
  EXPECT_EQ(s["Nodes"], 1);
  EXPECT_EQ(s["Managers"], 1);
  EXPECT_FALSE(s["Cluster"].contains("JoinTokens"));
  EXPECT_EQ(s["Cluster"]["ID"], swarm.json()["ID"]);
  EXPECT_EQ(s["RemoteManagers"][0]["Addr"], "192.168.1.10:2377");
}

TEST_F(EngineTest, SwarmUpdateAndRotate) {
  swarm_init();
  auto swarm = get("/swarm").json();
  uint64_t version = swarm["Version"]["Index"];
  std::string spec = swarm["Spec"].dump();
  Reply stale = post(
      "/swarm/"
      "update?rotateManagerToken=false&rotateManagerUnlockKey=false&rotateWorkerToken=true&"
      "version=" +
          std::to_string(version + 5),
      spec);
  EXPECT_EQ(stale.status, 500);
  EXPECT_EQ(stale.message(), "rpc error: code = Unknown desc = update out of sequence");
  Reply ok = post(
      "/swarm/"
      "update?rotateManagerToken=false&rotateManagerUnlockKey=false&rotateWorkerToken=true&"
      "version=" +
          std::to_string(version),
      spec);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body, "");
  EXPECT_NE(get("/swarm").json()["JoinTokens"]["Worker"], swarm["JoinTokens"]["Worker"]);
  Reply bad = post("/swarm/update?version=abc", spec);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.message(),
            "invalid swarm version 'abc': strconv.ParseUint: parsing \"abc\": invalid syntax");
  Reply flag = post("/swarm/update?version=1&rotateWorkerToken=maybe", spec);
  EXPECT_EQ(flag.message(), "invalid value for rotateWorkerToken: maybe");
  EXPECT_EQ(get("/swarm/unlockkey").json()["UnlockKey"], "");
  EXPECT_EQ(post("/swarm/unlock", R"({"UnlockKey":"SWMKEY-1-abcd"})").status, 409);
}

TEST_F(EngineTest, ServiceLifecycle) {
  swarm_init();
  Reply created = post("/services/create", kMinimalService);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json()["ID"];
  Reply service = get("/services/web?insertDefaults=false");
  ASSERT_EQ(service.status, 200);
  EXPECT_EQ(service.json()["ID"], id);
  EXPECT_EQ(service.json()["Spec"]["Mode"]["Replicated"]["Replicas"], 1);
  EXPECT_EQ(service.json()["Spec"]["TaskTemplate"]["Runtime"], "container");
  EXPECT_FALSE(service.json()["Spec"].contains("UpdateConfig"));
  EXPECT_TRUE(get("/services/web?insertDefaults=true").json()["Spec"].contains("UpdateConfig"));

  Reply conflict = post("/services/create", kMinimalService);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.message(),
            "rpc error: code = AlreadyExists desc = name conflicts with an existing object: "
            "service web already exists");

  Reply list = get("/services?status=true");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().size(), 1u);
  EXPECT_EQ(list.json()[0]["ServiceStatus"]["DesiredTasks"], 1);
  EXPECT_FALSE(get("/services").json()[0].contains("ServiceStatus"));
  EXPECT_EQ(get(R"(/services?filters={"name":{"we":true}})").json().size(), 1u);
  EXPECT_EQ(get(R"(/services?filters={"mode":["global"]})").json().size(), 0u);
  Reply bad_filter = get(R"(/services?filters={"color":{"red":true}})");
  EXPECT_EQ(bad_filter.status, 400);
  EXPECT_EQ(bad_filter.message(), "invalid filter 'color'");

  uint64_t version = service.json()["Version"]["Index"];
  auto spec = service.json()["Spec"];
  Reply no_previous =
      post("/services/" + id + "/update?rollback=previous&version=" + std::to_string(version),
           spec.dump());
  EXPECT_EQ(no_previous.status, 400);
  EXPECT_EQ(no_previous.message(), "rpc error: code = FailedPrecondition desc = service " + id +
                                       " does not have a previous spec");
  spec["Mode"]["Replicated"]["Replicas"] = 3;
  Reply updated =
      post("/services/" + id + "/update?registryAuthFrom=spec&version=" + std::to_string(version),
           spec.dump());
  EXPECT_EQ(updated.status, 200) << updated.body;
  EXPECT_TRUE(updated.json().is_object());
  Reply stale = post("/services/web/update?version=" + std::to_string(version), spec.dump());
  EXPECT_EQ(stale.status, 500);
  EXPECT_EQ(stale.message(), "rpc error: code = Unknown desc = update out of sequence");
  Reply missing_version = post("/services/web/update", spec.dump());
  EXPECT_EQ(missing_version.status, 400);
  EXPECT_EQ(missing_version.message(),
            "invalid service version '': strconv.ParseUint: parsing \"\": invalid syntax");

  auto v2 = get("/services/web").json();
  Reply rollback =
      post("/services/web/update?rollback=previous&version=" + v2["Version"]["Index"].dump(),
           v2["Spec"].dump());
  EXPECT_EQ(rollback.status, 200) << rollback.body;
  auto v3 = get("/services/web").json();
  EXPECT_EQ(v3["Spec"]["Mode"]["Replicated"]["Replicas"], 1);
  EXPECT_EQ(v3["UpdateStatus"]["State"], "rollback_started");
  EXPECT_EQ(v3["UpdateStatus"]["Message"], "manually requested rollback");

  Reply removed = del("/services/web");
  EXPECT_EQ(removed.status, 200);
  EXPECT_EQ(removed.body, "");
  Reply gone = get("/services/web");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.message(), "service web not found");
}

TEST_F(EngineTest, ServiceValidationErrors) {
  swarm_init();
  Reply empty = post("/services/create", "");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.message(), "got EOF while reading request body");
  Reply no_image = post("/services/create", R"({"Name":"x","TaskTemplate":{"ContainerSpec":{}}})");
  EXPECT_EQ(no_image.status, 400);
  EXPECT_EQ(
      no_image.message(),
      "rpc error: code = InvalidArgument desc = ContainerSpec: image reference must be provided");
  Reply job = post(
      "/services/create",
      R"({"Name":"j","TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},"Mode":{"ReplicatedJob":{}},)"
      R"("UpdateConfig":{"Parallelism":1}})");
  EXPECT_EQ(job.message(),
            "rpc error: code = InvalidArgument desc = Jobs may not have an update config");
  Reply unnamed =
      post("/services/create",
           R"({"TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},"Mode":{"ReplicatedJob":{}}})");
  ASSERT_EQ(unnamed.status, 201) << unnamed.body;
  auto svc = get("/services/" + unnamed.json()["ID"].get<std::string>()).json();
  EXPECT_FALSE(svc["Spec"]["Name"].get<std::string>().empty());
  EXPECT_EQ(svc["Spec"]["Mode"]["ReplicatedJob"]["MaxConcurrent"], 1);
  EXPECT_EQ(svc["Spec"]["Mode"]["ReplicatedJob"]["TotalCompletions"], 1);
  EXPECT_EQ(svc["JobStatus"]["JobIteration"].value("Index", 0), 0);  // Go omits a zero Index
}

TEST_F(EngineTest, TasksAndNodes) {
  std::string node_id = swarm_init();
  EXPECT_EQ(get("/tasks").json(), nlohmann::json::array());
  Reply bad_state = get(R"(/tasks?filters={"desired-state":{"sleeping":true}})");
  EXPECT_EQ(bad_state.status, 500);
  EXPECT_EQ(bad_state.message(), "Invalid desired-state filter: 'sleeping'");
  Reply unknown_service = get(R"(/tasks?filters={"service":{"nope":true}})");
  EXPECT_EQ(unknown_service.status, 404);
  EXPECT_EQ(get(R"(/tasks?filters={"_up-to-date":{"true":true},"desired-state":{"running":true}})")
                .status,
            200);
  EXPECT_EQ(get("/tasks/nope").status, 404);

  EXPECT_EQ(get(R"(/nodes?filters={"role":{"manager":true}})").json().size(), 1u);
  EXPECT_EQ(get(R"(/nodes?filters={"role":{"worker":true}})").json().size(), 0u);
  Reply bad_role = get(R"(/nodes?filters={"role":{"boss":true}})");
  EXPECT_EQ(bad_role.status, 500);
  EXPECT_EQ(bad_role.message(), "Invalid role filter: 'boss'");
  EXPECT_EQ(get("/nodes/self").status, 404);

  auto node = get("/nodes/" + node_id).json();
  std::string body = R"({"Labels":{"zone":"a"},"Role":"manager","Availability":"drain"})";
  Reply updated =
      post("/nodes/" + node_id + "/update?version=" + node["Version"]["Index"].dump(), body);
  EXPECT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(get("/nodes/host-1").json()["Spec"]["Availability"], "drain");
  Reply demote = post("/nodes/" + node_id + "/update?version=" +
                          get("/nodes/host-1").json()["Version"]["Index"].dump(),
                      R"({"Role":"worker","Availability":"active"})");
  EXPECT_EQ(demote.status, 400);
  EXPECT_EQ(demote.message(),
            "rpc error: code = FailedPrecondition desc = attempting to demote the last manager of "
            "the swarm");
  EXPECT_EQ(del("/nodes/" + node_id).status, 400);
}

TEST_F(EngineTest, SecretsAndConfigs) {
  swarm_init();
  Reply created = post("/secrets/create", R"({"Name":"pw","Labels":{},"Data":"aHVudGVyMg=="})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto secret = get("/secrets/pw").json();
  EXPECT_EQ(secret["ID"], created.json()["ID"]);
  EXPECT_FALSE(secret["Spec"].contains("Data"));
  EXPECT_EQ(get(R"(/secrets?filters={"names":{"pw":true}})").json().size(), 1u);
  Reply dup = post("/secrets/create", R"({"Name":"pw","Data":"eA=="})");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.message(), "rpc error: code = AlreadyExists desc = secret pw already exists");
  Reply relabel = post("/secrets/" + secret["ID"].get<std::string>() +
                           "/update?version=" + secret["Version"]["Index"].dump(),
                       R"({"Name":"pw","Labels":{"a":"b"},"Data":"aHVudGVyMg=="})");
  EXPECT_EQ(relabel.status, 200) << relabel.body;
  EXPECT_EQ(post("/secrets/pw/update", "{}").message(), "invalid secret version");
  Reply removed = del("/secrets/pw");
  EXPECT_EQ(removed.status, 204);
  EXPECT_EQ(get("/secrets/pw").status, 404);

  ASSERT_EQ(post("/configs/create", R"({"Name":"conf","Data":"aGVsbG8="})").status, 201);
  EXPECT_EQ(get("/configs/conf").json()["Spec"]["Data"], "aGVsbG8=");
  EXPECT_EQ(get(R"(/configs?filters={"names":{"conf":true}})").message(), "invalid filter 'names'");
  EXPECT_EQ(del("/configs/conf").status, 204);
}

TEST_F(EngineTest, Networks) {
  swarm_init();
  Reply created = post(
      "/networks/create",
      R"({"Driver":"overlay","Scope":"","IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"10.5.0.0/24",)"
      R"("Gateway":"10.5.0.1"}]},"Internal":false,"Attachable":true,"Ingress":false,"ConfigOnly":false,)"
      R"("ConfigFrom":null,"Options":{"encrypted":""},"Labels":{"k":"v"},"Name":"n2","CheckDuplicate":true})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(created.json().contains("Id"));
  auto net = get("/networks/n2?scope=swarm").json();
  EXPECT_EQ(net["Id"], created.json()["Id"]);
  EXPECT_EQ(net["Scope"], "swarm");
  EXPECT_EQ(net["Driver"], "overlay");
  EXPECT_EQ(net["Attachable"], true);
  EXPECT_EQ(net["IPAM"]["Config"][0]["Subnet"], "10.5.0.0/24");
  EXPECT_EQ(get("/networks/n2?scope=local").status, 404);
  Reply dup = post("/networks/create", R"({"Name":"n2","Driver":"overlay","CheckDuplicate":true})");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.message(), "network with name n2 already exists");
  Reply predefined = post("/networks/create", R"({"Name":"bridge","Driver":"overlay"})");
  EXPECT_EQ(predefined.status, 403);
  EXPECT_EQ(predefined.message(), "bridge is a pre-defined network and cannot be created");

  EXPECT_EQ(get("/networks").json().size(), 2u);  // ingress and n2
  EXPECT_EQ(get(R"(/networks?filters={"label":{"k=v":true}})").json().size(), 1u);
  EXPECT_EQ(get(R"(/networks?filters={"name":{"ingress":true}})").json()[0]["Ingress"], true);
  EXPECT_EQ(get(R"(/networks?filters={"dangling":{"true":true}})").json().size(), 1u);
  EXPECT_EQ(get(R"(/networks?filters={"type":{"custom":true}})").json().size(), 1u);
  EXPECT_EQ(get(R"(/networks?filters={"foo":{"x":true}})").message(), "invalid filter 'foo'");
  EXPECT_EQ(del("/networks/n2").status, 204);
  EXPECT_EQ(del("/networks/n2").status, 404);
}

TEST_F(EngineTest, NetworkNameFilterPatternsCannotCrashOrPinTheDaemon) {
  swarm_init();
  ASSERT_EQ(
      post("/networks/create", R"({"Name":")" + std::string(60, 'a') + R"(","Driver":"overlay"})")
          .status,
      201);
  // Backtracking blow-up: answered (no match) instead of spinning a core.
  Reply pinned = get(R"(/networks?filters={"name":{"^(a|a)*$":true}})");
  EXPECT_EQ(pinned.status, 200);
  EXPECT_EQ(pinned.json().size(), 1u);
  // Recursion per nesting level overflowed the stack under std::regex.
  std::string nested = std::string(500, '(') + "x" + std::string(500, ')');
  EXPECT_EQ(get(R"(/networks?filters={"name":{")" + nested + R"(":true}})").status, 200);
  Reply long_pattern =
      get(R"(/networks?filters={"id":{")" + std::string(5000, '(') + R"(":true}})");
  EXPECT_EQ(long_pattern.status, 400);
  EXPECT_EQ(long_pattern.message(), "invalid regular expression: longer than 1024 characters");
  Reply bad = get(R"(/networks?filters={"name":{"in(":true}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.message().find("invalid regular expression \"in(\""), std::string::npos)
      << bad.message();
}

TEST_F(EngineTest, DistributionIsNotFound) {
  Reply r = get("/distribution/localhost:5000/foo/bar:latest/json");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.message().find("localhost:5000/foo/bar:latest"), std::string::npos);
}

TEST_F(EngineTest, LeaveWipesTheSwarm) {
  swarm_init();
  Reply refused = post("/swarm/leave");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(post("/swarm/leave?force=1").status, 200);
  EXPECT_EQ(get("/swarm").status, 503);
  EXPECT_EQ(get("/info").json()["Swarm"]["LocalNodeState"], "inactive");
}

}  // namespace
}  // namespace shoal::http::engine
