// Integration fixture for multi-node clusters on one host: several real `shoal daemon`
// processes on 127.0.0.1, each with its own data dir, socket and listen port (a free port
// picked at start), driven by the real docker CLI. Teardown stops every daemon (SIGTERM,
// then SIGKILL) and removes the temporary directory.
//
// Every wait has a timeout; nothing asserts on elapsed time.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon_fixture.h"
#include "test_helpers.h"

namespace shoal::testing {

class ClusterTest : public ::testing::Test {
 protected:
  struct Node {
    std::string dir, socket;
    int port = 0;
    std::unique_ptr<DaemonProcess> daemon;
  };

  void TearDown() override {
    for (auto& node : nodes_) {
      if (node.daemon && node.daemon->running()) node.daemon->stop(SIGTERM);
    }
    nodes_.clear();
  }

  // A port nobody listens on right now (the kernel's pick for port 0).
  static int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
  }

  // Starts node `i` (a new one when i == nodes_.size()) and waits until it answers.
  // `extra` flags go after the fixture's.
  void start_node(size_t i, const std::string& executor = "hollow",
                  const std::vector<std::string>& extra = {}) {
    if (i == nodes_.size()) {
      Node node;
      node.dir = tmp_.path() + "/n" + std::to_string(i);
      node.socket = node.dir + "/run/shoal.sock";
      node.port = free_port();
      ASSERT_NE(node.port, 0);
      nodes_.push_back(std::move(node));
    }
    Node& node = nodes_[i];
    std::filesystem::create_directories(node.dir);  // for its daemon.log
    std::vector<std::string> flags = {"--executor=" + executor,
                                      "--listen-addr=127.0.0.1:" + std::to_string(node.port),
                                      "--advertise-addr=127.0.0.1"};
    flags.insert(flags.end(), extra.begin(), extra.end());
    node.daemon = std::make_unique<DaemonProcess>(node.dir + "/data", node.socket,
                                                  node.dir + "/daemon.log", flags);
    ASSERT_TRUE(node.daemon->start());
    ASSERT_TRUE(node.daemon->wait_ready()) << node.daemon->log();
  }

  std::string manager_addr(size_t i = 0) const {
    return "127.0.0.1:" + std::to_string(nodes_[i].port);
  }

  CommandResult docker(size_t i, const std::vector<std::string>& args,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60)) const {
    std::vector<std::string> argv = {"docker"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(
        argv,
        {{"DOCKER_HOST", "unix://" + nodes_[i].socket}, {"DOCKER_CONFIG", tmp_.path() + "/docker"}},
        timeout);
  }

  // `docker ...` on node i that must succeed; returns its stdout.
  std::string ok(size_t i, const std::vector<std::string>& args) const {
    CommandResult r = docker(i, args);
    EXPECT_EQ(r.exit_code, 0) << "node " << i << ": docker " << join(args) << "\nstdout: " << r.out
                              << "\nstderr: " << r.err
                              << "\nmanager log tail: " << tail(nodes_[0].daemon->log())
                              << "\nnode log tail: " << tail(nodes_[i].daemon->log());
    return r.out;
  }

  // `docker ...` on node i that must fail with `message` in its stderr.
  std::string fails(size_t i, const std::vector<std::string>& args,
                    const std::string& message) const {
    CommandResult r = docker(i, args);
    EXPECT_NE(r.exit_code, 0) << "docker " << join(args) << " succeeded: " << r.out;
    EXPECT_NE(r.err.find(message), std::string::npos)
        << "docker " << join(args) << "\nwanted: " << message << "\nstderr: " << r.err;
    return r.err;
  }

  // Node 0 inits a swarm; nodes 1..n-1 join it with the worker token.
  void form_cluster(size_t n) {
    for (size_t i = nodes_.size(); i < n; ++i) start_node(i);
    ok(0, {"swarm", "init"});
    std::string token = trim(ok(0, {"swarm", "join-token", "-q", "worker"}));
    for (size_t i = 1; i < n; ++i) {
      std::string out = ok(i, {"swarm", "join", "--token", token, manager_addr()});
      EXPECT_NE(out.find("This node joined a swarm as a worker."), std::string::npos) << out;
    }
  }

  // The manager's `docker node ls` as "hostname status availability" lines, by node ID.
  std::string node_field(const std::string& id, const std::string& format) const {
    return trim(docker(0, {"node", "inspect", id, "--format", format}).out);
  }
  std::string node_id(size_t i) const {
    return trim(docker(i, {"info", "--format", "{{.Swarm.NodeID}}"}).out);
  }
  // How many running tasks of `service` each node ID has.
  std::map<std::string, int> running_per_node(const std::string& service) const {
    std::map<std::string, int> out;
    std::istringstream lines(docker(0, {"service", "ps", service, "--filter",
                                        "desired-state=running", "--format", "{{.ID}}"})
                                 .out);
    std::string task;
    while (std::getline(lines, task)) {
      if (task.empty()) continue;
      std::string state = trim(docker(0, {"inspect", "--type", "task", task, "--format",
                                          "{{.Status.State}} {{.NodeID}}"})
                                   .out);
      if (state.rfind("running ", 0) == 0) ++out[state.substr(8)];
    }
    return out;
  }

  TempDir tmp_;
  std::vector<Node> nodes_;
};

}  // namespace shoal::testing
