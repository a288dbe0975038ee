// The real docker CLI against the real daemon: docker service, secret, config, network,
// stack — what the control API answers by itself (detached commands) and the bad inputs.
// Convergence (tasks running) is in engine_converge_test.cc.
#include <gtest/gtest.h>

#include <fstream>

#include "engine_fixture.h"

namespace shoal::testing {
namespace {

class EngineServiceTest : public EngineIntegrationTest {
 protected:
  void SetUp() override {
    EngineIntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    swarm_init();
  }

  std::string write_file(const std::string& name, const std::string& content) {
    std::string path = tmp_.path() + "/" + name;
    std::ofstream(path) << content;
    return path;
  }

  std::string field(const std::string& object, const std::string& format) {
    return trim(ok({"inspect", "--format", format, object}));
  }
};

TEST_F(EngineServiceTest, CreateInspectUpdateRollbackScaleRemove) {
  std::string id = trim(ok({"service", "create", "-d", "-q", "--name", "web", "--replicas", "2",
                            "--no-resolve-image", "nginx:alpine"}));
  EXPECT_EQ(id.size(), 25u) << id;
  std::string ls = ok({"service", "ls"});
  EXPECT_TRUE(contains(ls, "web")) << ls;
  EXPECT_TRUE(contains(ls, "replicated")) << ls;
  EXPECT_EQ(
      trim(ok({"service", "inspect", "web", "--format", "{{.Spec.Mode.Replicated.Replicas}}"})),
      "2");
  // insertDefaults shows swarmkit's defaults.
  EXPECT_EQ(trim(ok({"service", "inspect", "web", "--format", "{{.Spec.UpdateConfig.Order}}"})),
            "stop-first");
  EXPECT_TRUE(contains(ok({"service", "inspect", "--pretty", "web"}), "Replicas:\t2"));

  ok({"service", "update", "-d", "--no-resolve-image", "--image", "nginx:1.25", "web"});
  EXPECT_EQ(trim(ok({"service", "inspect", "web", "--format",
                     "{{.Spec.TaskTemplate.ContainerSpec.Image}} "
                     "{{.PreviousSpec.TaskTemplate.ContainerSpec.Image}}"})),
            "nginx:1.25 nginx:alpine");
  ok({"service", "rollback", "-d", "web"});
  EXPECT_EQ(trim(ok({"service", "inspect", "web", "--format",
                     "{{.Spec.TaskTemplate.ContainerSpec.Image}} {{.UpdateStatus.State}}"})),
            "nginx:alpine rollback_started");
  EXPECT_TRUE(contains(ok({"service", "scale", "-d", "web=4"}), "web scaled to 4"));
  EXPECT_EQ(
      trim(ok({"service", "inspect", "web", "--format", "{{.Spec.Mode.Replicated.Replicas}}"})),
      "4");
  ok({"service", "rm", "web"});
  fails({"service", "inspect", "web"}, "no such service: web");
  fails({"service", "rm", "web"}, "service web not found");
}

TEST_F(EngineServiceTest, ModesAndGeneratedNames) {
  std::string id =
      trim(ok({"service", "create", "-d", "-q", "--no-resolve-image", "busybox", "true"}));
  EXPECT_FALSE(trim(ok({"service", "inspect", id, "--format", "{{.Spec.Name}}"})).empty());
  ok({"service", "create", "-d", "--name", "g", "--mode", "global", "--no-resolve-image", "busybox",
      "sleep", "1d"});
  ok({"service", "create", "-d", "--name", "j", "--mode", "replicated-job", "--replicas", "3",
      "--max-concurrent", "2", "--no-resolve-image", "busybox", "true"});
  EXPECT_EQ(trim(ok({"service", "inspect", "j", "--format",
                     "{{.Spec.Mode.ReplicatedJob.MaxConcurrent}} "
                     "{{.Spec.Mode.ReplicatedJob.TotalCompletions}}"})),
            "2 3");
  EXPECT_EQ(trim(ok({"service", "ls", "--filter", "mode=global", "--format", "{{.Name}}"})), "g");
  fails({"service", "scale", "g=3"},
        "scale can only be used with replicated or replicated-job mode");
}

TEST_F(EngineServiceTest, BadInputChangesNothing) {
  ok({"service", "create", "-d", "--name", "web", "-p", "8080:80", "--no-resolve-image", "nginx"});
  std::string version = trim(ok({"service", "inspect", "web", "--format", "{{.Version.Index}}"}));
  fails({"service", "create", "-d", "--name", "web", "--no-resolve-image", "nginx"},
        "rpc error: code = AlreadyExists desc = name conflicts with an existing object: service "
        "web already exists");
  fails({"service", "create", "-d", "--name", "other", "-p", "8080:80", "--no-resolve-image",
         "nginx"},
        "is already in use by service 'web'");
  fails({"service", "create", "-d", "--name", "bad", "--no-resolve-image", "Nginx"},
        "ContainerSpec: \"Nginx\" is not a valid repository/tag");
  fails({"service", "create", "-d", "--name", "bad", "--constraint", "node.role",
         "--no-resolve-image", "nginx"},
        "constraint expected one operator from ==, !=");
  fails({"service", "create", "-d", "--name", "bad", "--network", "nosuchnet", "--no-resolve-image",
         "nginx"},
        "network nosuchnet not found");
  fails({"service", "update", "-d", "--no-resolve-image", "--image", "nginx:1", "nosuch"},
        "service nosuch not found");
  // A stale version, through the API.
  CommandResult spec = curl({"http://localhost/v1.41/services/web"});
  std::string body = spec.out.substr(spec.out.find("\"Spec\":") + 7);
  body = body.substr(0, body.find(",\"Endpoint\""));
  CommandResult stale = curl({"-X", "POST", "-H", "Content-Type: application/json", "-d", body,
                              "http://localhost/v1.41/services/web/update?version=1"});
  EXPECT_TRUE(contains(stale.out, "rpc error: code = Unknown desc = update out of sequence"))
      << stale.out;
  CommandResult filter =
      curl({"http://localhost/v1.41/services?filters=%7B%22color%22%3A%7B%22red%22%3Atrue%7D%7D"});
  EXPECT_TRUE(contains(filter.out, "invalid filter 'color'")) << filter.out;
  EXPECT_EQ(trim(ok({"service", "inspect", "web", "--format", "{{.Version.Index}}"})), version);
  EXPECT_EQ(trim(ok({"service", "ls", "--format", "{{.Name}}"})), "web");
  fails({"service", "rollback", "-d", "web"}, "does not have a previous spec");
}

TEST_F(EngineServiceTest, SecretsConfigsNetworks) {
  std::string pw = write_file("pw", "hunter2");
  ok({"secret", "create", "--label", "a=b", "pw", pw});
  ok({"config", "create", "conf", write_file("conf", "hello")});
  fails({"secret", "create", "pw", pw},
        "rpc error: code = AlreadyExists desc = secret pw already exists");
  EXPECT_EQ(trim(ok({"secret", "ls", "--format", "{{.Name}}"})), "pw");
  EXPECT_EQ(trim(ok({"secret", "inspect", "pw", "--format", "{{.Spec.Data}}"})), "[]");
  EXPECT_TRUE(contains(ok({"config", "inspect", "--pretty", "conf"}), "hello"));
  ok({"network", "create", "-d", "overlay", "--attachable", "--subnet", "10.5.0.0/24", "back"});
  fails({"network", "create", "-d", "overlay", "back"}, "network with name back already exists");
  fails({"network", "create", "-d", "overlay", "host"},
        "host is a pre-defined network and cannot be created");
  std::string nets = ok({"network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}"});
  EXPECT_TRUE(contains(nets, "back overlay swarm")) << nets;
  EXPECT_TRUE(contains(nets, "ingress overlay swarm")) << nets;

  ok({"service", "create", "-d", "--name", "web", "--secret", "pw", "--config", "conf", "--network",
      "back", "--no-resolve-image", "nginx"});
  EXPECT_TRUE(contains(ok({"service", "inspect", "--pretty", "web"}), "Networks: back"));
  fails({"secret", "rm", "pw"}, "secret 'pw' is in use by the following service: web");
  fails({"config", "rm", "conf"}, "config 'conf' is in use by the following service: web");
  fails({"network", "rm", "back"}, "is in use by service");
  ok({"service", "rm", "web"});
  ok({"secret", "rm", "pw"});
  ok({"config", "rm", "conf"});
  ok({"network", "rm", "back"});
  fails({"secret", "inspect", "pw"}, "pw");
  EXPECT_EQ(trim(ok({"network", "ls", "--format", "{{.Name}}"})), "ingress");
}

TEST_F(EngineServiceTest, StackDeployAndRemove) {
  write_file("pw.txt", "pw");
  std::string compose = write_file("stack.yml", R"(version: "3.8"
services:
  web:
    image: nginx:alpine
    ports: ["8081:80"]
    networks: [back]
    secrets: [pw]
    deploy:
      replicas: 2
  worker:
    image: busybox
    command: sleep 1d
    deploy:
      mode: global
networks:
  back: {}
secrets:
  pw:
    file: ./pw.txt
)");
  std::string out = ok({"stack", "deploy", "--resolve-image", "never", "-c", compose, "st"});
  EXPECT_TRUE(contains(out, "Creating service st_web")) << out;
  EXPECT_TRUE(contains(ok({"stack", "ls"}), "st ")) << ok({"stack", "ls"});
  std::string services = ok({"stack", "services", "st", "--format", "{{.Name}}"});
  EXPECT_TRUE(contains(services, "st_web") && contains(services, "st_worker")) << services;
  // A second deploy updates in place (secrets re-sent with the same data).
  out = ok({"stack", "deploy", "--resolve-image", "never", "-c", compose, "st"});
  EXPECT_TRUE(contains(out, "Updating service st_web")) << out;
  out = ok({"stack", "rm", "st"});
  EXPECT_TRUE(contains(out, "Removing network st_back")) << out;
  EXPECT_EQ(trim(ok({"service", "ls", "-q"})), "");
  EXPECT_EQ(trim(ok({"secret", "ls", "-q"})), "");
}

}  // namespace
}  // namespace shoal::testing
