#include "agent/worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "agent/dependencies.h"
#include "agent/task_plan.h"
#include "api/task_lifecycle.h"
#include "common/mutex.h"

namespace shoal::agent {

using api::TaskState;

namespace {
// remove() failures tolerated before the worker forgets the task anyway.
constexpr int kMaxRemoveAttempts = 5;
}  // namespace

struct Worker::Core : std::enable_shared_from_this<Core> {
  struct Runner {
    std::shared_ptr<const api::Task> task;  // the latest assignment
    api::TaskStatus status;                 // the node's own, canonical status
    RunnerState s;                          // s.state mirrors status.State
    std::unique_ptr<Controller> controller;
    std::optional<Result<ExitStatus>> exit;
    api::ContainerStatus container;  // as of start(), plus the exit code
    uint64_t generation = 0;  // tells this runner's callbacks and timers from a predecessor's
    int attempts = 0;         // consecutive temporary failures
    bool queued = false;      // in `ready`
    bool busy = false;        // an executor call is running for it
  };
  enum class TimerKind : uint8_t { kKill, kRetry };
  struct TimerEntry {
    std::string id;
    uint64_t generation;
    TimerKind kind;
  };

  Core(Executor& executor, const Clock& clock, StatusSink& sink, WorkerOptions options)
      : executor(executor), clock(clock), sink(sink), options(options), rng(options.seed) {}

  void pool_loop();
  void drive(const std::string& id) REQUIRES(mu);
  // Runs one executor call with mu released, then records its result.
  void call(const std::string& id, Runner& r, Op op) REQUIRES(mu);
  void on_call_failed(Runner& r, Op op, const Status& failure) REQUIRES(mu);
  void on_exit(const std::string& id, uint64_t generation, Result<ExitStatus> exit);
  void set_status(Runner& r, TaskState state, std::string message, std::string err) REQUIRES(mu);
  void enqueue(const std::string& id, Runner& r) REQUIRES(mu);
  void add_timer(Timestamp when, const std::string& id, const Runner& r, TimerKind kind)
      REQUIRES(mu);
  void fire_timers(Timestamp now) REQUIRES(mu);
  void upsert(const std::shared_ptr<const api::Task>& task) REQUIRES(mu);
  void unassign(const std::string& id) REQUIRES(mu);
  void adopt(Runner& r, RecoveredTask recovered) REQUIRES(mu);
  void settle_recovery() REQUIRES(mu);

  Executor& executor;
  const Clock& clock;
  StatusSink& sink;
  const WorkerOptions options;
  DependencyStore deps;

