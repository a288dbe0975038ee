// A worker with real containers: the manager runs hollow, the worker runs runc. A task
// placed on the worker runs as a container there; `docker swarm leave` on the worker stops
// and removes it. Teardown kills whatever a failed test left (monitors, runc containers,
// mounts) so nothing outlives the test.
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cluster_fixture.h"

namespace shoal::testing {
namespace {

class ClusterRuncTest : public ClusterTest {
 protected:
  void TearDown() override {
    ClusterTest::TearDown();  // daemons stopped; leftovers below
    if (worker_data_.empty()) return;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(worker_data_ + "/containers", ec)) {
      std::ifstream pid_file(e.path() / "monitor.pid");
      pid_t pid = 0;
      if (pid_file >> pid && pid > 1) ::kill(pid, SIGKILL);
      run_command({"runc", "--root", worker_data_ + "/runc", "delete", "--force",
                   e.path().filename().string()});
    }
    std::ifstream in("/proc/self/mountinfo");
    std::vector<std::string> mounts;
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      std::string id, parent, dev, root, point;
      fields >> id >> parent >> dev >> root >> point;
      if (point.starts_with(tmp_.path())) mounts.push_back(point);
    }
    for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
  }

  size_t running_containers() const {
    CommandResult r =
        run_command({"runc", "--root", worker_data_ + "/runc", "list", "--format", "json"});
    size_t n = 0;
    for (size_t pos = 0; (pos = r.out.find("\"status\":\"running\"", pos)) != std::string::npos;
         ++pos) {
      ++n;
    }
    return n;
  }

  std::string worker_data_;
};

TEST_F(ClusterRuncTest, ATaskRunsAsAContainerOnTheWorkerAndLeaveStopsIt) {
  start_node(0, "hollow");
  start_node(1, "runc");
  worker_data_ = nodes_[1].dir + "/data";
  std::string source = SHOAL_SOURCE_DIR;
  CommandResult made = run_command({"bash", source + "/tests/support/make_test_image.sh",
                                    tmp_.path() + "/image", "1", "busybox"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ok(1, {"load", "-i", tmp_.path() + "/image/image.tar"});
  form_cluster(2);
  std::string worker = node_id(1);

  ok(0, {"service", "create", "-d", "--name", "top", "--constraint", "node.role==worker",
         "--no-resolve-image", "busybox:1", "sleep", "1000"});
  EXPECT_TRUE(eventually([&] { return running_per_node("top")[worker] == 1; }))
      << ok(0, {"service", "ps", "--no-trunc", "top"}) << tail(nodes_[1].daemon->log());
  EXPECT_EQ(running_containers(), 1u);

  ok(1, {"swarm", "leave"});
  EXPECT_TRUE(eventually([&] { return running_containers() == 0; }))
      << tail(nodes_[1].daemon->log());
  std::error_code ec;
  std::string left;
  for (const auto& e : std::filesystem::directory_iterator(worker_data_ + "/containers", ec)) {
    left += e.path().filename().string() + " ";
  }
  EXPECT_EQ(left, "") << tail(nodes_[1].daemon->log());
}

}  // namespace
}  // namespace shoal::testing
