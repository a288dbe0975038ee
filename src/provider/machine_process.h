// A netns machine's processes: `shoal daemon` started inside the machine's network
// namespace, in new mount, PID and UTS namespaces of its own, under a small init.
//
// Why the extra namespaces: the machine's init is PID 1 of its PID namespace, so killing
// it kills the daemon, its monitors and every container (nested PID namespaces die with
// their parent) at once — a power cut, which is what `machine kill` and `cluster rm` want.
// Mounts the daemon makes (overlay rootfs, secrets tmpfs, task namespaces) stay in the
// machine's mount namespace and vanish with it, so the host's mount table never holds them.
// The mount namespace is a slave of the host's, so removing a /run/netns file on the host
// reaches it. The UTS namespace gives each node its own hostname in `docker node ls`.
//
// Thread safety: launch_machine forks; call it from a process with a single thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace shoal::provider {

struct MachineLaunch {
  std::string netns_path;         // /run/netns/<name>: the namespace to run in
  std::string hostname;           // the machine's hostname
  std::string log_file;           // the init's and the daemon's stdout/stderr
  std::vector<std::string> argv;  // the daemon's command line, argv[0] an absolute path
};

// Starts the machine and returns its init's PID (as the host sees it). The init forwards
// SIGTERM/SIGINT to the daemon, reaps orphans, and exits with the daemon.
// Errors: kNotFound when the namespace or the binary is missing; kInternal (fork, setns,
// unshare refused), with the reason.
Result<pid_t> launch_machine(const MachineLaunch& launch);

// The inode of the network namespace bound at `netns_path`, 0 when none is bound there.
ino_t netns_inode(const std::string& netns_path);

// The PIDs of every process whose network namespace is `inode`.
std::vector<pid_t> processes_in_netns(ino_t inode);

// True when `pid` lives (not a zombie) and is in the network namespace `inode` — so a PID
// recorded before a host reboot and reused by an unrelated process is never signalled.
bool alive_in_netns(pid_t pid, ino_t inode);

// Sends `sig` to `pid` when alive_in_netns, then waits up to `timeout` for it to be gone.
// Returns whether it is gone.
bool signal_and_wait(pid_t pid, ino_t inode, int sig, std::chrono::milliseconds timeout);

// Kills every process in the namespace `inode` (SIGKILL) and waits up to `timeout` for
// them to be gone. Returns whether none is left.
bool kill_netns_processes(ino_t inode, std::chrono::milliseconds timeout);

// Waits until a Docker API socket answers GET /_ping with 200, up to `timeout`, or until
// `pid` is no longer alive. Errors: kUnavailable naming the socket (and that the daemon
// exited, when it did).
Status wait_for_api(const std::string& socket, pid_t pid, ino_t inode,
                    std::chrono::milliseconds timeout);

}  // namespace shoal::provider