  mutable Mutex mu;
  CondVar cv;
  std::unordered_map<std::string, Runner> runners GUARDED_BY(mu);
  std::deque<std::string> ready GUARDED_BY(mu);
  std::multimap<Timestamp, TimerEntry> timers GUARDED_BY(mu);
  std::unordered_map<std::string, RecoveredTask> recovered GUARDED_BY(mu);
  bool stopping GUARDED_BY(mu) = false;
  uint64_t next_generation GUARDED_BY(mu) = 1;
  std::mt19937_64 rng GUARDED_BY(mu);
  std::vector<std::thread> threads;
};

// ---- the pool ----

void Worker::Core::pool_loop() {
  MutexLock lock(mu);
  while (!stopping) {
    fire_timers(clock.now());
    if (ready.empty()) {
      // Through the clock even with no timer, so a test sees every idle thread asleep.
      clock.wait_until(cv, lock, timers.empty() ? Timestamp::max() : timers.begin()->first);
      continue;
    }
    std::string id = std::move(ready.front());
    ready.pop_front();
    auto it = runners.find(id);
    if (it == runners.end()) continue;
    it->second.queued = false;
    drive(id);
  }
}

// Runs the task's steps until one has to wait for an event.
void Worker::Core::drive(const std::string& id) {
  for (;;) {
    auto it = runners.find(id);
    if (it == runners.end() || it->second.busy) return;
    Runner& r = it->second;
    r.s.state = r.status.State;
    Step step = next_step(r.s);
    switch (step.op) {
      case Op::kNone:
        return;
      case Op::kAdvance:
        set_status(r, step.to, std::string(step.message), "");
        continue;
      case Op::kFinish: {
        FinalStatus final = finish_status(r.s.desired, *r.exit);
        if (!r.container.ContainerID.empty() || !r.status.ContainerStatus) {
          r.status.ContainerStatus = r.container;
        } else {
          r.status.ContainerStatus->ExitCode = r.container.ExitCode;
        }
        set_status(r, final.state, std::move(final.message), std::move(final.err));
        continue;
      }
      case Op::kDrop:
        runners.erase(it);
        return;
      default:
        call(id, r, step.op);  // `r` stays valid: a busy runner is never erased
        continue;
    }
  }
}

// Runs one executor call with the lock released, then records its result.
void Worker::Core::call(const std::string& id, Runner& r, Op op) {
  r.busy = true;
  Controller* controller = r.controller.get();
  std::shared_ptr<const api::Task> task = r.task;
  uint64_t generation = r.generation;
  Status result;
  api::ContainerStatus container;
  api::PortStatus ports;
  std::unique_ptr<Controller> resolved;
  mu.unlock();
  switch (op) {
    case Op::kResolve: {
      auto made = executor.controller(task, deps);
      if (made.is_ok()) resolved = std::move(made).value();
      result = made.status();
      break;
    }
    case Op::kPrepare:
      result = controller->prepare();
      break;
    case Op::kStart:
      result = controller->start();
      if (result.is_ok()) {
        container = controller->container_status();
        ports = controller->port_status();
      }
      break;
    case Op::kWait:
      controller->wait([weak = weak_from_this(), id, generation](Result<ExitStatus> exit) {
        if (auto core = weak.lock()) core->on_exit(id, generation, std::move(exit));
      });
      break;
    case Op::kShutdown:
      result = controller->shutdown();
      break;
    case Op::kTerminate:
      result = controller->terminate();
      break;
    case Op::kRemove:
      result = controller->remove();
      break;
    default:
      break;
  }
  mu.lock();
  r.busy = false;
  if (!result.is_ok()) {
    on_call_failed(r, op, result);
    return;
  }
  r.attempts = 0;
  switch (op) {
    case Op::kResolve:
      r.controller = std::move(resolved);
      r.s.has_controller = true;
      break;
    case Op::kPrepare:
      set_status(r, TaskState::kReady, "prepared", "");
      break;
    case Op::kStart:
      r.s.started = true;
      r.container = container;
      r.status.ContainerStatus = container;
      r.status.PortStatus = std::move(ports);
      set_status(r, TaskState::kRunning, "started", "");
      break;
    case Op::kWait:
      r.s.waiting = true;
      break;
    case Op::kShutdown: {
      r.s.stop_sent = true;
      auto grace = options.default_stop_grace;
      if (r.task->Spec->ContainerSpec && r.task->Spec->ContainerSpec->StopGracePeriod) {
        grace = *r.task->Spec->ContainerSpec->StopGracePeriod;
      }
      add_timer(clock.now() + grace, id, r, TimerKind::kKill);
      break;
    }
    case Op::kTerminate:
      r.s.kill_sent = true;
      break;
    case Op::kRemove:
      r.s.removed = true;
      break;
    default:
      break;
  }
}

void Worker::Core::on_call_failed(Runner& r, Op op, const Status& failure) {
  const std::string& id = r.task->ID;
  bool temporary = failure.code() == Code::kUnavailable;
  bool must_retry = op == Op::kTerminate || (op == Op::kRemove && r.attempts < kMaxRemoveAttempts);
  if (temporary || must_retry) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    auto delay = backoff_delay(options.retry, r.attempts++, unit(rng));
    spdlog::warn("task {}: {} failed, retrying in {} ms: {}", id, op_name(op),
                 std::chrono::duration_cast<std::chrono::milliseconds>(delay).count(),
                 failure.message());
    r.s.retry_pending = true;
    add_timer(clock.now() + delay, id, r, TimerKind::kRetry);
    // A task waiting on a temporary failure (an unreachable registry) says why in its
    // status, so `docker service ps` shows it; the next success clears it.
    if (temporary && (op == Op::kPrepare || op == Op::kStart) &&
        r.status.Err != failure.message()) {
      set_status(r, r.status.State, r.status.Message, failure.message());
    }
    return;
  }
  spdlog::warn("task {}: {} failed: {}", id, op_name(op), failure.message());
  switch (op) {
    case Op::kShutdown:  // the stop signal could not be sent: kill now
      r.s.stop_sent = true;
      r.s.kill_due = true;
      break;
    case Op::kRemove:  // give up; the executor's own cleanup is the last resort
      r.s.removed = true;
      break;
    default: {
      FinalStatus final = failure_status(op, r.status.State, failure);
      set_status(r, final.state, std::move(final.message), std::move(final.err));
      break;
    }
  }
}

