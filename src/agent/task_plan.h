// The worker's decisions for one task, as pure functions (swarmkit's exec.Do, without the
// I/O): given what the worker knows about a task, which single step comes next; and which
// final status an ended task gets.
//
// The walk (desired state RUNNING, or COMPLETE for jobs):
//   ASSIGNED → ACCEPTED → PREPARING ─prepare()→ READY → STARTING ─start()→ RUNNING
//   ─wait() reports the exit→ COMPLETE (code 0) | FAILED ("task: non-zero exit (N)")
// A task pauses at ACCEPTED and READY while its desired state is not past them (a delayed
// restart is created with desired READY). prepare() failing REJECTS it, start() failing
// FAILS it. Once desired is SHUTDOWN or later: a task that never started ends SHUTDOWN at
// once; a started one gets shutdown(), then terminate() when its grace period has passed,
// and ends SHUTDOWN when its exit arrives. A task no longer assigned to the node is killed
// if it runs, removed, then forgotten; it reports nothing more.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/executor.h"
#include "api/task.h"

namespace shoal::agent {

// What the worker knows about one task.
struct RunnerState {
  api::TaskState state = api::TaskState::kAssigned;  // the worker's own status
  api::TaskState desired = api::TaskState::kRunning;
  bool has_controller = false;  // the executor gave a controller
  bool started = false;         // its process may run: start() succeeded, or adopted running
  bool waiting = false;         // wait() is registered
  bool exited = false;          // the exit (or a wait error) has been delivered
  bool stop_sent = false;       // shutdown() succeeded
  bool kill_due = false;        // the grace period after shutdown() has passed
  bool kill_sent = false;       // terminate() succeeded
  bool unassigned = false;      // the dispatcher no longer assigns it
  bool removed = false;         // remove() succeeded
  bool retry_pending = false;   // a temporary failure is waiting out its backoff
};

enum class Op : uint8_t {
  kNone,       // nothing to do until something changes
  kAdvance,    // move to Step::to with Step::message; no executor call
  kResolve,    // Executor::controller()
  kPrepare,    // Controller::prepare()
  kStart,      // Controller::start()
  kWait,       // Controller::wait()
  kFinish,     // record the delivered exit as the final status (finish_status())
  kShutdown,   // Controller::shutdown()
  kTerminate,  // Controller::terminate()
  kRemove,     // Controller::remove()
  kDrop,       // forget the task
};

std::string_view op_name(Op op);

struct Step {
  Op op = Op::kNone;
  api::TaskState to = api::TaskState::kUnset;  // for kAdvance
  std::string_view message;                    // for kAdvance
};

// The one next step for a task in `s`.
Step next_step(const RunnerState& s);

// The final status of a task whose process ended with `exit` (or whose wait failed):
//   desired SHUTDOWN or later  → SHUTDOWN "shutdown"
//   wait error                 → FAILED, Err = the error's message
//   exit code 0 and no Err     → COMPLETE "finished"
//   otherwise                  → FAILED "started", Err = exit.Err or
//                                "task: non-zero exit (<code>)"
struct FinalStatus {
  api::TaskState state = api::TaskState::kUnset;
  std::string message;
  std::string err;
};
FinalStatus finish_status(api::TaskState desired, const Result<ExitStatus>& exit);

// The status after a failed executor call of `op` from `state`: before STARTING the task is
// REJECTED, from STARTING on it has FAILED. `message` says which step failed.
FinalStatus failure_status(Op op, api::TaskState state, const Status& failure);

}  // namespace shoal::agent
