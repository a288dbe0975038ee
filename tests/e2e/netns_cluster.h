// End-to-end fixture: a real cluster of netns machines on this host, made with
// `shoal cluster create` (each machine a network namespace running its own `shoal daemon`
// with the runc executor), driven with the real docker CLI through each machine's socket.
// Teardown runs `shoal cluster rm`, so nothing a test made outlives it; leftovers() says
// what the host still holds of a cluster (namespaces, links, nft table, mounts, processes,
// directories).
//
// Every wait has a timeout; nothing asserts on elapsed time. Needs root.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "daemon_fixture.h"
#include "provider/names.h"
#include "provider/state.h"
#include "test_helpers.h"

namespace shoal::testing {

class NetnsClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "netns clusters need root";
    clusters_dir_ = tmp_.path() + "/c";
    name_ = "e2e" + std::to_string(::getpid() % 100000);
  }

  void TearDown() override {
    if (!created_) return;
    CommandResult r = shoal({"cluster", "rm", name_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }

  CommandResult shoal(const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout = std::chrono::seconds(120)) const {
    std::vector<std::string> argv = {SHOAL_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, {{"SHOAL_CLUSTERS_DIR", clusters_dir_}}, timeout);
  }

  // `shoal cluster create <name> --nodes n`, then the test image loaded on every machine
  // and a 1 s dispatcher heartbeat (so a dead machine is noticed within seconds).
  void create(int nodes) {
    CommandResult r = shoal({"cluster", "create", name_, "--nodes", std::to_string(nodes)});
    created_ = r.exit_code == 0;
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_TRUE(contains(r.out, "export DOCKER_HOST=unix://")) << r.out;
    reload();
    ASSERT_EQ(state_.machines.size(), static_cast<size_t>(nodes));
    std::string image = image_tar();
    ASSERT_FALSE(image.empty());
    for (const auto& m : state_.machines) ok(m.name, {"load", "-i", image});
    ok("m1", {"swarm", "update", "--dispatcher-heartbeat", "1s"});
  }

  void reload() {
    auto state = provider::load_state(clusters_dir_ + "/" + name_);
    ASSERT_TRUE(state.is_ok()) << state.status().to_string();
    state_ = *state;
  }

  const provider::MachineState& machine(const std::string& name) const {
    for (const auto& m : state_.machines) {
      if (m.name == name) return m;
    }
    ADD_FAILURE() << "no machine " << name;
    return state_.machines.front();
  }

  std::string hostname(const std::string& m) const { return name_ + "-" + m; }
  std::string manager_addr() const { return machine("m1").ip + ":2377"; }

  CommandResult docker(const std::string& m, const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"docker"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv,
                       {{"DOCKER_HOST", "unix://" + machine(m).socket},
                        {"DOCKER_CONFIG", tmp_.path() + "/docker"}},
                       std::chrono::seconds(60));
  }

  std::string log_of(const std::string& m) const {
    std::ifstream in(clusters_dir_ + "/" + name_ + "/machines/" + m + "/daemon.log");
    std::stringstream s;
    s << in.rdbuf();
    return tail(s.str());
  }

  std::string ok(const std::string& m, const std::vector<std::string>& args) const {
    CommandResult r = docker(m, args);
    EXPECT_EQ(r.exit_code, 0) << m << ": docker " << join(args) << "\nstdout: " << r.out
                              << "\nstderr: " << r.err << "\nlog: " << log_of(m);
    return r.out;
  }

  void fails(const std::string& m, const std::vector<std::string>& args,
             const std::string& message) const {
    CommandResult r = docker(m, args);
    EXPECT_NE(r.exit_code, 0) << "docker " << join(args) << " succeeded: " << r.out;
    EXPECT_TRUE(contains(r.err, message))
        << "docker " << join(args) << "\nwanted: " << message << "\nstderr: " << r.err;
  }

  // "<status> <availability>" of each node by hostname, as the manager sees it.
  std::map<std::string, std::string> nodes() const {
    std::map<std::string, std::string> out;
    std::istringstream lines(
        docker("m1", {"node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.Availability}}"})
            .out);
    for (std::string line; std::getline(lines, line);) {
      auto space = line.find(' ');
      if (space != std::string::npos) out[line.substr(0, space)] = line.substr(space + 1);
    }
    return out;
  }

  // Running tasks of `service` per node hostname, and their slots, as the manager sees them.
  std::map<std::string, int> running_per_node(const std::string& service,
                                              std::vector<std::string>* slots = nullptr) const {
    std::map<std::string, int> out;
    std::istringstream lines(
        docker("m1", {"service", "ps", service, "--filter", "desired-state=running", "--format",
                      "{{.Name}} {{.Node}} {{.CurrentState}}"})
            .out);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream f(line);
      std::string task, node, state;
      f >> task >> node >> state;
      if (state != "Running") continue;
      ++out[node];
      if (slots) slots->push_back(task);
    }
    return out;
  }

  // Containers each machine's own daemon runs (`shoal ps` on its socket), by machine.
  int running_containers(const std::string& m) const {
    CommandResult r = run_command({SHOAL_BINARY, "ps", "--socket", machine(m).socket});
    int n = 0;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (contains(line, " running ")) ++n;
    }
    return n;
  }

  // What the host still holds of cluster `name`: one line per object found.
  std::vector<std::string> leftovers(const std::string& name) const {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/run/netns", ec)) {
      if (e.path().filename().string().starts_with("shoal-" + name + "-")) {
        found.push_back("netns " + e.path().string());
      }
    }
    CommandResult links = run_command({"ip", "-o", "link", "show"});
    std::istringstream lines(links.out);
    for (std::string line; std::getline(lines, line);) {
      for (int m = 1; m <= 16; ++m) {  // machines m1..m16: more than any test makes
        if (contains(line, " " + provider::veth_name(name, "m" + std::to_string(m)) + "@")) {
          found.push_back("link " + line);
        }
      }
      if (contains(line, " " + provider::bridge_name(name) + ":")) found.push_back("link " + line);
    }
    CommandResult tables = run_command({"nft", "list", "tables"});
    if (contains(tables.out, "shoal-cluster-" + name + "\n")) found.push_back("nft table");
    std::ifstream mounts("/proc/self/mountinfo");
    for (std::string line; std::getline(mounts, line);) {
      if (contains(line, clusters_dir_ + "/" + name) || contains(line, "/shoal-" + name + "-")) {
        found.push_back("mount " + line);
      }
    }
    for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
      std::ifstream cmdline(e.path() / "cmdline");
      std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
      if (contains(text, clusters_dir_ + "/" + name + "/"))
        found.push_back("process " + e.path().string());
    }
    if (std::filesystem::exists(clusters_dir_ + "/" + name))
      found.push_back("dir " + clusters_dir_ + "/" + name);
    return found;
  }

  // The busybox test image as a `docker save` tarball, built once per process.
  std::string image_tar() const {
    static std::string tar = [] {
      static TempDir dir;
      std::string source = SHOAL_SOURCE_DIR;
      CommandResult made = run_command(
          {"bash", source + "/tests/support/make_test_image.sh", dir.path() + "/image"});
      return made.exit_code == 0 ? dir.path() + "/image/image.tar" : std::string();
    }();
    return tar;
  }

  TempDir tmp_;
  std::string clusters_dir_;
  std::string name_;
  bool created_ = false;
  provider::ClusterState state_;
};

}  // namespace shoal::testing