void Worker::Core::on_exit(const std::string& id, uint64_t generation, Result<ExitStatus> exit) {
  MutexLock lock(mu);
  if (stopping) return;
  auto it = runners.find(id);
  if (it == runners.end() || it->second.generation != generation) return;
  Runner& r = it->second;
  if (r.s.exited) return;
  if (exit.is_ok()) r.container.ExitCode = exit->ExitCode;
  r.exit = std::move(exit);
  r.s.exited = true;
  enqueue(id, r);
}

void Worker::Core::set_status(Runner& r, TaskState state, std::string message, std::string err) {
  if (r.s.unassigned) return;  // a task the manager forgot gets no more reports
  api::Task task;
  task.ID = r.task->ID;
  task.Status = std::move(r.status);
  Status moved = api::advance_task(task, state, std::move(message), clock.now(), std::move(err));
  r.status = std::move(task.Status);
  if (!moved.is_ok()) {
    spdlog::warn("worker: {}", moved.message());
    return;
  }
  r.s.state = r.status.State;
  sink.task_status_changed(r.task->ID, r.status);
}

void Worker::Core::enqueue(const std::string& id, Runner& r) {
  if (r.queued || r.busy) return;  // a busy runner is re-examined when its call returns
  r.queued = true;
  ready.push_back(id);
  cv.notify_one();
}

void Worker::Core::add_timer(Timestamp when, const std::string& id, const Runner& r,
                             TimerKind kind) {
  bool earliest = timers.empty() || when < timers.begin()->first;
  timers.emplace(when, TimerEntry{id, r.generation, kind});
  if (earliest) cv.notify_one();
}

void Worker::Core::fire_timers(Timestamp now) {
  while (!timers.empty() && timers.begin()->first <= now) {
    TimerEntry entry = std::move(timers.begin()->second);
    timers.erase(timers.begin());
    auto it = runners.find(entry.id);
    if (it == runners.end() || it->second.generation != entry.generation) continue;
    Runner& r = it->second;
    if (entry.kind == TimerKind::kKill) r.s.kill_due = true;
    if (entry.kind == TimerKind::kRetry) r.s.retry_pending = false;
    enqueue(entry.id, r);
  }
}

// ---- assignments ----

void Worker::Core::upsert(const std::shared_ptr<const api::Task>& task) {
  auto [it, inserted] = runners.try_emplace(task->ID);
  Runner& r = it->second;
  if (!inserted) {
    if (r.s.unassigned) return;  // on its way out; a later complete set brings it back
    r.task = task;
    if (task->DesiredState > r.s.desired) {
      r.s.desired = task->DesiredState;
      enqueue(task->ID, r);
    }
    return;
  }
  r.task = task;
  r.status = task->Status;
  r.s.state = r.status.State;
  r.s.desired = task->DesiredState;
  r.s.started = r.status.State == TaskState::kRunning;  // the manager saw it run: wait tells
  r.generation = next_generation++;
  if (auto rec = recovered.find(task->ID); rec != recovered.end()) {
    adopt(r, std::move(rec->second));
    recovered.erase(rec);
  }
  enqueue(task->ID, r);
}

void Worker::Core::adopt(Runner& r, RecoveredTask rec) {
  r.controller = std::move(rec.controller);
  r.s.has_controller = true;
  r.container = r.controller->container_status();
  if (api::is_terminal(r.status.State)) return;
  switch (rec.state) {
    case RecoveredTask::State::kPrepared:
      break;
    case RecoveredTask::State::kRunning:
      r.s.started = true;
      if (r.status.State < TaskState::kRunning && !r.s.unassigned) {
        r.status.ContainerStatus = r.container;
        r.status.PortStatus = r.controller->port_status();
        set_status(r, TaskState::kRunning, "started", "");
      }
      break;
    case RecoveredTask::State::kExited:
      r.s.started = true;
      r.s.exited = true;
      r.exit = rec.exit ? Result<ExitStatus>(*rec.exit) : Result<ExitStatus>(ExitStatus{});
      break;
  }
}

