// The runc executor's prepare, remove and recover against a fake image source (a directory
// standing in for an unpacked layer), with real overlay and tmpfs mounts (the tests run as
// root, as the daemon does) but no container started: prepare leaves nothing half made,
// remove leaves nothing at all, recovery sorts the task dirs it finds.
#include "runtime/runc_executor.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "fake_deps.h"
#include "runtime/monitor_protocol.h"
#include "runtime/rootfs/overlay.h"
#include "runtime/task_meta.h"

namespace shoal::runtime {
namespace {
namespace fs = std::filesystem;

class FakeImages final : public image::ImageSource {
 public:
  std::map<std::string, image::Image> images;
  Result<image::Image> get(std::string_view ref, image::PullPolicy,
                           const image::RegistryAuth&) override {
    auto it = images.find(std::string(ref));
    if (it == images.end()) return error(Code::kNotFound, "No such image: {}", ref);
    return it->second;
  }
};

using testing::FakeDeps;

class RuncExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shoal-executor-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::path layer = root_ / "layer";
    fs::create_directories(layer / "etc");
    fs::create_directories(layer / "data");
    std::ofstream(layer / "etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n";
    std::ofstream(layer / "etc/group") << "root:x:0:\n";
    std::ofstream(layer / "data/seed") << "from the image\n";
    image::Image img;
    img.ID = "sha256:abc";
    img.Config.Cmd = {"sh"};
    img.LayerDirs = {layer};
    images_.images["busybox:1"] = img;
    make_executor();
  }
  void TearDown() override {
    executor_.reset();
    // Nothing a test made may stay mounted.
    std::ifstream in("/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
      EXPECT_EQ(line.find(root_.string()), std::string::npos) << line;
    }
    fs::remove_all(root_);
  }
  void make_executor() {
    RuncExecutorOptions o;
    o.data_dir = root_ / "data";
    o.monitor_binary = "/bin/true";  // never started here
    o.images = &images_;
    auto made = RuncExecutor::create(o);
    ASSERT_TRUE(made.is_ok()) << made.status().message();
    executor_ = std::move(made).value();
  }
  std::shared_ptr<api::Task> task(const std::string& id, const std::string& image = "busybox:1") {
    auto spec = std::make_shared<api::TaskSpec>();
    spec->ContainerSpec = api::ContainerSpec{};
    spec->ContainerSpec->Image = image;
    spec_ = spec;
    auto t = std::make_shared<api::Task>();
    t->ID = id;
    t->ServiceID = "svc";
    t->NodeID = "node";
    t->Spec = spec;
    return t;
  }
  // The spec of the task made last, to change before controller().
  api::ContainerSpec& spec() { return *const_cast<api::TaskSpec&>(*spec_).ContainerSpec; }
  fs::path dir(const std::string& id) const { return root_ / "data/containers" / id; }

