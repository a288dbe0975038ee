// Services that converge: the docker CLI waits (no --detach) until the orchestrators,
// scheduler, dispatcher and agent have run the tasks. Needs the whole control plane wired
// into the daemon, running the hollow executor (the daemon's default until runc lands;
// then the fixture must pass --executor=hollow).
#include <gtest/gtest.h>

#include <algorithm>

#include "engine_fixture.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

class EngineConvergeTest : public EngineIntegrationTest {
 protected:
  void SetUp() override {
    EngineIntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    swarm_init();
  }

  // Tasks of `service` in `state` (docker service ps, current state column).
  size_t tasks_in(const std::string& service, const std::string& state,
                  const std::string& desired = "running") {
    CommandResult r =
        docker({"service", "ps", "-q", "--filter", "desired-state=" + desired, service});
    if (r.exit_code != 0) return 0;
    size_t n = 0;
    std::string ids = trim(r.out);
    size_t pos = 0;
    while (pos < ids.size()) {
      size_t end = ids.find('\n', pos);
      std::string id = ids.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      pos = end == std::string::npos ? ids.size() : end + 1;
      if (trim(ok({"inspect", "--format", "{{.Status.State}}", id})) == state) ++n;
    }
    return n;
  }
};

TEST_F(EngineConvergeTest, CreateWaitsUntilTheServiceConverged) {
  std::string out = ok({"service", "create", "--name", "web", "--replicas", "3",
                        "--no-resolve-image", "busybox:latest", "sleep", "1d"},
                       180s);
  EXPECT_TRUE(contains(out, "overall progress: 3 out of 3 tasks")) << out;
  // The CLI names a new service by its ID here, by the name given on later commands.
  std::string id = trim(ok({"service", "inspect", "web", "--format", "{{.ID}}"}));
  EXPECT_TRUE(contains(out, "verify: Service " + id + " converged")) << out;
  EXPECT_EQ(tasks_in("web", "running"), 3u);
  EXPECT_TRUE(contains(ok({"service", "ls"}), "3/3"));
  std::string ps = ok({"service", "ps", "web"});
  EXPECT_TRUE(contains(ps, "web.1") && contains(ps, "web.3")) << ps;
  EXPECT_TRUE(contains(ps, "Running")) << ps;
}

TEST_F(EngineConvergeTest, ScaleUpdateRollbackRemove) {
  ok({"service", "create", "--name", "web", "--replicas", "2", "--update-delay", "0s",
      "--no-resolve-image", "busybox:latest", "sleep", "1d"},
     180s);
  std::string out = ok({"service", "scale", "web=4"}, 180s);
  EXPECT_TRUE(contains(out, "verify: Service web converged")) << out;
  EXPECT_EQ(tasks_in("web", "running"), 4u);

  out = ok({"service", "update", "--no-resolve-image", "--image", "busybox:1.36", "web"}, 240s);
  EXPECT_TRUE(contains(out, "verify: Service web converged")) << out;
  EXPECT_TRUE(eventually([&] { return tasks_in("web", "shutdown", "shutdown") >= 4; }));
  std::string images =
      ok({"service", "ps", "--filter", "desired-state=running", "--format", "{{.Image}}", "web"});
  EXPECT_FALSE(contains(images, "busybox:latest")) << images;

  out = ok({"service", "rollback", "web"}, 240s);
  EXPECT_TRUE(contains(out, "rollback: manually requested rollback")) << out;
  EXPECT_TRUE(contains(out, "verify: Service web converged")) << out;
  images =
      ok({"service", "ps", "--filter", "desired-state=running", "--format", "{{.Image}}", "web"});
  EXPECT_FALSE(contains(images, "busybox:1.36")) << images;

  ok({"service", "rm", "web"});
  EXPECT_TRUE(eventually([&] {
    CommandResult r = curl({"http://localhost/v1.41/tasks"});
    return trim(r.out) == "[]";
  })) << curl({"http://localhost/v1.41/tasks"}).out;
}

TEST_F(EngineConvergeTest, GlobalServicesAndJobs) {
  std::string out = ok({"service", "create", "--name", "g", "--mode", "global",
                        "--no-resolve-image", "busybox:latest", "sleep", "1d"},
                       180s);
  EXPECT_TRUE(contains(out, "converged")) << out;
  EXPECT_TRUE(contains(ok({"service", "ls", "--filter", "name=g"}), "1/1"));
  // Hollow job tasks complete when their container label says so.
  out = ok({"service", "create", "--name", "j", "--mode", "replicated-job", "--replicas", "3",
            "--max-concurrent", "2", "--container-label", "shoal.hollow.complete-after=0s",
            "--no-resolve-image", "busybox:latest", "true"},
           180s);
  EXPECT_TRUE(contains(out, "job complete")) << out;
  EXPECT_TRUE(contains(ok({"service", "ls", "--filter", "name=j"}), "(3/3 completed)"));
}