void Worker::Core::unassign(const std::string& id) {
  auto it = runners.find(id);
  if (it == runners.end() || it->second.s.unassigned) return;
  it->second.s.unassigned = true;
  enqueue(id, it->second);
}

// Recovered tasks the first complete set did not assign: kill if running, remove, forget.
void Worker::Core::settle_recovery() {
  for (auto& [id, rec] : recovered) {
    auto [it, inserted] = runners.try_emplace(id);
    if (!inserted) continue;
    Runner& r = it->second;
    auto task = std::make_shared<api::Task>();
    task->ID = id;
    r.task = std::move(task);
    r.generation = next_generation++;
    r.s.unassigned = true;
    adopt(r, std::move(rec));
    enqueue(id, r);
  }
  recovered.clear();
}

// ---- Worker ----

Worker::Worker(Executor& executor, const Clock& clock, StatusSink& sink, WorkerOptions options)
    : core_(std::make_shared<Core>(executor, clock, sink, options)) {}

Worker::~Worker() { stop(); }

void Worker::start() {
  auto recovered = core_->executor.recover();
  MutexLock lock(core_->mu);
  if (!recovered.is_ok()) {
    spdlog::error("worker: cannot recover tasks: {}", recovered.status().message());
  } else {
    for (RecoveredTask& task : recovered.value()) {
      std::string id = task.TaskID;
      core_->recovered.emplace(std::move(id), std::move(task));
    }
  }
  size_t n = core_->options.threads;
  if (n == 0) n = std::max<size_t>(2, std::thread::hardware_concurrency());
  for (size_t i = 0; i < n; ++i) {
    core_->threads.emplace_back([core = core_.get()] { core->pool_loop(); });
  }
}

void Worker::stop() {
  {
    MutexLock lock(core_->mu);
    core_->stopping = true;
  }
  core_->cv.notify_all();
  for (std::thread& t : core_->threads) t.join();
  core_->threads.clear();
  MutexLock lock(core_->mu);
  core_->runners.clear();  // releases the controllers; the tasks keep running
  core_->recovered.clear();
  core_->ready.clear();
  core_->timers.clear();
}

Status Worker::assign(const protocol::AssignmentsMessage& message) {
  Core& core = *core_;
  MutexLock lock(core.mu);
  if (core.stopping) return error(Code::kFailedPrecondition, "worker is stopped");
  bool complete = message.Type == protocol::AssignmentsType::kComplete;
  if (complete) core.deps.clear();

  std::unordered_set<std::string_view> assigned;
  for (const protocol::AssignmentChange& change : message.Changes) {
    bool update = change.Action == protocol::AssignmentAction::kUpdate;
    if (auto* task = std::get_if<std::shared_ptr<const api::Task>>(&change.Item)) {
      if (update) {
        core.upsert(*task);
        assigned.insert((*task)->ID);
      } else if (!complete) {
        core.unassign((*task)->ID);
      }
    } else if (auto* secret = std::get_if<std::shared_ptr<const api::Secret>>(&change.Item)) {
      update ? core.deps.put(*secret) : core.deps.remove_secret((*secret)->ID);
    } else if (auto* config = std::get_if<std::shared_ptr<const api::Config>>(&change.Item)) {
      update ? core.deps.put(*config) : core.deps.remove_config((*config)->ID);
    }
  }
  if (complete) {
    std::vector<std::string> gone;
    for (const auto& [id, r] : core.runners) {
      if (!assigned.contains(id)) gone.push_back(id);
    }
    for (const std::string& id : gone) core.unassign(id);
    core.settle_recovery();
  }
  return Status::ok();
}

std::vector<protocol::TaskStatusUpdate> Worker::statuses() const {
  MutexLock lock(core_->mu);
  std::vector<protocol::TaskStatusUpdate> out;
  out.reserve(core_->runners.size());
  for (const auto& [id, r] : core_->runners) {
    if (!r.s.unassigned) out.push_back(protocol::TaskStatusUpdate{id, r.status});
  }
  return out;
}

size_t Worker::task_count() const {
  MutexLock lock(core_->mu);
  return core_->runners.size();
}

bool Worker::idle() const {
  MutexLock lock(core_->mu);
  if (!core_->ready.empty()) return false;
  return std::none_of(core_->runners.begin(), core_->runners.end(),
                      [](const auto& entry) { return entry.second.busy; });
}

}  // namespace shoal::agent
