// Integration fixture for the Docker Engine API: a real `shoal daemon` (daemon_fixture.h)
// driven by the real docker CLI, with helpers for the swarm commands.
//
// SetUp fails (it does not skip) when the docker CLI is missing: `make test` installs it.
//
// Every wait has a timeout; nothing asserts on elapsed time.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "daemon_fixture.h"
#include "test_helpers.h"

namespace shoal::testing {

class EngineIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    socket_ = tmp_.path() + "/run/shoal.sock";
    daemon_ = std::make_unique<DaemonProcess>(tmp_.path() + "/data", socket_,
                                              tmp_.path() + "/daemon.log");
    ASSERT_TRUE(daemon_->start());
    ASSERT_TRUE(daemon_->wait_ready()) << daemon_->log();
    // `make test` installs the docker CLI (scripts/deps.sh): without it nothing here can run.
    CommandResult version = docker({"version", "--format", "{{.Client.Version}}"});
    ASSERT_NE(version.exit_code, 127) << "the docker CLI is not installed";
  }

  void TearDown() override {
    if (daemon_ && daemon_->running()) {
      EXPECT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->log();
    }
    daemon_.reset();
  }

  // Stops the daemon and starts a new one on the same data dir and socket.
  void restart() {
    ASSERT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->log();
    ASSERT_TRUE(daemon_->start());
    ASSERT_TRUE(daemon_->wait_ready()) << daemon_->log();
  }

  CommandResult docker(const std::vector<std::string>& args,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60)) const {
    std::vector<std::string> argv = {"docker"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(
        argv, {{"DOCKER_HOST", "unix://" + socket_}, {"DOCKER_CONFIG", tmp_.path() + "/docker"}},
        timeout);
  }

  // `docker ...` that must succeed; returns its stdout.
  std::string ok(const std::vector<std::string>& args,
                 std::chrono::milliseconds timeout = std::chrono::seconds(60)) const {
    CommandResult r = docker(args, timeout);
    EXPECT_EQ(r.exit_code, 0) << "docker " << join(args) << "\nstdout: " << r.out
                              << "\nstderr: " << r.err
                              << "\ndaemon log tail: " << tail(daemon_->log());
    return r.out;
  }

  // `docker ...` that must fail with `message` in its stderr; returns stderr.
  std::string fails(const std::vector<std::string>& args, const std::string& message) const {
    CommandResult r = docker(args);
    EXPECT_NE(r.exit_code, 0) << "docker " << join(args) << " succeeded: " << r.out;
    EXPECT_NE(r.err.find(message), std::string::npos)
        << "docker " << join(args) << "\nwanted: " << message << "\nstderr: " << r.err;
    return r.err;
  }

  CommandResult curl(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"curl", "-sS", "--max-time", "20", "--unix-socket", socket_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }

  // `docker swarm init`; returns this node's ID.
  std::string swarm_init() {
    std::string out = ok({"swarm", "init", "--advertise-addr", "127.0.0.1"});
    EXPECT_NE(out.find("Swarm initialized: current node ("), std::string::npos) << out;
    return trim(ok({"info", "--format", "{{.Swarm.NodeID}}"}));
  }

  TempDir tmp_;
  std::string socket_;
  std::unique_ptr<DaemonProcess> daemon_;
};

}  // namespace shoal::testing
