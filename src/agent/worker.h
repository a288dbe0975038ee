// Worker: the node side of task execution. It keeps one runner per task the dispatcher
// assigns, drives each through the executor (task_plan.h decides the steps), and reports
// every status change to a StatusSink (the agent's batching reporter).
//
// Reconciling assignments (assign()):
//   - a COMPLETE message replaces the set: tasks in it are created or updated, runners not
//     in it are unassigned (killed if running, removed, forgotten); secrets and configs are
//     replaced likewise. The first complete message also settles recovery: tasks the
//     executor recovered are adopted when assigned, killed and removed when not.
//   - an INCREMENTAL message creates/updates the tasks it names and unassigns those it
//     removes.
//   - an update only moves a runner's desired state forward (never back), and never touches
//     the worker's own status: the node's view of its tasks is canonical.
//
// Threading: no thread per task. A small pool of threads (WorkerOptions::threads) runs
// the executor calls that may block (prepare, start, ...); exits arrive through wait()
// callbacks; grace-period kills and retries of temporary failures are timers served by the
// same pool, on the worker's Clock (Clock::wait_until: a ManualClock fires them when
// advanced). All runner state is guarded by one mutex, never held across an executor call.
//
// Lifetime: stop() (or the destructor) joins the pool and releases every controller but
// leaves the tasks running: a restarted daemon adopts them through Executor::recover().
//
// Thread safety: all public methods are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/executor.h"
#include "common/backoff.h"
#include "common/status.h"
#include "common/time.h"
#include "protocol/messages.h"

namespace shoal::agent {

// Where status changes go. Called with the worker's lock held: must be cheap and must not
// call back into the worker.
class StatusSink {
 public:
  virtual ~StatusSink() = default;
  virtual void task_status_changed(const std::string& task_id, const api::TaskStatus& status) = 0;
};

struct WorkerOptions {
  // Threads running executor calls; 0 = the number of CPUs, at least 2.
  size_t threads = 0;
  // Used when a task's ContainerSpec has no StopGracePeriod (Docker's default).
  std::chrono::nanoseconds default_stop_grace = std::chrono::seconds(10);
  // Retries of temporary (kUnavailable) executor failures.
  BackoffPolicy retry{std::chrono::milliseconds(200), std::chrono::seconds(10), 2.0, 0.5};
  uint64_t seed = 0;
};

class Worker {
 public:
  // `executor`, `clock` and `sink` must outlive the worker. `clock` stamps statuses and
  // times the grace periods and retries. The sink runs under the worker's lock, so it must
  // not advance a ManualClock the worker waits on (ManualClock's lock order).
  Worker(Executor& executor, const Clock& clock, StatusSink& sink, WorkerOptions options = {});
  ~Worker();  // stop()
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Recovers the executor's tasks (adopted or cleaned up at the first complete assignment)
  // and starts the pool. A recovery error is logged and the worker starts without them.
  // REQUIRES: not started before.
  void start();
  // Joins the pool; tasks keep running. Idempotent.
  void stop();

  // Applies one assignments message (see above). Errors: kFailedPrecondition "worker is
  // stopped".
  Status assign(const protocol::AssignmentsMessage& message);

  // Every task's current status, for re-reporting after a new session.
  std::vector<protocol::TaskStatusUpdate> statuses() const;
  // Tasks the worker holds (including unassigned ones not yet forgotten).
  size_t task_count() const;
  // True when no task is queued for the pool or in an executor call: the worker does
  // nothing more until an assignment, an exit or a timer comes. Lets a test show that an
  // input was handled and led to nothing, without sleeping.
  bool idle() const;

 private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace shoal::agent
