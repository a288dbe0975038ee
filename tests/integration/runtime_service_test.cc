// The container runtime end to end: docker service create/scale/update/rm on a real daemon
// running real runc containers (the issue's acceptance), with logs and cleanup checked.
#include <thread>

#include "registry_fixture.h"
#include "runtime_fixture.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(RuntimeIntegrationTest, ServiceRunsScalesRollsAndLeavesNothingBehind) {
  ok({"service", "create", "-d", "--name", "w", "--replicas", "3", kImage, "sh", "-c",
      "echo hello from $(hostname); exec sleep 1d"});
  ASSERT_TRUE(eventually([&] { return running_tasks("w") == 3 && running_containers() == 3; }))
      << docker({"service", "ps", "w", "--no-trunc"}).out << tail(daemon_->log());

  // Each task's output, with the CLI's task context.
  ASSERT_TRUE(eventually([&] {
    std::string logs = docker({"service", "logs", "w"}).out;
    size_t n = 0;
    for (size_t p = 0; (p = logs.find("hello from", p)) != std::string::npos; ++p) ++n;
    return n == 3;
  })) << docker({"service", "logs", "w"}).out
      << docker({"service", "logs", "w"}).err;
  std::string logs = docker({"service", "logs", "--timestamps", "w"}).out;
  EXPECT_TRUE(contains(logs, "w.1.")) << logs;
  EXPECT_TRUE(contains(logs, "| hello from")) << logs;

  // The containers are shoal's own: `shoal ps` lists them.
  CommandResult ps = run_command({SHOAL_BINARY, "ps", "-H", socket_});
  EXPECT_EQ(ps.exit_code, 0) << ps.err;
  EXPECT_TRUE(contains(ps.out, "running")) << ps.out;

  ok({"service", "scale", "-d", "w=20"});
  ASSERT_TRUE(
      eventually([&] { return running_tasks("w") == 20 && running_containers() == 20; }, 180s))
      << docker({"service", "ps", "w"}).out;

  // A rolling update replaces every container.
  auto before = runc_list();
  CommandResult tagged = run_command({"bash", source_dir() + "/tests/support/make_test_image.sh",
                                      tmp_.path() + "/image2", "2", "busybox"});
  ASSERT_EQ(tagged.exit_code, 0) << tagged.err;
  ok({"load", "-i", tmp_.path() + "/image2/image.tar"});
  ok({"service", "update", "-d", "--update-parallelism", "5", "--update-delay", "0s", "--image",
      "busybox:2", "w"});
  ASSERT_TRUE(eventually(
      [&] {
        auto now = runc_list();
        if (running_tasks("w") != 20) return false;
        size_t fresh = 0;
        for (const auto& [id, status] : now) fresh += status == "running" && !before.contains(id);
        return fresh == 20;
      },
      300s))
      << docker({"service", "ps", "w"}).out;

  std::vector<std::string> ids;
  for (const auto& [id, status] : runc_list()) ids.push_back(id);
  for (const auto& [id, status] : before) ids.push_back(id);
  ok({"service", "rm", "w"});
  ASSERT_TRUE(eventually([&] { return task_dirs().empty(); }, 120s)) << tail(daemon_->log());
  EXPECT_TRUE(runc_list().empty());
  EXPECT_TRUE(mounts_under_tmp().empty());
  EXPECT_TRUE(cgroups_of(ids).empty());
}

TEST_F(RuntimeIntegrationTest, ContainerSpecReachesTheContainer) {
  ok({"service",
      "create",
      "-d",
      "--name",
      "opts",
      "--init",
      "--user",
      "nobody",
      "--env",
      "FOO=bar",
      "--workdir",
      "/tmp",
      "--read-only",
      "--mount",
      "type=tmpfs,target=/scratch",
      "--limit-memory",
      "64m",
      "--hostname",
      "myhost",
      "--cap-drop",
      "ALL",
      kImage,
      "sh",
      "-c",
      "echo uid=$(id -u) foo=$FOO pwd=$(pwd) host=$(hostname); "
      "echo init=$(tr '\\0' ' ' < /proc/1/cmdline); "
      "touch /x 2>/dev/null || echo rootfs-ro; touch /scratch/y && echo tmpfs-rw; "
      "echo mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes); "
      "grep CapEff /proc/self/status; exec sleep 1d"});
  ASSERT_TRUE(eventually([&] {
    return contains(docker({"service", "logs", "opts"}).out, "CapEff");
  })) << docker({"service", "ps", "opts", "--no-trunc"}).out
      << docker({"service", "logs", "opts"}).out;
  std::string logs = docker({"service", "logs", "opts"}).out;
  EXPECT_TRUE(contains(logs, "uid=65534 foo=bar pwd=/tmp host=myhost")) << logs;
  EXPECT_TRUE(contains(logs, "init=/sbin/docker-init -- sh -c")) << logs;
  EXPECT_TRUE(contains(logs, "rootfs-ro")) << logs;
  EXPECT_TRUE(contains(logs, "tmpfs-rw")) << logs;
  EXPECT_TRUE(contains(logs, "mem=67108864")) << logs;
  EXPECT_TRUE(contains(logs, "CapEff:\t0000000000000000")) << logs;
}