  fs::path root_;
  FakeImages images_;
  FakeDeps deps_;
  std::shared_ptr<const api::TaskSpec> spec_;
  std::unique_ptr<RuncExecutor> executor_;
};

TEST_F(RuncExecutorTest, PrepareMakesTheBundleAndRemoveLeavesNothing) {
  auto t = task("t1");
  auto secret = std::make_shared<api::Secret>();
  secret->ID = "sid";
  secret->Spec.Data = api::Bytes(std::string("pw"));
  deps_.secrets["sid"] = secret;
  spec().Secrets = {{api::SecretReferenceFileTarget{"s", "", "", 0}, "sid", "s"}};
  api::Mount vol;
  vol.Type = api::MountType::kVolume;
  vol.Target = "/data";  // anonymous: named after the task, seeded from the image
  spec().Mounts = {vol};
  auto c = executor_->controller(t, deps_);
  ASSERT_TRUE(c.is_ok());
  ASSERT_TRUE((*c)->prepare().is_ok());
  ASSERT_TRUE((*c)->prepare().is_ok());  // idempotent
  EXPECT_TRUE(rootfs::is_mount_point(dir("t1") / "rootfs"));
  EXPECT_TRUE(rootfs::is_mount_point(dir("t1") / "secrets"));
  EXPECT_TRUE(fs::exists(dir("t1") / "rootfs/etc/passwd"));
  EXPECT_TRUE(fs::exists(root_ / "data/volumes/t1-0/_data/seed"));
  auto config = nlohmann::json::parse(std::ifstream(dir("t1") / "config.json"));
  EXPECT_EQ(config["process"]["args"], nlohmann::json({"sh"}));
  EXPECT_EQ(config["linux"]["cgroupsPath"], "/shoal/t1");
  EXPECT_EQ(config["annotations"]["com.docker.swarm.task.id"], "t1");
  auto meta = read_task_meta(dir("t1"));
  ASSERT_TRUE(meta.is_ok());
  EXPECT_TRUE(meta->Prepared);
  EXPECT_EQ(meta->ImageID, "sha256:abc");
  EXPECT_EQ(executor_->container_using("sha256:abc"), "t1");
  ASSERT_EQ(executor_->list().size(), 1u);
  EXPECT_EQ(executor_->list()[0].State, "prepared");

  ASSERT_TRUE((*c)->remove().is_ok());
  ASSERT_TRUE((*c)->remove().is_ok());  // idempotent
  EXPECT_FALSE(fs::exists(dir("t1")));
  EXPECT_FALSE(fs::exists(root_ / "data/volumes/t1-0"));
  EXPECT_FALSE(executor_->container_using("sha256:abc"));
}

TEST_F(RuncExecutorTest, FailedPreparesLeaveNothing) {
  struct Case {
    const char* name;
    std::function<void(api::ContainerSpec&)> setup;
    Code code;
    std::string message;
  } cases[] = {
      {"unknown image", [](api::ContainerSpec& s) { s.Image = "busybox:nope"; }, Code::kNotFound,
       "No such image: busybox:nope"},
      {"missing secret",
       [](api::ContainerSpec& s) {
         s.Secrets = {{api::SecretReferenceFileTarget{"s", "", "", 0}, "gone", "s"}};
       },
       Code::kNotFound, "secret s (gone) is not available on this node"},
      {"bind source missing (after the rootfs is mounted)",
       [](api::ContainerSpec& s) {
         api::Mount m;
         m.Type = api::MountType::kBind;
         m.Source = "/nonexistent/dir";
         m.Target = "/x";
         s.Mounts = {m};
       },
       Code::kInvalidArgument,
       "invalid mount config for type \"bind\": bind source path does not exist: /nonexistent/dir"},
      {"unknown user (after the rootfs and volumes)",
       [](api::ContainerSpec& s) { s.User = "alice"; }, Code::kInvalidArgument,
       "unable to find user alice: no matching entries in passwd file"},
  };
  int n = 0;
  for (const Case& c : cases) {
    std::string id = "bad" + std::to_string(n++);
    auto t = task(id);
    c.setup(spec());
    auto ctl = executor_->controller(t, deps_);
    ASSERT_TRUE(ctl.is_ok());
    Status st = (*ctl)->prepare();
    EXPECT_EQ(st.code(), c.code) << c.name << ": " << st.message();
    EXPECT_EQ(st.message(), c.message) << c.name;
    EXPECT_FALSE(fs::exists(dir(id))) << c.name;
  }
}

TEST_F(RuncExecutorTest, RecoverySortsWhatItFinds) {
  // prepared, never started
  auto t = task("p1");
  auto c = executor_->controller(t, deps_);
  ASSERT_TRUE(c.is_ok());
  ASSERT_TRUE((*c)->prepare().is_ok());
  // exited while no daemon listened
  t = task("x1");
  c = executor_->controller(t, deps_);
  ASSERT_TRUE((*c)->prepare().is_ok());
  std::ofstream(dir("x1") / std::string(monitor::kExitFile)) << "3 0 1\n";
  // launched, then its monitor vanished without an exit file
  t = task("l1");
  c = executor_->controller(t, deps_);
  ASSERT_TRUE((*c)->prepare().is_ok());
  std::ofstream(dir("l1") / std::string(monitor::kInitPidFile)) << "999999\n";
  // half prepared: task.json says not prepared
  fs::create_directories(dir("h1"));
  TaskMeta half;
  half.TaskID = "h1";
  ASSERT_TRUE(write_task_meta(dir("h1"), half).is_ok());
  // not even a task.json
  fs::create_directories(dir("h2"));
  c = Result<std::unique_ptr<agent::Controller>>(error(Code::kInternal, "released"));

  make_executor();  // a new daemon
  auto recovered = executor_->recover();
  ASSERT_TRUE(recovered.is_ok()) << recovered.status().message();
  std::map<std::string, agent::RecoveredTask*> by_id;
  for (auto& r : recovered.value()) by_id[r.TaskID] = &r;
  ASSERT_EQ(by_id.size(), 3u);
  EXPECT_EQ(by_id["p1"]->state, agent::RecoveredTask::State::kPrepared);
  EXPECT_EQ(by_id["x1"]->state, agent::RecoveredTask::State::kExited);
  EXPECT_EQ(by_id["x1"]->exit->ExitCode, 3);
  EXPECT_EQ(by_id["l1"]->state, agent::RecoveredTask::State::kExited);
  EXPECT_EQ(by_id["l1"]->exit->Err, "container lost: its monitor is gone");
  EXPECT_FALSE(fs::exists(dir("h1")));
  EXPECT_FALSE(fs::exists(dir("h2")));

  // The adopted controllers release everything.
  for (auto& r : recovered.value()) {
    ASSERT_TRUE(r.controller->remove().is_ok()) << r.TaskID;
  }
  EXPECT_TRUE(fs::is_empty(root_ / "data/containers"));
}

TEST_F(RuncExecutorTest, RejectsTasksWithoutAContainerSpec) {
  auto t = std::make_shared<api::Task>();
  t->ID = "n1";
  auto c = executor_->controller(t, deps_);
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(c.status().message(), "task n1 has no container spec");
}

TEST_F(RuncExecutorTest, DescribesTheHostAsShoal) {
  auto d = executor_->describe();
  ASSERT_TRUE(d.is_ok());
  EXPECT_TRUE(d->Engine.EngineVersion.starts_with("shoal ")) << d->Engine.EngineVersion;
  EXPECT_GT(d->Resources.NanoCPUs, 0);
  EXPECT_GT(d->Resources.MemoryBytes, 0);
  EXPECT_EQ(d->Platform.OS, "linux");
  EXPECT_FALSE(d->Hostname.empty());
}

}  // namespace
}  // namespace shoal::runtime
