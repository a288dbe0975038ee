// shoal's one subprocess helper: spawning programs (runc, shoal-monitor, etcd) from the
// multi-threaded daemon with posix_spawn (vfork-fast; no code runs in the child), and running
// one to completion with its output captured and a time limit.
//
// Children get an empty signal mask and default dispositions for SIGPIPE/SIGHUP, /dev/null
// for stdio that is not given, and no other descriptor of the daemon (every descriptor above
// the mapped ones is closed in the child).
//
// Waiting never polls: run() blocks in poll(2) on the output pipe and a pidfd.
//
// Thread safety: free functions, safe from any thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace shoal {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is a path (no PATH search)
  int stdin_fd = -1;              // -1: /dev/null
  int stdout_fd = -1;
  int stderr_fd = -1;
  std::vector<std::pair<int, int>> extra_fds;  // (fd here, fd number in the child)
};

// Starts the program. The caller owns the child (waitpid it).
// Errors: kInternal "cannot run <argv[0]>: <reason>".
Result<pid_t> spawn(const SpawnOptions& options);

// A pidfd for `pid` (readable once it has exited), or -1 when the kernel lacks pidfd_open.
int open_pidfd(pid_t pid);

struct RunResult {
  int exit_code = -1;  // WEXITSTATUS, or 128 + signal when killed
  bool timed_out = false;
  std::string output;  // stdout and stderr interleaved, at most max_output bytes
};

// Runs argv to completion with stdout+stderr captured; kills it (SIGKILL) after `timeout`.
// Errors: kInternal when it cannot be started. A non-zero exit is a RunResult, not an error.
Result<RunResult> run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                      size_t max_output = 64 * 1024);

// waitpid(pid) until it is reaped; returns the RunResult-style exit code.
int wait_exit_code(pid_t pid);

}  // namespace shoal