TEST_F(RuntimeIntegrationTest, FailingTaskIsRestartedAndShowsItsExitCode) {
  ok({"service", "create", "-d", "--name", "f", "--restart-condition", "on-failure",
      "--restart-delay", "1s", kImage, "sh", "-c", "echo failing >&2; exit 1"});
  ASSERT_TRUE(eventually([&] {
    std::string ps = docker({"service", "ps", "f", "--no-trunc"}).out;
    size_t failed = 0;
    for (size_t p = 0; (p = ps.find("task: non-zero exit (1)", p)) != std::string::npos; ++p)
      ++failed;
    return failed >= 2;  // it failed, was restarted, failed again
  })) << docker({"service", "ps", "f", "--no-trunc"}).out;
  std::string logs = docker({"service", "logs", "f"}).out + docker({"service", "logs", "f"}).err;
  EXPECT_TRUE(contains(logs, "failing")) << logs;
}

TEST_F(RuntimeIntegrationTest, ImagesComeFromTheRegistryAndAnUnknownOneIsRejected) {
  RegistryProcess registry;
  ASSERT_TRUE(registry.start()) << registry.log();
  ASSERT_TRUE(registry.push(test_image_dir(), "1", "busybox:1")) << registry.log();

  // Not loaded on the node: prepare pulls it.
  std::string pulled = registry.address() + "/busybox:1";
  ok({"service", "create", "-d", "--name", "p", pulled, "sleep", "1d"});
  ASSERT_TRUE(eventually([&] { return running_tasks("p") == 1; }))
      << docker({"service", "ps", "p", "--no-trunc"}).out << tail(daemon_->log());

  // The registry answers, and does not know the tag: rejected with Docker's text.
  std::string unknown = registry.address() + "/busybox:nope";
  ok({"service", "create", "-d", "--no-resolve-image", "--name", "u", unknown, "sleep", "1d"});
  ASSERT_TRUE(eventually([&] {
    std::string ps =
        docker({"service", "ps", "u", "--no-trunc", "--format", "{{.CurrentState}} {{.Error}}"})
            .out;
    return contains(ps, "Rejected") && contains(ps, "No such image: " + unknown);
  })) << docker({"service", "ps", "u", "--no-trunc"}).out;
  EXPECT_EQ(running_containers(), 1u);
}

TEST_F(RuntimeIntegrationTest, LoginAndWithRegistryAuthLetTheNodePullWithTheServicesCredentials) {
  RegistryProcess registry;
  registry.require_login("shoal", "s3cret-pw");
  ASSERT_TRUE(registry.start()) << registry.log();
  ASSERT_TRUE(registry.push(test_image_dir(), "1", "private:1")) << registry.log();
  ASSERT_TRUE(registry.push(test_image_dir(), "1", "private:2")) << registry.log();
  // docker login: the daemon checks the credentials with the registry (POST /auth).
  fails({"login", registry.address(), "-u", "shoal", "-p", "wrong"}, "unauthorized");
  std::string login = ok({"login", registry.address(), "-u", "shoal", "-p", "s3cret-pw"});
  EXPECT_TRUE(contains(login, "Login Succeeded")) << login;
  std::string image = registry.address() + "/private:1";

  // Without --with-registry-auth the node has no credentials, and the registry says no.
  ok({"service", "create", "-d", "--no-resolve-image", "--name", "anon", image, "sleep", "1d"});
  auto errors = [&](const std::string& service) {
    return docker(
               {"service", "ps", service, "--no-trunc", "--format", "{{.CurrentState}}|{{.Error}}"})
        .out;
  };
  EXPECT_TRUE(eventually([&] { return contains(errors("anon"), "unauthorized"); }))
      << errors("anon");
  ok({"service", "rm", "anon"});

  ok({"service", "create", "-d", "--with-registry-auth", "--name", "priv", image, "sleep", "1d"});
  ASSERT_TRUE(eventually([&] { return running_tasks("priv") == 1; }))
      << errors("priv") << tail(daemon_->log());

  // No answer carries the credentials.
  std::string task = trim(ok({"service", "ps", "priv", "-q", "--no-trunc"}));
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"service", "inspect", "priv"}, {"inspect", "--type", "task", task}}) {
    std::string out = ok(args);
    EXPECT_FALSE(contains(out, "RegistryAuth")) << out;
    EXPECT_FALSE(contains(out, "c2hvYWw6czNjcmV0LXB3")) << out;
  }

  // An update without the flag keeps them: the new image is pulled with them too.
  ok({"service", "update", "-d", "--no-resolve-image", "--image", registry.address() + "/private:2",
      "priv"});
  ASSERT_TRUE(eventually([&] {
    return contains(docker({"service", "ps", "priv", "--filter", "desired-state=running",
                            "--format", "{{.Image}} {{.CurrentState}}"})
                        .out,
                    "private:2 Running");
  })) << errors("priv")
      << tail(daemon_->log());

  // A malformed header is refused, naming it.
  CommandResult bad =
      run_command({"curl", "-s", "--unix-socket", socket_, "-H", "X-Registry-Auth: %%%", "-H",
                   "Content-Type: application/json", "-d",
                   R"({"Name":"bad","TaskTemplate":{"ContainerSpec":{"Image":"busybox:1"}}})",
                   "http://localhost/v1.41/services/create"});
  EXPECT_TRUE(contains(bad.out, "invalid X-Registry-Auth header")) << bad.out << bad.err;
}

