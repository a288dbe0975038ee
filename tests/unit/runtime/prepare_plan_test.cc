// What preparing a task decides before it writes anything (prepare_plan.h).
#include "runtime/prepare_plan.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

namespace shoal::runtime {
namespace {

api::Task make_task() {
  api::Task task;
  task.ID = "abcdefghijklmnopqrstuvwxy";
  task.ServiceID = "svc1";
  task.NodeID = "node1";
  task.Slot = 3;
  auto spec = std::make_shared<api::TaskSpec>();
  spec->ServiceName = "web";
  spec->ContainerSpec = api::ContainerSpec{};
  spec->ContainerSpec->Labels = {{"team", "a"}, {"com.docker.swarm.task.id", "forged"}};
  task.Spec = spec;
  return task;
}

TEST(PreparePlan, HostnameIsTheSpecsThenTheSandboxsThenTheTaskIdsPrefix) {
  api::Task task = make_task();
  api::ContainerSpec spec;
  network::Sandbox sandbox;
  EXPECT_EQ(plan_identity_files(task, spec, sandbox, "").hostname, "abcdefghijkl");
  sandbox.hostname = "from-sandbox";
  EXPECT_EQ(plan_identity_files(task, spec, sandbox, "").hostname, "from-sandbox");
  spec.Hostname = "from-spec";
  EXPECT_EQ(plan_identity_files(task, spec, sandbox, "").hostname, "from-spec");
}

TEST(PreparePlan, WithoutASandboxHostsAndResolvConfComeFromTheSpecAndTheHost) {
  api::Task task = make_task();
  api::ContainerSpec spec;
  spec.Hosts = {"10.0.0.9 db"};
  spec.DNSConfig = api::DNSConfig{{"1.1.1.1"}, {}, {}};
  IdentityFiles files = plan_identity_files(task, spec, {}, "nameserver 10.1.1.1\n");
  EXPECT_NE(files.hosts.find("127.0.1.1\tabcdefghijkl\n"), std::string::npos);
  EXPECT_TRUE(files.hosts.ends_with("10.0.0.9 db\n"));
  EXPECT_EQ(files.resolv_conf, "nameserver 1.1.1.1\n");
}

TEST(PreparePlan, TheSandboxsHostsAndResolvConfWinOverTheHosts) {
  api::Task task = make_task();
  network::Sandbox sandbox;
  sandbox.hosts = "127.0.0.1\tlocalhost\n10.0.1.5\tweb\n";
  sandbox.resolv_conf = "nameserver 10.0.1.1\n";
  IdentityFiles files = plan_identity_files(task, {}, sandbox, "nameserver 192.0.2.53\n");
  EXPECT_EQ(files.hosts, sandbox.hosts);
  EXPECT_EQ(files.resolv_conf, "nameserver 10.0.1.1\n");
}

TEST(PreparePlan, TaskMetaTakesTheSpecsStopSettingsOverTheImages) {
  api::Task task = make_task();
  image::Image image;
  image.ID = "sha256:feed";
  image.Config.StopSignal = "SIGQUIT";
  api::ContainerSpec spec;
  spec.Image = "busybox:latest";
  Timestamp created = Timestamp::from_unix_nanos(1'700'000'000'000'000'000);

  TaskMeta meta = plan_task_meta(task, spec, image, true, created);
  EXPECT_EQ(meta.TaskID, task.ID);
  EXPECT_EQ(meta.ServiceName, "web");
  EXPECT_EQ(meta.Slot, 3);
  EXPECT_EQ(meta.Image, "busybox:latest");
  EXPECT_EQ(meta.ImageID, "sha256:feed");
  EXPECT_EQ(meta.StopSignal, "SIGQUIT");
  EXPECT_TRUE(meta.NetworkAttached);
  EXPECT_EQ(meta.Created, created);
  EXPECT_FALSE(meta.Prepared);

  spec.StopSignal = "SIGUSR1";
  spec.StopGracePeriod = std::chrono::seconds(7);
  meta = plan_task_meta(task, spec, image, false, created);
  EXPECT_EQ(meta.StopSignal, "SIGUSR1");
  EXPECT_EQ(meta.StopGraceNanos, 7'000'000'000);
  EXPECT_FALSE(meta.NetworkAttached);
}

TEST(PreparePlan, SwarmLabelsOverrideTheSpecsLabels) {
  auto labels = container_labels(make_task());
  EXPECT_EQ(labels["team"], "a");
  EXPECT_EQ(labels["com.docker.swarm.task.id"], "abcdefghijklmnopqrstuvwxy");
  EXPECT_EQ(labels["com.docker.swarm.service.id"], "svc1");
  EXPECT_EQ(labels["com.docker.swarm.node.id"], "node1");
  EXPECT_EQ(labels["com.docker.swarm.service.name"], "web");
  EXPECT_EQ(labels["com.docker.swarm.task.name"], "web.3.abcdefghijklmnopqrstuvwxy");
}

}  // namespace
}  // namespace shoal::runtime
