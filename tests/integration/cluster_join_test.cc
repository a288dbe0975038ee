// Two real daemons on 127.0.0.1 (hollow executor): join, the worker's view, tokens.
#include "cluster_fixture.h"

namespace shoal::testing {
namespace {

class ClusterJoinTest : public ClusterTest {};

TEST_F(ClusterJoinTest, AWorkerJoinsAndTheManagerSeesItReady) {
  form_cluster(2);
  std::string worker = node_id(1);
  ASSERT_FALSE(worker.empty());
  EXPECT_TRUE(eventually([&] {
    return node_field(worker, "{{.Status.State}} {{.Spec.Availability}} {{.Spec.Role}}") ==
           "ready active worker";
  })) << ok(0, {"node", "ls"});
  std::string ls = ok(0, {"node", "ls", "--format", "{{.Status}} {{.Availability}}"});
  EXPECT_EQ(ls, "Ready Active\nReady Active\n");

  // The worker's view.
  EXPECT_EQ(
      trim(ok(1, {"info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"})),
      "active false");
  EXPECT_EQ(trim(ok(1, {"info", "--format", "{{range .Swarm.RemoteManagers}}{{.Addr}}{{end}}"})),
            manager_addr());
  const std::string worker_text =
      "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster "
      "state. Please run this command on a manager node or promote the current node to a "
      "manager.";
  fails(1, {"service", "ls"}, worker_text);
  fails(1, {"node", "ls"}, worker_text);
  fails(1, {"swarm", "join", "--token", "SWMTKN-1-x", manager_addr()},
        "This node is already part of a swarm.");
  // The manager needs --force to leave; the worker leaves and its node goes down.
  fails(0, {"swarm", "leave"},
        "You are attempting to leave the swarm on a node that is "
        "participating as a manager.");
  std::string left = ok(1, {"swarm", "leave"});
  EXPECT_TRUE(contains(left, "Node left the swarm.")) << left;
  EXPECT_EQ(trim(ok(1, {"info", "--format", "{{.Swarm.LocalNodeState}}"})), "inactive");
}

TEST_F(ClusterJoinTest, AManagerThatCannotListenSaysSoInInfo) {
  start_node(0);
  start_node(1);
  ok(0, {"swarm", "init"});
  // Node 1 asks for node 0's address: it stays a working single-node manager, and says why
  // nobody can join it.
  ok(1, {"swarm", "init", "--listen-addr", manager_addr()});
  EXPECT_EQ(trim(ok(1, {"info", "--format", "{{.Swarm.LocalNodeState}}"})), "active");
  std::string error = ok(1, {"info", "--format", "{{.Swarm.Error}}"});
  EXPECT_TRUE(contains(error, "not serving other nodes")) << error;
  EXPECT_TRUE(contains(error, manager_addr())) << error;
  EXPECT_EQ(trim(ok(0, {"info", "--format", "{{.Swarm.Error}}"})), "");
}

TEST_F(ClusterJoinTest, WrongAndRotatedTokensAreRefused) {
  start_node(0);
  start_node(1);
  ok(0, {"swarm", "init"});
  std::string token = trim(ok(0, {"swarm", "join-token", "-q", "worker"}));
  // Right CA digest, wrong secret.
  std::string forged = token.substr(0, token.size() - 5) + "zzzzz";
  fails(1, {"swarm", "join", "--token", forged, manager_addr()},
        "A valid join token is necessary to join this cluster");
  fails(1, {"swarm", "join", "--token", "SWMTKN-1-x", manager_addr()}, "invalid join token");
  // Nobody listens there.
  fails(1, {"swarm", "join", "--token", token, "127.0.0.1:" + std::to_string(free_port())},
        "could not connect to");
  EXPECT_EQ(trim(ok(1, {"info", "--format", "{{.Swarm.LocalNodeState}}"})), "inactive");
  std::string manager_token = trim(ok(0, {"swarm", "join-token", "-q", "manager"}));
  fails(1, {"swarm", "join", "--token", manager_token, manager_addr()},
        "this node cannot join as a manager: the swarm keeps its state in an embedded store");
  ok(0, {"swarm", "join-token", "--rotate", "worker"});
  fails(1, {"swarm", "join", "--token", token, manager_addr()},
        "A valid join token is necessary to join this cluster");
  EXPECT_EQ(trim(ok(0, {"node", "ls", "-q"})).find('\n'), std::string::npos);  // one node
  std::string fresh = trim(ok(0, {"swarm", "join-token", "-q", "worker"}));
  ok(1, {"swarm", "join", "--token", fresh, manager_addr()});
}

}  // namespace
}  // namespace shoal::testing
