// Integration-test fixture: runs the real `shoal daemon` binary (SHOAL_BINARY) on a
// temporary data dir and socket, and helpers to run commands (docker, curl) against it.
//
// Every wait has a generous timeout and nothing asserts on elapsed time (machines are
// noisy). Teardown stops the daemon with SIGTERM, then SIGKILL if it has not exited within
// 10 s, reaps it, and removes the temporary directory: nothing is left behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace shoal::testing {

struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  bool timed_out = false;
  std::string out, err;
};

// Runs argv (argv[0] looked up in PATH) with `env` added to this process's environment;
// kills it after `timeout`.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

// One `shoal daemon` process.
class DaemonProcess {
 public:
  // `extra_args` follow the data dir, socket and log level on the command line; the default
  // runs tasks with the hollow executor (tests that want containers pass --executor=runc).
  DaemonProcess(std::string data_dir, std::string socket_path, std::string log_file,
                std::vector<std::string> extra_args = {"--executor=hollow"});
  ~DaemonProcess();  // stop() if still running
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Starts the binary; stderr goes to the log file. false if fork/exec failed.
  bool start();
  // Waits until GET /_ping on the socket answers 200 OK, or the process exits, or timeout.
  bool wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Waits for the process to exit by itself. Returns its exit code, or -1 on timeout or
  // death by signal.
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Sends `sig`; then waits up to `timeout` for exit, and SIGKILLs after that.
  // Returns the exit code (-1 when it had to be killed or died by a signal).
  int stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void kill9();  // SIGKILL and reap, as a crash

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  std::string log() const;  // what the daemon wrote to stderr
  const std::string& socket_path() const { return socket_; }

 private:
  std::string data_dir_, socket_, log_file_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int status_ = 0;
};

// GET /_ping over the unix socket; true on "200 OK" with body OK. Times out after `timeout`.
bool ping(const std::string& socket_path,
          std::chrono::milliseconds timeout = std::chrono::seconds(2));

// A fresh directory under /tmp, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace shoal::testing
