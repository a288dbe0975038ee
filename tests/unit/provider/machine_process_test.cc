// launch_machine with a shell standing in for the daemon: the machine gets its namespace,
// hostname and an init as PID 1; killing the init takes everything in it down; SIGTERM
// reaches the daemon; missing parts are refused. Needs root (namespaces).
#include "provider/machine_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "network/netns.h"
#include "support/eventually.h"

namespace shoal::provider {
namespace {

namespace fs = std::filesystem;

using ::shoal::testing::eventually;

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class MachineProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "machines need root";
    char tmpl[] = "/tmp/shoal-machine-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    netns_ = (dir_ / "ns").string();
    ASSERT_TRUE(network::create_netns(netns_).is_ok());
    inode_ = netns_inode(netns_);
    ASSERT_NE(inode_, 0u);
  }

  void TearDown() override {
    if (inode_ != 0) kill_netns_processes(inode_, std::chrono::seconds(5));
    (void)network::remove_netns(netns_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  MachineLaunch launch(const std::string& script) const {
    return {netns_, "box-m1", (dir_ / "log").string(), {"/bin/sh", "-c", script}};
  }

  fs::path dir_;
  std::string netns_;
  ino_t inode_ = 0;
};

TEST_F(MachineProcessTest, TheDaemonRunsUnderAnInitWithItsOwnHostnameAndDiesWithIt) {
  std::string out = (dir_ / "out").string();
  auto init = launch_machine(launch("echo $(hostname) $$ > " + out + "; exec sleep 1000"));
  ASSERT_TRUE(init.is_ok()) << init.status().to_string();
  EXPECT_TRUE(eventually([&] { return read(out) == "box-m1 2\n"; })) << read(out);
  EXPECT_TRUE(alive_in_netns(*init, inode_));
  EXPECT_EQ(processes_in_netns(inode_).size(), 2u);  // the init and the shell turned sleep

  EXPECT_TRUE(signal_and_wait(*init, inode_, SIGKILL, std::chrono::seconds(5)));
  EXPECT_TRUE(eventually([&] { return processes_in_netns(inode_).empty(); }));
}

TEST_F(MachineProcessTest, SigtermReachesTheDaemonAndTheInitLeavesWithIt) {
  std::string out = (dir_ / "out").string();
  auto init = launch_machine(launch("trap 'echo term > " + out + "; exit 0' TERM; echo up > " +
                                    out + "; while :; do sleep 0.05; done"));
  ASSERT_TRUE(init.is_ok()) << init.status().to_string();
  ASSERT_TRUE(eventually([&] { return read(out) == "up\n"; }));
  EXPECT_TRUE(signal_and_wait(*init, inode_, SIGTERM, std::chrono::seconds(10)));
  EXPECT_EQ(read(out), "term\n");
}

TEST_F(MachineProcessTest, WaitForApiSaysWhenTheDaemonExitedFirst) {
  auto init = launch_machine(launch("echo failing >&2; exit 3"));
  ASSERT_TRUE(init.is_ok()) << init.status().to_string();
  Status st =
      wait_for_api((dir_ / "nobody.sock").string(), *init, inode_, std::chrono::seconds(20));
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_NE(st.message().find("exited before answering"), std::string::npos) << st.message();
  EXPECT_TRUE(eventually([&] { return read(dir_ / "log").find("failing") != std::string::npos; }));
}

TEST_F(MachineProcessTest, AMissingNamespaceOrBinaryIsRefused) {
  MachineLaunch no_ns = launch("true");
  no_ns.netns_path = (dir_ / "absent").string();
  EXPECT_EQ(launch_machine(no_ns).status().code(), Code::kNotFound);
  MachineLaunch plain_file = launch("true");
  plain_file.netns_path = (dir_ / "log").string();
  std::ofstream(plain_file.netns_path) << "not a namespace";
  EXPECT_EQ(launch_machine(plain_file).status().code(), Code::kNotFound);
  MachineLaunch no_binary = launch("true");
  no_binary.argv = {(dir_ / "no-such-daemon").string()};
  EXPECT_EQ(launch_machine(no_binary).status().code(), Code::kNotFound);
  EXPECT_FALSE(alive_in_netns(1, inode_));  // the host's init is not in the machine
}

}  // namespace
}  // namespace shoal::provider
