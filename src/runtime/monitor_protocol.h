// The contract between the daemon and shoal-monitor (src/monitor/), one monitor process per
// container, conmon-style. Shared by both sides; dependency-free (the monitor links only libc
// and libstdc++).
//
// Launch: the daemon runs
//   shoal-monitor --id ID --bundle DIR --state-dir DIR --runtime PATH --runtime-root DIR
//                 [--log-max-bytes N] [--sync-fd FD] [--start] [--tty]
// The monitor forks and the parent exits at once (the daemon reaps it); the child calls
// setsid(), becomes a child subreaper, binds <state-dir>/monitor.sock, writes
// <state-dir>/monitor.pid, runs `runc create` with pipes as the container's stdout/stderr,
// and writes one line to the sync fd: "created <pid>" or "error <message>" (then it exits).
// With --start it runs `runc run --detach` instead (create and start in one runtime
// process) and writes "running <pid>" (or "error ..."). With --tty (the bundle's
// process.terminal) the container gets a terminal instead of the pipes: runc sends the pty's
// master over <state-dir>/console.sock (--console-socket), which the monitor reads as the
// container's stdout (a terminal merges stderr into it, as Docker's TTY containers do). It lives
// until the container's init has exited and its output has been drained, then writes
// <state-dir>/exit, answers every waiter, removes its socket and exits.
//
// Socket requests, one line each ('\n'-terminated), answered by one line:
//   status        → "created <pid>" | "running <pid>" | "exited <code> <signal>"
//   start         → "running <pid>" | "error <message>"   (runc start; OK when running)
//   signal <n>    → "ok" | "error <message>"               (kill(2) of the init process)
//   stop <n>      → "ok" | "ok killed" | "error <message>"  (signal <n>, except that a
//                   signal the init has no handler for is SIGKILL: the kernel drops
//                   uncaught signals to a pid namespace's init, so waiting out the grace
//                   period could only end in SIGKILL anyway)
//   wait          → "exited <code> <signal>" once the container has exited
// Anything else → "error unknown request".
//
// Files in the state dir:
//   monitor.sock, monitor.pid   while the monitor lives
//   container.log[.1]           json-file logs (logs/json_encode.h), rotated once at the cap
//   runc.log                    runc's own log (--log-format json): errors of create/start
//   init.pid                    the container's init pid (runc --pid-file)
//   exit                        "<code> <signal> <unix nanos>\n", written atomically (rename)
// The exit code follows Docker: the process's code, or 128 + signal when killed by one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shoal::runtime::monitor {

inline constexpr std::string_view kSocketFile = "monitor.sock";
inline constexpr std::string_view kPidFile = "monitor.pid";
inline constexpr std::string_view kLogFile = "container.log";
inline constexpr std::string_view kRotatedLogFile = "container.log.1";
inline constexpr std::string_view kRuntimeLogFile = "runc.log";
inline constexpr std::string_view kInitPidFile = "init.pid";
inline constexpr std::string_view kExitFile = "exit";
inline constexpr std::string_view kConsoleSocketFile = "console.sock";  // --tty, during launch

// Default cap of container.log before it is rotated to container.log.1.
inline constexpr int64_t kDefaultLogMaxBytes = 16 << 20;

struct ExitRecord {
  int64_t code = 0;
  int signal = 0;              // the signal that killed the init process, 0 if it exited
  int64_t finished_nanos = 0;  // unix nanoseconds
};

inline std::string format_exit(const ExitRecord& e) {
  return std::to_string(e.code) + " " + std::to_string(e.signal) + " " +
         std::to_string(e.finished_nanos) + "\n";
}

namespace detail {
// Parses a decimal integer prefix of `s` (optional '-'); false if there is none.
inline bool take_int(std::string_view& s, int64_t& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  bool neg = !s.empty() && s.front() == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty() || s.front() < '0' || s.front() > '9') return false;
  int64_t v = 0;
  while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
    v = v * 10 + (s.front() - '0');
    s.remove_prefix(1);
  }
  out = neg ? -v : v;
  return true;
}
}  // namespace detail

// Parses "<code> <signal> [<nanos>]" (an exit file, or the tail of an "exited" reply).
inline bool parse_exit(std::string_view s, ExitRecord& out) {
  int64_t code = 0, sig = 0, nanos = 0;
  if (!detail::take_int(s, code) || !detail::take_int(s, sig)) return false;
  detail::take_int(s, nanos);  // optional
  out = ExitRecord{code, static_cast<int>(sig), nanos};
  return true;
}

}  // namespace shoal::runtime::monitor
