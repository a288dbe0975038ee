// shoal-monitor: one small process per container, the way conmon works for Podman. It keeps
// the container's stdio pipes, writes its logs, reaps its init process (as a child
// subreaper) and records the exit status, so containers outlive the daemon and the daemon can
// re-attach after a restart. The protocol (launch, socket requests, files) is
// runtime/monitor_protocol.h.
//
// Cost: a single thread blocked in epoll_wait on a signalfd (SIGCHLD), the two pipes, the
// listening socket and its clients, and a timerfd while draining: no polling, no busy loop.
// Statically linked; no allocation beyond a few buffers.
#pragma once

#include <cstdint>
#include <string>

namespace shoal::monitor {

struct Options {
  std::string id;
  std::string bundle;
  std::string state_dir;
  std::string runtime;       // path of runc (or crun)
  std::string runtime_root;  // runc --root
  int64_t log_max_bytes = 0;
  int sync_fd = -1;    // where the launch result goes, -1 for none
  bool start = false;  // runc start right after runc create
  bool tty = false;    // the container has a terminal (process.terminal): --console-socket
};

// Runs the monitor in the current process (already detached by main()). Returns the process
// exit code: 0 once the container has exited and its exit file is written, 1 when the
// container could not be created or started (the reason went to the sync fd).
int run_monitor(const Options& options);

}  // namespace shoal::monitor
