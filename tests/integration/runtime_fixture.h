// Integration fixture for the container runtime: a real `shoal daemon --executor=runc` on a
// temporary data dir, a swarm initialized on it, and the busybox test image
// (tests/support/make_test_image.sh) loaded with the real docker CLI (`docker load`).
//
// Teardown removes every service and waits for the daemon to remove their containers; then,
// whatever a failed test left, it kills the remaining monitors and containers (runc delete
// --force), unmounts what is mounted under the temporary dir and removes the task cgroups,
// so nothing outlives the test. Every wait has a timeout; nothing asserts on elapsed time.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine_fixture.h"

namespace shoal::testing {

class RuntimeIntegrationTest : public EngineIntegrationTest {
 protected:
  static constexpr const char* kImage = "busybox:1";

  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    socket_ = tmp_.path() + "/run/shoal.sock";
    data_ = tmp_.path() + "/data";
    daemon_ = std::make_unique<DaemonProcess>(data_, socket_, tmp_.path() + "/daemon.log",
                                              std::vector<std::string>{"--executor=runc"});
    ASSERT_TRUE(daemon_->start());
    ASSERT_TRUE(daemon_->wait_ready()) << daemon_->log();
    CommandResult version = docker({"version", "--format", "{{.Client.Version}}"});
    ASSERT_NE(version.exit_code, 127) << "the docker CLI is not installed";
    CommandResult made = run_command({"bash", source_dir() + "/tests/support/make_test_image.sh",
                                      tmp_.path() + "/image", "1", "busybox"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    ok({"load", "-i", tmp_.path() + "/image/image.tar"});
    node_id_ = swarm_init();
  }

  void TearDown() override {
    if (daemon_ && daemon_->running()) {
      std::string services = docker({"service", "ls", "-q"}).out;
      std::istringstream in(services);
      for (std::string id; in >> id;) docker({"service", "rm", id});
      eventually([&] { return task_dirs().empty(); }, std::chrono::seconds(120));
      EXPECT_TRUE(task_dirs().empty()) << "task dirs left after service rm";
    }
    EngineIntegrationTest::TearDown();
    force_cleanup();
  }

  // The source tree (SHOAL_SOURCE_DIR, absolute: __FILE__ may be relative to the build dir
  // when the compiler cache rewrites paths).
  static std::string source_dir() { return SHOAL_SOURCE_DIR; }

  // Task dirs under <data>/containers.
  std::vector<std::string> task_dirs() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(data_ + "/containers", ec)) {
      out.push_back(e.path().filename().string());
    }
    return out;
  }

  // `runc list` of shoal's runc root: container ID → status.
  std::map<std::string, std::string> runc_list() const {
    CommandResult r = run_command({"runc", "--root", data_ + "/runc", "list", "--format", "json"});
    std::map<std::string, std::string> out;
    // [{"id":"...","pid":...,"status":"running",...}, ...] or "null"
    std::string s = r.out;
    size_t pos = 0;
    while ((pos = s.find("\"id\":\"", pos)) != std::string::npos) {
      pos += 6;
      std::string id = s.substr(pos, s.find('"', pos) - pos);
      size_t st = s.find("\"status\":\"", pos);
      std::string status =
          st == std::string::npos ? "" : s.substr(st + 10, s.find('"', st + 10) - st - 10);
      out[id] = status;
    }
    return out;
  }

  size_t running_containers() const {
    size_t n = 0;
    for (const auto& [id, status] : runc_list()) n += status == "running";
    return n;
  }

  // Mount points under the temporary dir (rootfs overlays, secret tmpfs).
  std::vector<std::string> mounts_under_tmp() const {
    std::ifstream in("/proc/self/mountinfo");
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string id, parent, dev, root, point;
      fields >> id >> parent >> dev >> root >> point;
      if (point.starts_with(tmp_.path())) out.push_back(point);
    }
    return out;
  }

  // cgroup dirs /sys/fs/cgroup/*/shoal/<id> of the given containers.
  static std::vector<std::string> cgroups_of(const std::vector<std::string>& ids) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& root : std::filesystem::directory_iterator("/sys/fs/cgroup", ec)) {
      for (const std::string& id : ids) {
        auto dir = root.path() / "shoal" / id;
        if (std::filesystem::exists(dir, ec)) out.push_back(dir.string());
      }
    }
    return out;
  }

  // Tasks of `service` whose current state is Running (docker service ps).
  size_t running_tasks(const std::string& service) const {
    CommandResult r = docker({"service", "ps", service, "--filter", "desired-state=running",
                              "--format", "{{.CurrentState}}"});
    size_t n = 0;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) n += line.starts_with("Running");
    return n;
  }

  std::string data_;
  std::string node_id_;

 private:
  // Last resort for what a failed test left behind.
  void force_cleanup() {
    std::vector<std::string> ids;
    for (const auto& [id, status] : runc_list()) ids.push_back(id);
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(data_ + "/containers", ec)) {
      std::ifstream pid_file(e.path() / "monitor.pid");
      pid_t pid = 0;
      if (pid_file >> pid && pid > 1) ::kill(pid, SIGKILL);
      ids.push_back(e.path().filename().string());
    }
    for (const std::string& id : ids) {
      run_command({"runc", "--root", data_ + "/runc", "delete", "--force", id});
    }
    auto mounts = mounts_under_tmp();
    for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
    for (const std::string& dir : cgroups_of(ids)) ::rmdir(dir.c_str());
  }
};

}  // namespace shoal::testing
