#include "agent/task_plan.h"

#include <gtest/gtest.h>

namespace shoal::agent {
namespace {

using api::TaskState;

// A RunnerState built from a short list of facts.
struct Facts {
  TaskState state = TaskState::kAssigned;
  TaskState desired = TaskState::kRunning;
  bool controller = true;
  bool started = false;
  bool waiting = false;
  bool exited = false;
  bool stop_sent = false;
  bool kill_due = false;
  bool kill_sent = false;
  bool unassigned = false;
  bool removed = false;
  bool retry = false;

  RunnerState build() const {
    RunnerState s;
    s.state = state;
    s.desired = desired;
    s.has_controller = controller;
    s.started = started;
    s.waiting = waiting;
    s.exited = exited;
    s.stop_sent = stop_sent;
    s.kill_due = kill_due;
    s.kill_sent = kill_sent;
    s.unassigned = unassigned;
    s.removed = removed;
    s.retry_pending = retry;
    return s;
  }
};

struct StepCase {
  const char* name;
  Facts facts;
  Op op;
  TaskState to = TaskState::kUnset;
};

class NextStepTest : public ::testing::TestWithParam<StepCase> {};

TEST_P(NextStepTest, Decides) {
  const StepCase& c = GetParam();
  Step step = next_step(c.facts.build());
  EXPECT_EQ(op_name(step.op), op_name(c.op)) << c.name;
  if (c.op == Op::kAdvance) {
    EXPECT_EQ(step.to, c.to) << c.name;
    EXPECT_FALSE(step.message.empty()) << c.name;
  }
}

const StepCase kStepCases[] = {
    // The walk to RUNNING.
    {"new task needs a controller", {.controller = false}, Op::kResolve},
    {"assigned is accepted", {}, Op::kAdvance, TaskState::kAccepted},
    {"accepted moves to preparing",
     {.state = TaskState::kAccepted},
     Op::kAdvance,
     TaskState::kPreparing},
    {"preparing prepares", {.state = TaskState::kPreparing}, Op::kPrepare},
    {"ready moves to starting", {.state = TaskState::kReady}, Op::kAdvance, TaskState::kStarting},
    {"starting starts", {.state = TaskState::kStarting}, Op::kStart},
    {"running registers a wait", {.state = TaskState::kRunning, .started = true}, Op::kWait},
    {"running and waited: nothing",
     {.state = TaskState::kRunning, .started = true, .waiting = true},
     Op::kNone},
    {"an exit finishes",
     {.state = TaskState::kRunning, .started = true, .waiting = true, .exited = true},
     Op::kFinish},
    // Pauses below the desired state.
    {"desired ready pauses at ready",
     {.state = TaskState::kReady, .desired = TaskState::kReady},
     Op::kNone},
    {"desired ready still prepares",
     {.state = TaskState::kPreparing, .desired = TaskState::kReady},
     Op::kPrepare},
    {"desired accepted pauses",
     {.state = TaskState::kAccepted, .desired = TaskState::kAccepted},
     Op::kNone},
    {"job task (desired complete) runs",
     {.state = TaskState::kReady, .desired = TaskState::kComplete},
     Op::kAdvance,
     TaskState::kStarting},
    // Terminal tasks do nothing while assigned.
    {"failed: nothing", {.state = TaskState::kFailed}, Op::kNone},
    {"complete without controller: nothing",
     {.state = TaskState::kComplete, .controller = false},
     Op::kNone},
    {"shutdown desired on a shut-down task",
     {.state = TaskState::kShutdown, .desired = TaskState::kShutdown},
     Op::kNone},
    // Stopping.
    {"never started: shutdown at once",
     {.state = TaskState::kReady, .desired = TaskState::kShutdown},
     Op::kAdvance,
     TaskState::kShutdown},
    {"never started, no controller: resolve first",
     {.state = TaskState::kAssigned, .desired = TaskState::kShutdown, .controller = false},
     Op::kResolve},
    {"started: wait before stopping",
     {.state = TaskState::kRunning, .desired = TaskState::kShutdown, .started = true},
     Op::kWait},
    {"started and waited: shutdown",
     {.state = TaskState::kRunning,
      .desired = TaskState::kShutdown,
      .started = true,
      .waiting = true},
     Op::kShutdown},
    {"stop sent: wait for the exit",
     {.state = TaskState::kRunning,
      .desired = TaskState::kShutdown,
      .started = true,
      .waiting = true,
      .stop_sent = true},
     Op::kNone},
    {"grace over: terminate",
     {.state = TaskState::kRunning,
      .desired = TaskState::kShutdown,
      .started = true,
      .waiting = true,
      .stop_sent = true,
      .kill_due = true},
     Op::kTerminate},
    {"killed: wait for the exit",
     {.state = TaskState::kRunning,
      .desired = TaskState::kShutdown,
      .started = true,
      .waiting = true,
      .stop_sent = true,
      .kill_due = true,
      .kill_sent = true},
     Op::kNone},
    {"exit while stopping finishes",
     {.state = TaskState::kRunning,
      .desired = TaskState::kShutdown,
      .started = true,
      .waiting = true,
      .exited = true,
      .stop_sent = true},
     Op::kFinish},
    {"desired remove stops too",
     {.state = TaskState::kRunning,
      .desired = TaskState::kRemove,
      .started = true,
      .waiting = true},
     Op::kShutdown},
    // No longer assigned.
    {"unassigned running: wait first",
     {.state = TaskState::kRunning, .started = true, .unassigned = true},
     Op::kWait},
    {"unassigned running: terminate",
     {.state = TaskState::kRunning, .started = true, .waiting = true, .unassigned = true},
     Op::kTerminate},
    {"unassigned killed: wait for the exit",
     {.state = TaskState::kRunning,
      .started = true,
      .waiting = true,
      .kill_sent = true,
      .unassigned = true},
     Op::kNone},
    {"unassigned exited: remove",
     {.state = TaskState::kRunning,
      .started = true,
      .waiting = true,
      .exited = true,
      .unassigned = true},
     Op::kRemove},
    {"unassigned never started: remove",
     {.state = TaskState::kReady, .unassigned = true},
     Op::kRemove},
    {"unassigned removed: drop",
     {.state = TaskState::kShutdown, .unassigned = true, .removed = true},
     Op::kDrop},
    {"unassigned without controller: drop",
     {.state = TaskState::kFailed, .controller = false, .unassigned = true},
     Op::kDrop},
    // Retries wait for their timer.
    {"retry pending: nothing", {.state = TaskState::kPreparing, .retry = true}, Op::kNone},
    {"unassigned retry pending: nothing",
     {.state = TaskState::kShutdown, .unassigned = true, .retry = true},
     Op::kNone},
};

INSTANTIATE_TEST_SUITE_P(Table, NextStepTest, ::testing::ValuesIn(kStepCases));

TEST(NextStepPropertyTest, NeverAdvancesBackwardsAndNeverCallsPastTheEnd) {
  // Every combination of facts: an advance only moves forward, and a terminal assigned
  // task never gets an executor call.
  for (int bits = 0; bits < (1 << 10); ++bits) {
    for (auto state : {TaskState::kAssigned, TaskState::kAccepted, TaskState::kPreparing,
                       TaskState::kReady, TaskState::kStarting, TaskState::kRunning,
                       TaskState::kComplete, TaskState::kShutdown, TaskState::kFailed}) {
      for (auto desired : {TaskState::kReady, TaskState::kRunning, TaskState::kComplete,
                           TaskState::kShutdown, TaskState::kRemove}) {
        RunnerState s;
        s.state = state;
        s.desired = desired;
        s.has_controller = bits & 1;
        s.started = bits & 2;
        s.waiting = bits & 4;
        s.exited = bits & 8;
        s.stop_sent = bits & 16;
        s.kill_due = bits & 32;
        s.kill_sent = bits & 64;
        s.unassigned = bits & 128;
        s.removed = bits & 256;
        s.retry_pending = bits & 512;
        Step step = next_step(s);
        if (step.op == Op::kAdvance) {
          EXPECT_GT(step.to, state);
          EXPECT_FALSE(s.unassigned);
        }
        if (!s.unassigned && state > TaskState::kRunning) {
          EXPECT_EQ(step.op, Op::kNone);
        }
        if (s.retry_pending) {
          EXPECT_EQ(step.op, Op::kNone);
        }
        if (step.op == Op::kDrop) {
          EXPECT_TRUE(s.unassigned);
        }
      }
    }
  }
}

TEST(FinishStatusTest, MapsExits) {
  auto complete = finish_status(TaskState::kRunning, ExitStatus{0, ""});
  EXPECT_EQ(complete.state, TaskState::kComplete);
  EXPECT_EQ(complete.message, "finished");
  EXPECT_EQ(complete.err, "");

  auto failed = finish_status(TaskState::kRunning, ExitStatus{3, ""});
  EXPECT_EQ(failed.state, TaskState::kFailed);
  EXPECT_EQ(failed.message, "started");
  EXPECT_EQ(failed.err, "task: non-zero exit (3)");

  auto oom = finish_status(TaskState::kComplete, ExitStatus{137, "OOM killed"});
  EXPECT_EQ(oom.state, TaskState::kFailed);
  EXPECT_EQ(oom.err, "OOM killed");

  auto lost = finish_status(TaskState::kRunning, Status(Code::kNotFound, "task t is not running"));
  EXPECT_EQ(lost.state, TaskState::kFailed);
  EXPECT_EQ(lost.err, "task t is not running");

  auto stopped = finish_status(TaskState::kShutdown, ExitStatus{143, ""});
  EXPECT_EQ(stopped.state, TaskState::kShutdown);
  EXPECT_EQ(stopped.message, "shutdown");
  EXPECT_EQ(stopped.err, "");
}

TEST(FailureStatusTest, RejectedBeforeStartingFailedAfter) {
  Status boom(Code::kInvalidArgument, "no such image");
  auto prepare = failure_status(Op::kPrepare, TaskState::kPreparing, boom);
  EXPECT_EQ(prepare.state, TaskState::kRejected);
  EXPECT_EQ(prepare.message, "preparing");
  EXPECT_EQ(prepare.err, "no such image");
  auto resolve = failure_status(Op::kResolve, TaskState::kAssigned, boom);
  EXPECT_EQ(resolve.state, TaskState::kRejected);
  EXPECT_EQ(resolve.message, "resolving controller failed");
  auto start = failure_status(Op::kStart, TaskState::kStarting, boom);
  EXPECT_EQ(start.state, TaskState::kFailed);
  EXPECT_EQ(start.message, "starting");
}

}  // namespace
}  // namespace shoal::agent
