#include "agent/task_plan.h"

#include <fmt/format.h>

#include "api/task_lifecycle.h"

namespace shoal::agent {

using api::TaskState;

std::string_view op_name(Op op) {
  switch (op) {
    case Op::kNone:
      return "none";
    case Op::kAdvance:
      return "advance";
    case Op::kResolve:
      return "resolve";
    case Op::kPrepare:
      return "prepare";
    case Op::kStart:
      return "start";
    case Op::kWait:
      return "wait";
    case Op::kFinish:
      return "finish";
    case Op::kShutdown:
      return "shutdown";
    case Op::kTerminate:
      return "terminate";
    case Op::kRemove:
      return "remove";
    case Op::kDrop:
      return "drop";
  }
  return "?";
}

namespace {

Step just(Op op) { return Step{op, TaskState::kUnset, {}}; }

// A task that is no longer assigned: kill it if it may run, release it, forget it.
Step next_unassigned(const RunnerState& s) {
  if (s.started && !s.exited) {
    if (!s.waiting) return just(Op::kWait);
    if (!s.kill_sent) return just(Op::kTerminate);
    return just(Op::kNone);
  }
  if (s.has_controller && !s.removed) return just(Op::kRemove);
  return just(Op::kDrop);
}

// Desired SHUTDOWN or later: stop gracefully, kill after the grace period.
Step next_stopping(const RunnerState& s) {
  if (!s.started) return {Op::kAdvance, TaskState::kShutdown, "shutdown"};
  if (!s.waiting) return just(Op::kWait);
  if (!s.stop_sent) return just(Op::kShutdown);
  if (s.kill_due && !s.kill_sent) return just(Op::kTerminate);
  return just(Op::kNone);
}

}  // namespace

Step next_step(const RunnerState& s) {
  if (s.unassigned) return s.retry_pending ? just(Op::kNone) : next_unassigned(s);
  if (api::is_terminal(s.state) || s.retry_pending) return just(Op::kNone);
  if (!s.has_controller) return just(Op::kResolve);
  if (s.exited) return just(Op::kFinish);
  if (s.desired >= TaskState::kShutdown) return next_stopping(s);

  switch (s.state) {
    case TaskState::kPreparing:
      return just(Op::kPrepare);
    case TaskState::kStarting:
      return just(Op::kStart);
    case TaskState::kRunning:
      return s.waiting ? just(Op::kNone) : just(Op::kWait);
    default:
      break;
  }
  // Pause states: move on only while the desired state is further.
  if (s.state >= s.desired) return just(Op::kNone);
  switch (s.state) {
    case TaskState::kAccepted:
      return {Op::kAdvance, TaskState::kPreparing, "preparing"};
    case TaskState::kReady:
      return {Op::kAdvance, TaskState::kStarting, "starting"};
    default:
      if (s.state < TaskState::kAccepted) return {Op::kAdvance, TaskState::kAccepted, "accepted"};
      return just(Op::kNone);
  }
}

FinalStatus finish_status(TaskState desired, const Result<ExitStatus>& exit) {
  if (desired >= TaskState::kShutdown) return {TaskState::kShutdown, "shutdown", ""};
  if (!exit.is_ok()) return {TaskState::kFailed, "started", exit.status().message()};
  if (exit->ExitCode == 0 && exit->Err.empty()) return {TaskState::kComplete, "finished", ""};
  std::string err =
      !exit->Err.empty() ? exit->Err : fmt::format("task: non-zero exit ({})", exit->ExitCode);
  return {TaskState::kFailed, "started", std::move(err)};
}

FinalStatus failure_status(Op op, TaskState state, const Status& failure) {
  std::string message;
  switch (op) {
    case Op::kResolve:
      message = "resolving controller failed";
      break;
    case Op::kPrepare:
      message = "preparing";
      break;
    case Op::kStart:
      message = "starting";
      break;
    default:
      message = std::string(op_name(op));
      break;
  }
  TaskState to = state < TaskState::kStarting ? TaskState::kRejected : TaskState::kFailed;
  return {to, std::move(message), failure.message()};
}

}  // namespace shoal::agent