TEST_F(RuntimeIntegrationTest, SwarmTemplatesAreExpandedForEachTask) {
  ok({"service", "create", "-d", "--name", "tpl", "--replicas", "2", "--hostname",
      "{{.Node.Hostname}}-{{.Task.Slot}}", "--env", "WHO={{.Service.Name}}/{{.Task.Name}}", kImage,
      "sh", "-c", "echo \"$(hostname) $WHO\"; sleep 1000"});
  ASSERT_TRUE(eventually([&] { return running_tasks("tpl") == 2; })) << tail(daemon_->log());
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::string task1 =
      trim(ok({"service", "ps", "tpl", "-q", "--no-trunc", "--filter", "name=tpl.1"}));
  auto logs = [&] { return docker({"service", "logs", "--raw", "tpl"}).out; };
  EXPECT_TRUE(eventually([&] {
    return contains(logs(), std::string(host) + "-1 tpl/tpl.1." + task1) &&
           contains(logs(), std::string(host) + "-2 tpl/tpl.2.");
  })) << logs();

  // A placeholder shoal does not know fails the task with the reason.
  ok({"service", "create", "-d", "--name", "badtpl", "--hostname", "{{.Task.Nope}}", kImage,
      "sleep", "1000"});
  auto errors = [&] {
    return docker({"service", "ps", "badtpl", "--no-trunc", "--format", "{{.Error}}"}).out;
  };
  EXPECT_TRUE(eventually([&] {
    return contains(errors(), "unsupported expression \".Task.Nope\"");
  })) << errors();
}

TEST_F(RuntimeIntegrationTest, UnreachableRegistryIsRetriedUntilItAnswers) {
  RegistryProcess registry;
  ASSERT_TRUE(registry.start()) << registry.log();
  ASSERT_TRUE(registry.push(test_image_dir(), "1", "busybox:1")) << registry.log();
  registry.stop();

  // While the registry is down the task is not rejected: it waits, saying why.
  std::string image = registry.address() + "/busybox:1";
  ok({"service", "create", "-d", "--no-resolve-image", "--name", "r", image, "sleep", "1d"});
  auto ps = [&] {
    return docker({"service", "ps", "r", "--no-trunc", "--format", "{{.CurrentState}}|{{.Error}}"})
        .out;
  };
  ASSERT_TRUE(eventually([&] {
    return contains(ps(), "cannot reach registry " + registry.address());
  })) << ps()
      << tail(daemon_->log());
  EXPECT_FALSE(contains(ps(), "Rejected")) << ps();

  // The next attempt (backoff at most 10 s) pulls and runs it.
  ASSERT_TRUE(registry.start()) << registry.log();
  ASSERT_TRUE(eventually([&] { return running_tasks("r") == 1; }, std::chrono::seconds(60)))
      << ps() << tail(daemon_->log());
  EXPECT_EQ(running_containers(), 1u);
}

TEST_F(RuntimeIntegrationTest, SecretIsReadableWithItsModeAndGoneAfter) {
  CommandResult created = run_command(
      {"sh", "-c", "printf s3cret | docker secret create s -"},
      {{"DOCKER_HOST", "unix://" + socket_}, {"DOCKER_CONFIG", tmp_.path() + "/docker"}});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ok({"service", "create", "-d", "--name", "sec", "--secret", "s", kImage, "sh", "-c",
      "stat -c 'mode %a' /run/secrets/s; echo \"value $(cat /run/secrets/s)\"; exec sleep 1d"});
  ASSERT_TRUE(eventually([&] {
    std::string logs = docker({"service", "logs", "sec"}).out;
    return contains(logs, "mode 444") && contains(logs, "value s3cret");
  })) << docker({"service", "logs", "sec"}).out
      << docker({"service", "ps", "sec", "--no-trunc"}).out;
  bool tmpfs_seen = false;
  for (const std::string& m : mounts_under_tmp()) tmpfs_seen |= m.ends_with("/secrets");
  EXPECT_TRUE(tmpfs_seen);
  ok({"service", "rm", "sec"});
  ASSERT_TRUE(eventually([&] { return task_dirs().empty(); }, 120s));
  EXPECT_TRUE(mounts_under_tmp().empty());
  CommandResult grep = run_command({"grep", "-r", "-l", "s3cret", data_ + "/containers"});
  EXPECT_NE(grep.exit_code, 0) << grep.out;
}

}  // namespace
}  // namespace shoal::testing
