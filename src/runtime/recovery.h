// What a restarted daemon makes of each task state dir left by its predecessor: a pure
// classification of what was found there, so the rules are table-tested apart from the
// filesystem and sockets that gather the facts.
//
//   exit file present                       → kExited: report its code (the monitor saw the
//                                             end while no daemon listened)
//   monitor answers "running" (or is still
//   draining after the exit)                → kRunning: re-attach, no restart
//   monitor answers "created"               → kCreated: adopt as prepared; start() asks the
//                                             live monitor to start it
//   a monitor was launched but none answers
//   and no exit file                        → kLost: the monitor died (or the host
//                                             rebooted); report it exited with an error
//   prepared (task.json says so), never
//   launched                                → kPrepared: adopt; start() launches it
//   no task.json, or prepare never finished → kHalfPrepared: clean up, report nothing
//
// Thread safety: pure function.
#pragma once

#include <optional>

#include "runtime/monitor_client.h"

namespace shoal::runtime {

struct TaskFacts {
  bool has_meta = false;
  bool prepared = false;
  bool launched = false;              // the monitor left traces (monitor.pid, init.pid or runc.log)
  std::optional<MonitorStatus> live;  // the monitor's answer to "status"
  std::optional<monitor::ExitRecord> exit_file;
};

enum class Verdict : uint8_t { kRunning, kCreated, kExited, kLost, kPrepared, kHalfPrepared };

Verdict classify(const TaskFacts& facts);

// The error a lost task is reported with.
inline constexpr std::string_view kLostError = "container lost: its monitor is gone";

}  // namespace shoal::runtime
