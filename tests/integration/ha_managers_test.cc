// Several managers sharing one etcd (--etcd-endpoints), real daemons on 127.0.0.1 driven by
// the docker CLI: a manager joins with the manager token, follows the leader's store and
// serves reads, forwards writes to the leader (and reads them back at once), and takes over
// when the leader is killed;
// a daemon whose store is not the swarm's cannot join as a manager, nor init a second swarm
// in a shared etcd.
#include <algorithm>

#include "cluster_fixture.h"
#include "etcd_fixture.h"

namespace shoal::testing {
namespace {

class HaManagersTest : public ClusterTest {
 protected:
  void SetUp() override {
    etcd_ = start_test_etcd(tmp_.path(), "managers");
    ASSERT_TRUE(etcd_);
  }

  void TearDown() override {
    ClusterTest::TearDown();
    etcd_.reset();  // after the daemons
  }

  void start_manager(size_t i) {
    start_node(i, "hollow", {"--etcd-endpoints=" + etcd_->options().client_address});
  }

  // Node 0 inits; nodes 1..n-1 join it as managers.
  void form_managers(size_t n) {
    for (size_t i = nodes_.size(); i < n; ++i) start_manager(i);
    ok(0, {"swarm", "init"});
    std::string token = trim(ok(0, {"swarm", "join-token", "-q", "manager"}));
    for (size_t i = 1; i < n; ++i) {
      std::string out = ok(i, {"swarm", "join", "--token", token, manager_addr()});
      EXPECT_TRUE(contains(out, "This node joined a swarm as a manager.")) << out;
    }
  }

  // `docker node ls` on node i: "<hostname-less> <manager status>" lines, sorted.
  std::string manager_statuses(size_t i) const {
    std::string out = docker(i, {"node", "ls", "--format", "{{.ManagerStatus}}"}).out;
    std::vector<std::string> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return join(lines);
  }

