// HollowExecutor: an executor that runs no containers (`shoal daemon --executor=hollow`).
// It walks tasks through the whole lifecycle at once — prepare and start return
// immediately — so the control plane can be exercised and measured at scale without a
// runtime. A hollow task runs until it is shut down, unless its labels script an end
// (hollow/labels.h): fail with an exit code, fail after a while, complete after a while.
//
// Cost: a task is one small record in a hash map; the tasks that end on their own hold one
// entry in a single timer heap, served by one timer thread. No thread per task, no sleep in
// any controller call, so a node can hold a million hollow tasks.
//
// Exits are delivered on the timer thread (a task scripted to end "after 0s" ends right
// after start(), on that thread), or inside wait() for a task that already exited.
// shutdown() ends a running task with exit code 0, terminate() with 137 (SIGKILL).
//
// Tasks survive a worker restart as long as the HollowExecutor lives: recover() hands
// them out again. A new HollowExecutor (a daemon restart) knows no task, so a task the
// manager believes running fails with "task <id> is not running" when the worker waits for
// it — as a container lost with its host would.
//
// describe() reports the real host (agent/host.h) unless the options override it.
//
// Thread safety: all methods are thread-safe (Executor's contract). Controllers must not
// outlive the executor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "agent/executor.h"
#include "agent/hollow/labels.h"
#include "common/mutex.h"

namespace shoal::agent::hollow {

struct HollowOptions {
  // Reported by describe() instead of the real host (tests, simulated nodes).
  std::optional<api::NodeDescription> description;
};

class HollowExecutor final : public Executor {
 public:
  explicit HollowExecutor(HollowOptions options = {});
  // Stops the timer thread; exits not delivered yet are never delivered.
  ~HollowExecutor() override;
  HollowExecutor(const HollowExecutor&) = delete;
  HollowExecutor& operator=(const HollowExecutor&) = delete;

  Result<std::vector<RecoveredTask>> recover() override;
  Result<api::NodeDescription> describe() override;
  // Errors: kInvalidArgument "task <id> has no container spec".
  Result<std::unique_ptr<Controller>> controller(std::shared_ptr<const api::Task> task,
                                                 const DependencyGetter& deps) override;

  // Tasks with a record: a controller was made for them and remove() has not run since.
  size_t task_count() const;
  // Tasks whose process runs now.
  size_t running_count() const;

 private:
  class HollowController;
  enum class Phase : uint8_t { kNew, kPrepared, kRunning, kExited };
  struct Record {
    std::string id;
    std::shared_ptr<const api::Task> task;  // null for a record only recover() knows
    Phase phase = Phase::kNew;
    Script script;
    std::optional<ExitStatus> exit;
    ExitCallback on_exit;
    uint64_t run = 0;  // bumped by each start(); stale timers carry an older value
  };
  struct Timer {
    std::chrono::steady_clock::time_point when;
    std::shared_ptr<Record> record;
    uint64_t run = 0;
    ExitStatus exit;
    bool operator>(const Timer& other) const { return when > other.when; }
  };

  // Schedules `record` (of run `run`) to exit with `exit` after `after`.
  void schedule_exit(const std::shared_ptr<Record>& record, std::chrono::nanoseconds after,
                     ExitStatus exit) REQUIRES(mu_);
  // Marks the record exited and returns the callback to run (outside mu_), if any.
  ExitCallback exit_locked(Record& record, ExitStatus exit) REQUIRES(mu_);
  void timer_loop();

  const HollowOptions options_;

  mutable Mutex mu_;
  CondVar timer_cv_;
  std::unordered_map<std::string, std::shared_ptr<Record>> tasks_ GUARDED_BY(mu_);
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_ GUARDED_BY(mu_);
  size_t running_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread timer_thread_;
};

}  // namespace shoal::agent::hollow