TEST_F(EngineConvergeTest, DrainMovesNothingOntoTheNodeAndStackPsShowsTasks) {
  ok({"service", "create", "--name", "web", "--replicas", "2", "--no-resolve-image",
      "busybox:latest", "sleep", "1d"},
     180s);
  std::string node_id = trim(ok({"info", "--format", "{{.Swarm.NodeID}}"}));
  ok({"node", "update", "--availability", "drain", node_id});
  EXPECT_TRUE(eventually([&] { return tasks_in("web", "running") == 0; }));
  EXPECT_TRUE(contains(ok({"node", "ps", "self"}), "web.1"));
  ok({"node", "update", "--availability", "active", node_id});
  EXPECT_TRUE(eventually([&] { return tasks_in("web", "running") == 2; }));
}

TEST_F(EngineConvergeTest, TasksThatFitNowhereStayPendingWithTheReason) {
  ok({"service", "create", "-d", "--name", "mars", "--constraint", "node.labels.zone==mars",
      "--no-resolve-image", "busybox:latest", "sleep", "1d"});
  ok({"service", "create", "-d", "--name", "huge", "--reserve-memory", "100000G",
      "--no-resolve-image", "busybox:latest", "sleep", "1d"});
  auto error_of = [&](const std::string& service) {
    return ok({"service", "ps", "--no-trunc", "--format", "{{.CurrentState}} {{.Error}}", service});
  };
  EXPECT_TRUE(eventually([&] {
    return contains(error_of("mars"), "no suitable node (scheduling constraints not satisfied");
  })) << error_of("mars");
  EXPECT_TRUE(contains(error_of("mars"), "Pending")) << error_of("mars");
  EXPECT_TRUE(eventually([&] {
    return contains(error_of("huge"), "no suitable node (insufficient resources on 1 node)");
  })) << error_of("huge");
  EXPECT_TRUE(contains(ok({"service", "ls", "--filter", "name=mars"}), "0/1"));

  // Once a node fits, the pending task runs.
  std::string node_id = trim(ok({"info", "--format", "{{.Swarm.NodeID}}"}));
  ok({"node", "update", "--label-add", "zone=mars", node_id});
  EXPECT_TRUE(eventually([&] { return tasks_in("mars", "running") == 1; }));
}

// kill -9 of the daemon: services, tasks, secrets, tokens and node identity come back; the
// reconcilers converge again without a duplicate slot.
TEST_F(EngineConvergeTest, EverythingComesBackAfterKill9) {
  std::string node_id = trim(ok({"info", "--format", "{{.Swarm.NodeID}}"}));
  std::string token = trim(ok({"swarm", "join-token", "-q", "worker"}));
  CommandResult secret = run_command(
      {"sh", "-c", "printf s3cret | docker secret create db -"},
      {{"DOCKER_HOST", "unix://" + socket_}, {"DOCKER_CONFIG", tmp_.path() + "/docker"}});
  ASSERT_EQ(secret.exit_code, 0) << secret.err;
  ok({"service", "create", "--name", "web", "--replicas", "5", "--secret", "db",
      "--no-resolve-image", "busybox:latest", "sleep", "1d"},
     180s);
  std::string before = ok({"service", "ps", "-q", "--filter", "desired-state=running", "web"});

  daemon_->kill9();
  ASSERT_TRUE(daemon_->start());
  ASSERT_TRUE(daemon_->wait_ready()) << daemon_->log();

  EXPECT_EQ(trim(ok({"info", "--format", "{{.Swarm.NodeID}}"})), node_id);
  EXPECT_EQ(trim(ok({"swarm", "join-token", "-q", "worker"})), token);
  EXPECT_TRUE(contains(ok({"secret", "ls"}), "db"));
  EXPECT_TRUE(eventually([&] { return tasks_in("web", "running") == 5; }));
  // Exactly one task per slot wants to run; the hollow containers did not survive the kill,
  // so the agent may have replaced some, but never added a sixth.
  std::string slots =
      ok({"service", "ps", "--filter", "desired-state=running", "--format", "{{.Name}}", "web"});
  for (int slot = 1; slot <= 5; ++slot) {
    std::string name = "web." + std::to_string(slot) + "\n";
    size_t first = slots.find(name);
    EXPECT_NE(first, std::string::npos) << slots;
    EXPECT_EQ(slots.find(name, first + 1), std::string::npos) << slots;
  }
  EXPECT_EQ(std::count(slots.begin(), slots.end(), '\n'), 5) << slots;
}

}  // namespace
}  // namespace shoal::testing
