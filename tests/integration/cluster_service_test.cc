// Services across two real daemons on 127.0.0.1 (hollow executor): spread, drain, a worker
// killed with SIGKILL and brought back, node rm.
#include <map>

#include "cluster_fixture.h"

namespace shoal::testing {
namespace {

class ClusterServiceTest : public ClusterTest {
 protected:
  void SetUp() override {
    form_cluster(2);
    manager_ = node_id(0);
    worker_ = node_id(1);
    ASSERT_TRUE(eventually([&] { return node_field(worker_, "{{.Status.State}}") == "ready"; }));
  }
  bool spread(const std::string& service, std::map<std::string, int> want) {
    return eventually([&] { return running_per_node(service) == want; });
  }
  std::string manager_, worker_;
};

TEST_F(ClusterServiceTest, ReplicasSpreadDrainMovesThemAndADeadWorkerIsReplaced) {
  ok(0, {"swarm", "update", "--dispatcher-heartbeat", "1s"});
  ok(0, {"service", "create", "-d", "--name", "web", "--replicas", "4", "--no-resolve-image",
         "busybox", "sleep", "1000"});
  EXPECT_TRUE(spread("web", {{manager_, 2}, {worker_, 2}})) << ok(0, {"service", "ps", "web"});

  ok(0, {"node", "update", "--availability", "drain", worker_});
  EXPECT_TRUE(spread("web", {{manager_, 4}})) << ok(0, {"service", "ps", "web"});
  ok(0, {"node", "update", "--availability", "active", worker_});

  // Put two back on the worker (a forced update re-places every task), then kill it.
  ok(0, {"service", "update", "-d", "--force", "web"});
  EXPECT_TRUE(spread("web", {{manager_, 2}, {worker_, 2}})) << ok(0, {"service", "ps", "web"});
  nodes_[1].daemon->kill9();
  EXPECT_TRUE(eventually([&] { return node_field(worker_, "{{.Status.State}}") == "down"; }))
      << ok(0, {"node", "ls"});
  EXPECT_TRUE(spread("web", {{manager_, 4}})) << ok(0, {"service", "ps", "web"});

  // Back: Ready again, and still exactly 4 running tasks (nothing duplicated).
  start_node(1);
  EXPECT_TRUE(eventually([&] { return node_field(worker_, "{{.Status.State}}") == "ready"; }))
      << nodes_[1].daemon->log();
  EXPECT_EQ(trim(ok(1, {"info", "--format", "{{.Swarm.NodeID}}"})), worker_);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // let a duplicate show if any
  EXPECT_EQ(running_per_node("web"), (std::map<std::string, int>{{manager_, 4}}));
}

TEST_F(ClusterServiceTest, NodeRmNeedsForceForAReadyNodeAndTheRemovedWorkerStops) {
  ok(0, {"service", "create", "-d", "--name", "web", "--replicas", "2", "--no-resolve-image",
         "busybox", "sleep", "1000"});
  EXPECT_TRUE(spread("web", {{manager_, 1}, {worker_, 1}})) << ok(0, {"service", "ps", "web"});
  fails(0, {"node", "rm", worker_}, "is not down and can't be removed");
  ok(0, {"node", "rm", "--force", worker_});
  EXPECT_TRUE(spread("web", {{manager_, 2}})) << ok(0, {"service", "ps", "web"});
  EXPECT_EQ(trim(ok(0, {"node", "ls", "-q"})), manager_);
  // The worker hears it is removed: error state, and it can still leave.
  EXPECT_TRUE(eventually([&] {
    return trim(ok(1, {"info", "--format", "{{.Swarm.LocalNodeState}}"})) == "error";
  })) << nodes_[1].daemon->log();
  ok(1, {"swarm", "leave"});
  EXPECT_EQ(trim(ok(1, {"info", "--format", "{{.Swarm.LocalNodeState}}"})), "inactive");
}

TEST_F(ClusterServiceTest, NodeLabelsPlaceTasksOnTheWorker) {
  ok(0, {"node", "update", "--label-add", "zone=east", worker_});
  ok(0, {"service", "create", "-d", "--name", "east", "--replicas", "2", "--constraint",
         "node.labels.zone==east", "--no-resolve-image", "busybox", "sleep", "1000"});
  EXPECT_TRUE(spread("east", {{worker_, 2}})) << ok(0, {"service", "ps", "east"});
  ok(0, {"node", "update", "--availability", "pause", worker_});
  ok(0, {"service", "scale", "-d", "east=3"});
  // Paused: nothing new lands on the worker, and no other node qualifies.
  EXPECT_TRUE(eventually([&] {
    return contains(ok(0, {"service", "ps", "east", "--format", "{{.CurrentState}}"}), "Pending");
  }));
  EXPECT_EQ(running_per_node("east"), (std::map<std::string, int>{{worker_, 2}}));
  ok(0, {"node", "update", "--availability", "active", worker_});
  EXPECT_TRUE(spread("east", {{worker_, 3}})) << ok(0, {"service", "ps", "east"});
}

TEST_F(ClusterServiceTest, AWorkerRestartsAsAWorker) {
  ASSERT_EQ(nodes_[1].daemon->stop(SIGTERM), 0) << nodes_[1].daemon->log();
  start_node(1);
  EXPECT_EQ(trim(ok(1, {"info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}"})),
            "active " + worker_);
  EXPECT_TRUE(eventually([&] { return node_field(worker_, "{{.Status.State}}") == "ready"; }));
  EXPECT_EQ(trim(ok(0, {"node", "ls", "-q"})).size(), 2 * worker_.size() + 1);
}

}  // namespace
}  // namespace shoal::testing