  std::unique_ptr<etcd::Member> etcd_;
};

TEST_F(HaManagersTest, AJoinedManagerServesReadsForwardsWritesAndLeadsWhenTheLeaderIsKilled) {
  form_managers(2);
  std::string first = node_id(0);
  std::string second = node_id(1);
  EXPECT_TRUE(eventually([&] { return manager_statuses(1) == "Leader Reachable"; }))
      << manager_statuses(1);
  EXPECT_EQ(trim(ok(1, {"info", "--format", "{{.Swarm.ControlAvailable}} {{.Swarm.Managers}}"})),
            "true 2");

  ok(0, {"service", "create", "-d", "--name", "web", "--replicas", "2", "--no-resolve-image",
         "nginx:alpine"});
  EXPECT_TRUE(eventually([&] {
    return trim(docker(1, {"service", "ls", "--format", "{{.Name}}"}).out) == "web";
  })) << ok(1, {"service", "ls"});
  // A write on the follower is the leader's to make; the follower reads it back at once.
  std::string id = trim(
      ok(1, {"service", "create", "-d", "--name", "forwarded", "--no-resolve-image", "busybox"}));
  EXPECT_EQ(trim(ok(1, {"service", "inspect", "forwarded", "--format", "{{.ID}}"})), id);
  ok(1, {"service", "update", "-d", "--replicas", "3", "forwarded"});
  EXPECT_EQ(trim(ok(1, {"service", "inspect", "forwarded", "--format",
                        "{{.Spec.Mode.Replicated.Replicas}}"})),
            "3");
  EXPECT_EQ(trim(ok(0, {"service", "inspect", "forwarded", "--format", "{{.ID}}"})), id);
  ok(1, {"service", "rm", "forwarded"});
  fails(1, {"service", "inspect", "forwarded"}, "no such service");
  // Errors come back as the leader gave them.
  fails(1, {"service", "create", "-d", "--name", "web", "--no-resolve-image", "busybox"},
        "already exists");

  nodes_[0].daemon->kill9();
  // The second manager leads once the first one's etcd lease has expired.
  EXPECT_TRUE(eventually(
      [&] {
        return docker(1, {"service", "create", "-d", "--name", "after", "--no-resolve-image",
                          "busybox"})
                   .exit_code == 0;
      },
      std::chrono::seconds(60)))
      << tail(nodes_[1].daemon->log());
  std::string services = ok(1, {"service", "ls", "--format", "{{.Name}}"});
  EXPECT_TRUE(contains(services, "web")) << services;
  EXPECT_TRUE(contains(services, "after")) << services;
  EXPECT_EQ(trim(ok(1, {"node", "inspect", second, "--format", "{{.ManagerStatus.Leader}}"})),
            "true");
  EXPECT_EQ(trim(ok(1, {"node", "inspect", first, "--format", "{{.ManagerStatus.Leader}}"})),
            "false");
}

TEST_F(HaManagersTest, AWorkerMovesToTheNewLeaderAndItsTasksKeepRunning) {
  form_managers(2);
  start_node(2);  // a worker with its own (unused) store
  std::string token = trim(ok(0, {"swarm", "join-token", "-q", "worker"}));
  ok(2, {"swarm", "join", "--token", token, manager_addr()});
  std::string worker = node_id(2);
  ok(0, {"service", "create", "-d", "--name", "web", "--replicas", "1", "--constraint",
         "node.role==worker", "--no-resolve-image", "nginx:alpine"});
  auto running_on_worker = [&] {
    return trim(docker(1, {"service", "ps", "web", "--filter", "desired-state=running", "--format",
                           "{{.ID}} {{.CurrentState}}"})
                    .out);
  };
  std::string task;
  ASSERT_TRUE(eventually([&] {
    std::string line = running_on_worker();
    if (!contains(line, "Running")) return false;
    task = line.substr(0, line.find(' '));
    return true;
  })) << running_on_worker();

  nodes_[0].daemon->kill9();
  // The worker finds the new leader among the managers its session listed, and stays Ready.
  EXPECT_TRUE(eventually(
      [&] {
        return contains(nodes_[2].daemon->log(),
                        "now talking to the manager at " + manager_addr(1));
      },
      std::chrono::seconds(60)))
      << tail(nodes_[2].daemon->log());
  EXPECT_TRUE(eventually([&] {
    return trim(docker(1, {"node", "inspect", worker, "--format", "{{.Status.State}}"}).out) ==
           "ready";
  })) << docker(1, {"node", "ls"}).out;
  // The same task still runs: the failover restarted nothing.
  std::string after = running_on_worker();
  EXPECT_EQ(after.substr(0, after.find(' ')), task) << after;
  EXPECT_EQ(
      trim(docker(1, {"service", "ps", "web", "-q", "--no-trunc"}).out).substr(0, task.size()),
      task)
      << "no task replaced";
}

TEST_F(HaManagersTest, ADaemonWithItsOwnStoreCannotJoinAsAManager) {
  start_manager(0);
  start_node(1);  // SQLite
  ok(0, {"swarm", "init"});
  std::string token = trim(ok(0, {"swarm", "join-token", "-q", "manager"}));
  fails(1, {"swarm", "join", "--token", token, manager_addr()},
        "this node cannot join as a manager: its store is not the swarm's etcd (start it with "
        "--etcd-endpoints naming the swarm's etcd cluster)");
  EXPECT_EQ(trim(ok(1, {"info", "--format", "{{.Swarm.LocalNodeState}}"})), "inactive");
  EXPECT_EQ(trim(ok(0, {"node", "ls", "-q"})), node_id(0)) << "no node left behind";
}

TEST_F(HaManagersTest, ASecondDaemonOnTheSameEtcdCannotInitAnotherSwarm) {
  start_manager(0);
  start_manager(1);
  ok(0, {"swarm", "init"});
  std::string cluster = trim(ok(0, {"info", "--format", "{{.Swarm.Cluster.ID}}"}));
  // Its cluster record is sealed with a key node 1 does not have: it cannot name it.
  fails(1, {"swarm", "init"}, "this node's store (a shared etcd) already holds a swarm: join it");
  EXPECT_EQ(trim(ok(0, {"info", "--format", "{{.Swarm.Cluster.ID}}"})), cluster);
  EXPECT_EQ(trim(ok(0, {"node", "ls", "-q"})), node_id(0));
}

}  // namespace
}  // namespace shoal::testing
