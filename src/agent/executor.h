// The executor seam: how the worker runs a task on this node, whatever runs it (the hollow
// executor today, runc through a per-container monitor next). Modelled on swarmkit's
// exec.Executor / exec.Controller and Mesos' isolator: phases are listed recovery first,
// each says whether it is idempotent and what its errors mean.
//
// The worker drives one Controller per task through
//     prepare → start → wait … (shutdown → terminate) → remove
// and maps results to task states: a prepare error REJECTS the task, a start error FAILS
// it, the exit status of wait() COMPLETES (code 0) or FAILS it, and an exit after shutdown
// ends it as SHUTDOWN. kUnavailable from prepare/start means "temporary, try again later"
// (the worker retries with backoff); every other error is final for the task.
//
// Nothing here blocks for a task's lifetime: wait() is asynchronous, so a node can hold a
// million tasks without a thread each. prepare() and start() may block for the work they do
// (an image pull, runc create); the worker calls them from a small pool of threads, so they
// run concurrently but bounded. shutdown() only asks: the worker escalates to terminate()
// itself after the task's StopGracePeriod.
//
// Tasks outlive the daemon: destroying a Controller (or the Executor) leaves the task as it
// is; the next daemon finds it through Executor::recover() and adopts it.
//
// Thread safety: an Executor is safe to call from any thread. A Controller is called by one
// thread at a time (the worker never runs two operations of one task at once), except that
// wait()'s callback may run on any thread at any time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/config.h"
#include "api/node.h"
#include "api/secret.h"
#include "api/task.h"
#include "common/status.h"

namespace shoal::agent {

// How a task's process ended.
struct ExitStatus {
  int64_t ExitCode = 0;
  // Why, when the executor knows more than the code says ("OOM killed"); empty otherwise.
  std::string Err;
};

// Called exactly once per wait() registration with the exit status, or with an error when
// the executor cannot watch the task (kNotFound: it does not exist, e.g. it did not survive
// a restart). It may run on any thread, including inside a controller call (wait(),
// shutdown(), terminate()), and even after the Controller is destroyed: it must be cheap,
// must not block, and must not call back into the controller. The executor runs it without
// holding any lock of its own (the worker may call the executor while holding its lock, so
// the reverse order would deadlock).
using ExitCallback = std::function<void(Result<ExitStatus>)>;

// The secrets and configs assigned to this node (kept by the worker from the dispatcher's
// assignments). Thread-safe.
class DependencyGetter {
 public:
  virtual ~DependencyGetter() = default;
  // The object, or nullptr when it is not assigned to this node.
  virtual std::shared_ptr<const api::Secret> secret(std::string_view id) const = 0;
  virtual std::shared_ptr<const api::Config> config(std::string_view id) const = 0;
};

class Controller {
 public:
  // Releases this handle only: the task's process and resources stay as they are.
  virtual ~Controller() = default;

  // Creates everything the task needs so that start() can run at once (image, rootfs,
  // network, secrets). Idempotent: OK when already prepared (or started).
  // Errors: kUnavailable for a temporary failure (retried); any other code is final
  // (e.g. kInvalidArgument for a spec this executor cannot run, kNotFound for a missing
  // secret) and rejects the task.
  virtual Status prepare() = 0;

  // Starts the task's process and returns once it runs. REQUIRES: prepare() succeeded.
  // Idempotent: OK when already started (even if it has exited since; wait() tells).
  // Errors: kUnavailable (retried); any other code is final and fails the task.
  virtual Status start() = 0;

  // Registers `on_exit` for the end of the task's process (see ExitCallback). A task that
  // has already exited reports at once. Registering again replaces the callback that has
  // not fired yet (which then never fires).
  virtual void wait(ExitCallback on_exit) = 0;

  // Asks the process to stop gracefully (the stop signal) and returns without waiting;
  // the exit arrives through wait(). Idempotent; OK when the task is not running.
  // Errors: kInternal when the signal could not be delivered.
  virtual Status shutdown() = 0;

  // Kills the process (SIGKILL) and returns without waiting; the exit arrives through
  // wait(). Idempotent; OK when the task is not running. Errors: kInternal.
  virtual Status terminate() = 0;

  // Releases everything prepare() created. REQUIRES: the process is not running (it exited,
  // or was never started). Idempotent: OK when nothing is left. Errors: kFailedPrecondition
  // when the process still runs; kInternal for a resource that could not be released.
  virtual Status remove() = 0;

  // What the task's container looks like now (ContainerID, PID, ExitCode once exited).
  virtual api::ContainerStatus container_status() const = 0;

  // The task's host-mode ports as published on this node (a PublishedPort of 0 in the spec
  // is the port the node chose), reported as Status.PortStatus once the task runs. Empty
  // when the executor publishes nothing.
  virtual api::PortStatus port_status() const { return {}; }
};

// A task found by Executor::recover(): left by a previous daemon on this node.
struct RecoveredTask {
  enum class State : uint8_t { kPrepared, kRunning, kExited };

  std::string TaskID;
  State state = State::kPrepared;
  std::optional<ExitStatus> exit;  // set when state == kExited
  std::unique_ptr<Controller> controller;
};

class Executor {
 public:
  virtual ~Executor() = default;

  // Recovery (called once, before any controller()): every task a previous daemon left on
  // this node, with a controller to adopt it. The worker keeps those the dispatcher still
  // assigns and terminates and removes the rest.
  // Errors: kInternal when the node's task state cannot be read (the worker then starts
  // without recovered tasks and logs the error).
  virtual Result<std::vector<RecoveredTask>> recover() = 0;

  // This node as the manager should see it: hostname, platform, resources, engine.
  // Errors: kInternal when the host cannot be inspected.
  virtual Result<api::NodeDescription> describe() = 0;

  // A controller for `task`. Cheap: it does no work until prepare(). `deps` outlives the
  // controller. Errors: kInvalidArgument for a task this executor cannot run at all (no
  // ContainerSpec); the worker rejects the task.
  virtual Result<std::unique_ptr<Controller>> controller(std::shared_ptr<const api::Task> task,
                                                         const DependencyGetter& deps) = 0;
};

}  // namespace shoal::agent
