// Internal to the runc executor (runc_executor.h): the state it shares between its
// controllers, its event loop and recovery. Not a contract for other modules.
//
// Locking: `mu` guards the task map and every TaskRecord field; it is never held across a
// subprocess, a monitor request, an image pull or an exit callback.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "agent/executor.h"
#include "common/mutex.h"
#include "runtime/event_loop.h"
#include "runtime/health.h"
#include "runtime/runc_executor.h"
#include "runtime/task_meta.h"

namespace shoal::runtime {

struct TaskRecord {
  enum class Phase : uint8_t { kNew, kPrepared, kCreated, kRunning, kExited };

  std::string id;
  std::filesystem::path dir;
  std::shared_ptr<const api::Task> task;  // null for a task only recovery knows
  TaskMeta meta;
  Phase phase = Phase::kNew;
  int64_t pid = 0;
  std::optional<agent::ExitStatus> exit;
  agent::ExitCallback on_exit;
  uint64_t run = 0;  // bumped by each start; stale loop callbacks carry an older value
  int wait_fd = -1;  // the "wait" connection to the monitor (owned by the loop thread)
  std::string wait_buf;
  // Healthcheck (loop thread).
  Timestamp started;
  HealthState health;
  bool unhealthy = false;
  EventLoop::TimerId health_timer = 0;
  EventLoop::TimerId probe_timeout = 0;
  EventLoop::TimerId kill_timer = 0;
  pid_t probe_pid = -1;
  int probe_pidfd = -1;
  Timestamp probe_started;
  bool probe_timed_out = false;
};

using RecordPtr = std::shared_ptr<TaskRecord>;

struct RuncExecutor::Core {
  explicit Core(RuncExecutorOptions options);
  ~Core();  // stops the loop first: no callback runs once members start dying

  // ---- controller operations (runc_controller.cc, prepare.cc) ----
  Status prepare(const RecordPtr& rec, const agent::DependencyGetter& deps);
  Status start(const RecordPtr& rec);
  void wait(const RecordPtr& rec, agent::ExitCallback on_exit);
  // Sends `sig` to the container's init through its monitor; `stop`: as the stop signal
  // (SIGKILL at once when the init has no handler for it: monitor_protocol.h "stop").
  Status signal(const RecordPtr& rec, int sig, bool stop = false);
  Status remove(const RecordPtr& rec);

  // ---- exits and healthchecks (exits.cc) ----
  // Opens the "wait" connection (or reads the exit file when the monitor is gone).
  void watch_exit(const RecordPtr& rec);
  void on_wait_readable(const RecordPtr& rec, uint64_t run);
  // Records the exit and runs the callback (outside the lock). Once per run.
  void deliver_exit(const RecordPtr& rec, uint64_t run, Result<agent::ExitStatus> exit);
  void arm_health(const RecordPtr& rec);
  void probe(const RecordPtr& rec, uint64_t run);
  void probe_done(const RecordPtr& rec, uint64_t run);
  void probe_expired(const RecordPtr& rec, uint64_t run);
  void stop_unhealthy(const RecordPtr& rec, uint64_t run);

  // ---- helpers ----
  std::filesystem::path task_dir(const std::string& id) const { return containers / id; }
  RecordPtr record(const std::string& id);  // get or create; REQUIRES: mu not held
  // Deletes the runc container, mounts, sandbox, volumes and the dir. Idempotent.
  Status cleanup(const std::string& id, const std::filesystem::path& dir, const TaskMeta* meta);
  std::vector<std::string> runtime_argv(std::initializer_list<std::string> tail) const;
  int stop_signal(const TaskMeta& meta) const;
  std::chrono::nanoseconds stop_grace(const RecordPtr& rec) const;
  Timestamp now() const { return clock->now(); }

  RuncExecutorOptions options;
  std::string runtime_path;  // absolute path of runc/crun
  std::string monitor_path;
  std::filesystem::path containers, runc_root, volumes;
  SystemClock system_clock;
  const Clock* clock = nullptr;
  EventLoop loop;

  mutable Mutex mu;
  std::unordered_map<std::string, RecordPtr> tasks GUARDED_BY(mu);
};

// "SIGTERM", "TERM", "15" → 15; 0 for an unknown name.
int parse_signal(std::string_view name);

}  // namespace shoal::runtime
