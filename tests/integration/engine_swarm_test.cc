// The real docker CLI against the real daemon: docker swarm, docker info, docker node.
#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace shoal::testing {
namespace {

constexpr const char* kNotManager =
    "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to "
    "connect "
    "this node to swarm and try again.";

class EngineSwarmTest : public EngineIntegrationTest {};

TEST_F(EngineSwarmTest, InitShowsTheSwarmEverywhere) {
  EXPECT_TRUE(contains(ok({"info"}), "Swarm: inactive"));
  fails({"node", "ls"}, kNotManager);
  std::string out = ok({"swarm", "init", "--advertise-addr", "127.0.0.1"});
  EXPECT_TRUE(contains(out, "Swarm initialized: current node (")) << out;
  EXPECT_TRUE(contains(out, "docker swarm join --token SWMTKN-1-")) << out;
  EXPECT_TRUE(contains(out, "127.0.0.1:2377")) << out;

  std::string info = ok({"info"});
  EXPECT_TRUE(contains(info, "Swarm: active")) << info;
  EXPECT_TRUE(contains(info, "Is Manager: true")) << info;
  EXPECT_TRUE(contains(info, "Managers: 1")) << info;
  EXPECT_TRUE(contains(info, "Default Address Pool: 10.0.0.0/8")) << info;
  EXPECT_TRUE(contains(info, "Task History Retention Limit: 5")) << info;
  std::string node_id = trim(ok({"info", "--format", "{{.Swarm.NodeID}}"}));
  EXPECT_EQ(node_id.size(), 25u);

  // /_ping agrees with /info.
  CommandResult ping = curl({"-I", "http://localhost/_ping"});
  EXPECT_TRUE(contains(ping.out, "Swarm: active/manager")) << ping.out;

  std::string nodes = ok({"node", "ls"});
  EXPECT_TRUE(contains(nodes, node_id + " *")) << nodes;
  EXPECT_TRUE(contains(nodes, "Leader")) << nodes;
  EXPECT_TRUE(contains(nodes, "Ready")) << nodes;
  EXPECT_EQ(trim(ok({"node", "inspect", "self", "--format", "{{.ManagerStatus.Addr}}"})),
            "127.0.0.1:2377");
  std::string pretty = ok({"node", "inspect", "--pretty", "self"});
  EXPECT_TRUE(contains(pretty, "Leader:\t\tYes")) << pretty;
  fails({"swarm", "init"},
        "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and "
        "join another one.");
  fails({"swarm", "join", "--token", "SWMTKN-1-x", "10.0.0.1:2377"},
        "This node is already part of a swarm.");
}

TEST_F(EngineSwarmTest, NodeUpdatePromoteDemoteRemove) {
  std::string node_id = swarm_init();
  ok({"node", "update", "--availability", "drain", "--label-add", "zone=east", node_id});
  EXPECT_EQ(trim(ok({"node", "inspect", node_id, "--format",
                     "{{.Spec.Availability}} {{.Spec.Labels.zone}}"})),
            "drain east");
  ok({"node", "update", "--availability", "active", "--label-rm", "zone", node_id.substr(0, 6)});
  EXPECT_EQ(trim(ok({"node", "inspect", node_id, "--format", "{{.Spec.Availability}}"})), "active");
  fails({"node", "update", "--availability", "drain", "self"}, "node self not found");
  fails({"node", "demote", node_id}, "attempting to demote the last manager of the swarm");
  EXPECT_TRUE(contains(ok({"node", "promote", node_id}), "is already a manager"));
  fails({"node", "rm", node_id},
        "is a cluster manager and is a member of the raft cluster. It must be demoted to worker "
        "before removal");
  fails({"node", "inspect", "nosuchnode"}, "node nosuchnode not found");
  // A stale version changes nothing.
  std::string version = trim(ok({"node", "inspect", node_id, "--format", "{{.Version.Index}}"}));
  CommandResult stale = curl({"-X", "POST", "-H", "Content-Type: application/json", "-d",
                              R"({"Role":"manager","Availability":"pause"})",
                              "http://localhost/v1.41/nodes/" + node_id + "/update?version=1"});
  EXPECT_TRUE(contains(stale.out, "rpc error: code = Unknown desc = update out of sequence"))
      << stale.out;
  EXPECT_EQ(trim(ok({"node", "inspect", node_id, "--format",
                     "{{.Version.Index}} {{.Spec.Availability}}"})),
            version + " active");
}

TEST_F(EngineSwarmTest, JoinTokensUpdateAndUnlockKey) {
  swarm_init();
  std::string worker = trim(ok({"swarm", "join-token", "-q", "worker"}));
  std::string manager = trim(ok({"swarm", "join-token", "-q", "manager"}));
  EXPECT_TRUE(worker.starts_with("SWMTKN-1-")) << worker;
  EXPECT_NE(worker, manager);
  EXPECT_TRUE(
      contains(ok({"swarm", "join-token", "worker"}), "docker swarm join --token " + worker));
  std::string rotated = ok({"swarm", "join-token", "--rotate", "worker"});
  EXPECT_TRUE(contains(rotated, "Successfully rotated worker join token.")) << rotated;
  EXPECT_NE(trim(ok({"swarm", "join-token", "-q", "worker"})), worker);
  EXPECT_EQ(trim(ok({"swarm", "join-token", "-q", "manager"})), manager);

  EXPECT_TRUE(contains(ok({"swarm", "update", "--task-history-limit", "7"}), "Swarm updated."));
  EXPECT_TRUE(contains(ok({"info"}), "Task History Retention Limit: 7"));
  fails({"swarm", "unlock-key"}, "no unlock key is set");
  ok({"swarm", "update", "--autolock=true"});
  std::string key = trim(ok({"swarm", "unlock-key", "-q"}));
  EXPECT_TRUE(key.starts_with("SWMKEY-1-")) << key;
  ok({"swarm", "unlock-key", "--rotate"});
  EXPECT_NE(trim(ok({"swarm", "unlock-key", "-q"})), key);
  fails({"swarm", "unlock"}, "swarm is not locked");
  ok({"swarm", "update", "--autolock=false"});
  fails({"swarm", "unlock-key"}, "no unlock key is set");
}

TEST_F(EngineSwarmTest, LeaveNeedsForceAndForgetsEverything) {
  swarm_init();
  ok({"network", "create", "-d", "overlay", "net1"});
  fails({"swarm", "leave"}, "Removing the last manager erases all current state of the swarm.");
  EXPECT_TRUE(contains(ok({"swarm", "leave", "--force"}), "Node left the swarm."));
  EXPECT_TRUE(contains(ok({"info"}), "Swarm: inactive"));
  fails({"node", "ls"}, kNotManager);
  fails({"swarm", "leave"}, "This node is not part of a swarm");
  swarm_init();
  std::string networks = ok({"network", "ls", "--format", "{{.Name}}"});
  EXPECT_EQ(trim(networks), "ingress") << networks;
}

TEST_F(EngineSwarmTest, TheSwarmSurvivesARestart) {
  std::string node_id = swarm_init();
  ok({"service", "create", "-d", "--name", "web", "--no-resolve-image", "busybox:latest", "sleep",
      "1d"});
  restart();
  EXPECT_TRUE(contains(ok({"info"}), "Swarm: active"));
  EXPECT_EQ(trim(ok({"info", "--format", "{{.Swarm.NodeID}}"})), node_id);
  EXPECT_TRUE(contains(ok({"node", "ls"}), node_id + " *"));
  EXPECT_EQ(trim(ok({"service", "ls", "--format", "{{.Name}}"})), "web");
}

}  // namespace
}  // namespace shoal::testing
