// The daemon's side of shoal-monitor (monitor_protocol.h): launching a monitor for a task,
// asking it one thing, opening a "wait" connection, and reading what a finished one left.
//
// Socket paths may be longer than sun_path allows (108 bytes); connections then go through
// /proc/self/fd/<state dir fd>/monitor.sock.
//
// Thread safety: free functions, safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "runtime/monitor_protocol.h"

namespace shoal::runtime {

struct MonitorLaunch {
  std::string monitor_binary;
  std::string id;  // the runc container ID (the task ID)
  std::string bundle;
  std::string state_dir;
  std::string runtime;
  std::string runtime_root;
  int64_t log_max_bytes = monitor::kDefaultLogMaxBytes;
  bool start = true;
  bool tty = false;  // the bundle's process.terminal: runc needs a console socket
};

// What a monitor says about its container.
struct MonitorStatus {
  enum class State : uint8_t { kCreated, kRunning, kExited };
  State state = State::kCreated;
  int64_t pid = 0;             // created/running
  monitor::ExitRecord exit{};  // exited
};

// Parses "created <pid>" | "running <pid>" | "exited <code> <signal>".
// Errors: kInternal "monitor: <line>" for "error <message>" or anything else.
Result<MonitorStatus> parse_status_line(std::string_view line);

// Starts a monitor and waits (up to `timeout`) for its launch result: the container created
// (and running, with `start`). Errors: kInternal with the runtime's message when it could
// not be created or started (runc's own error from runc.log when there is one);
// kUnavailable when the monitor did not answer in time (it is killed).
Result<MonitorStatus> launch_monitor(const MonitorLaunch& launch,
                                     std::chrono::milliseconds timeout);

// Connects to the monitor of `state_dir`. Returns the connected, non-blocking, close-on-exec
// socket. Errors: kNotFound when no monitor listens there (none started, or it has exited);
// kInternal for other socket errors.
Result<int> connect_monitor(const std::string& state_dir);

// Sends one request and waits (up to `timeout`) for its one-line reply.
// Errors: those of connect_monitor(); kUnavailable on timeout; kInternal when the monitor
// closed the connection without answering.
Result<std::string> monitor_request(const std::string& state_dir, std::string_view request,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The exit file of a monitor that has finished; nullopt when there is none (yet).
std::optional<monitor::ExitRecord> read_exit_file(const std::string& state_dir);

// The last error runc logged in <state_dir>/runc.log ("" if none).
std::string last_runtime_error(const std::string& state_dir);

}  // namespace shoal::runtime
