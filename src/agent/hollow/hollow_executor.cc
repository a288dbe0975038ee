#include "agent/hollow/hollow_executor.h"

#include "agent/host.h"
#include "common/mutex.h"

namespace shoal::agent::hollow {

namespace {
constexpr int64_t kKilledExitCode = 137;  // 128 + SIGKILL

Status check_dependencies(const api::Task& task, const DependencyGetter* deps) {
  if (deps == nullptr || !task.Spec->ContainerSpec) return Status::ok();
  for (const api::SecretReference& ref : task.Spec->ContainerSpec->Secrets) {
    if (!deps->secret(ref.SecretID)) {
      return error(Code::kNotFound, "secret {} ({}) is not available on this node", ref.SecretName,
                   ref.SecretID);
    }
  }
  for (const api::ConfigReference& ref : task.Spec->ContainerSpec->Configs) {
    if (!deps->config(ref.ConfigID)) {
      return error(Code::kNotFound, "config {} ({}) is not available on this node", ref.ConfigName,
                   ref.ConfigID);
    }
  }
  return Status::ok();
}
}  // namespace

// A handle on one record; every call takes the executor's lock briefly.
class HollowExecutor::HollowController final : public Controller {
 public:
  HollowController(HollowExecutor* executor, std::shared_ptr<Record> record,
                   const DependencyGetter* deps)
      : executor_(executor), record_(std::move(record)), deps_(deps) {}

  Status prepare() override {
    MutexLock lock(executor_->mu_);
    Record& r = *record_;
    if (r.phase != Phase::kNew) return Status::ok();
    SHOAL_ASSIGN_OR_RETURN(r.script, read_script(*r.task));
    SHOAL_RETURN_IF_ERROR(check_dependencies(*r.task, deps_));
    r.phase = Phase::kPrepared;
    executor_->tasks_.try_emplace(r.id, record_);
    return Status::ok();
  }

  Status start() override {
    MutexLock lock(executor_->mu_);
    Record& r = *record_;
    if (r.phase == Phase::kRunning || r.phase == Phase::kExited) return Status::ok();
    if (r.phase != Phase::kPrepared) {
      return error(Code::kFailedPrecondition, "task {} is not prepared", r.id);
    }
    r.phase = Phase::kRunning;
    r.run++;
    executor_->running_++;
    if (r.script.exit) {
      executor_->schedule_exit(record_, r.script.exit->after,
                               ExitStatus{r.script.exit->exit_code, {}});
    }
    return Status::ok();
  }

  void wait(ExitCallback on_exit) override {
    MutexLock lock(executor_->mu_);
    Record& r = *record_;
    if (r.phase == Phase::kRunning) {
      r.on_exit = std::move(on_exit);
      return;
    }
    std::optional<ExitStatus> exit = r.exit;
    std::string id = r.id;
    lock.unlock();
    if (exit) {
      on_exit(*exit);
    } else {
      on_exit(error(Code::kNotFound, "task {} is not running", id));
    }
  }

  Status shutdown() override { return stop(ExitStatus{0, {}}); }
  Status terminate() override { return stop(ExitStatus{kKilledExitCode, {}}); }

  Status remove() override {
    MutexLock lock(executor_->mu_);
    Record& r = *record_;
    if (r.phase == Phase::kRunning) {
      return error(Code::kFailedPrecondition, "task {} is still running", r.id);
    }
    auto it = executor_->tasks_.find(r.id);
    if (it != executor_->tasks_.end() && it->second == record_) executor_->tasks_.erase(it);
    r.phase = Phase::kNew;
    r.exit.reset();
    return Status::ok();
  }

  api::ContainerStatus container_status() const override {
    MutexLock lock(executor_->mu_);
    const Record& r = *record_;
    api::ContainerStatus status;
    if (r.phase != Phase::kNew) status.ContainerID = "hollow-" + r.id;
    if (r.exit) status.ExitCode = r.exit->ExitCode;
    return status;
  }

 private:
  Status stop(ExitStatus exit) {
    MutexLock lock(executor_->mu_);
    if (record_->phase == Phase::kRunning) {
      executor_->schedule_exit(record_, std::chrono::nanoseconds(0), std::move(exit));
    }
    return Status::ok();
  }

  HollowExecutor* const executor_;
  const std::shared_ptr<Record> record_;
  const DependencyGetter* const deps_;  // null for a recovered task
};

HollowExecutor::HollowExecutor(HollowOptions options) : options_(std::move(options)) {
  timer_thread_ = std::thread([this] { timer_loop(); });
}

HollowExecutor::~HollowExecutor() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  timer_thread_.join();
}

Result<std::vector<RecoveredTask>> HollowExecutor::recover() {
  MutexLock lock(mu_);
  std::vector<RecoveredTask> recovered;
  for (const auto& [id, record] : tasks_) {
    RecoveredTask task;
    task.TaskID = id;
    switch (record->phase) {
      case Phase::kNew:
        continue;
      case Phase::kPrepared:
        task.state = RecoveredTask::State::kPrepared;
        break;
      case Phase::kRunning:
        task.state = RecoveredTask::State::kRunning;
        break;
      case Phase::kExited:
        task.state = RecoveredTask::State::kExited;
        task.exit = record->exit;
        break;
    }
    task.controller = std::make_unique<HollowController>(this, record, nullptr);
    recovered.push_back(std::move(task));
  }
  return recovered;
}

Result<api::NodeDescription> HollowExecutor::describe() {
  if (options_.description) return *options_.description;
  return describe_host();
}

Result<std::unique_ptr<Controller>> HollowExecutor::controller(
    std::shared_ptr<const api::Task> task, const DependencyGetter& deps) {
  if (!task->Spec->ContainerSpec) {
    return error(Code::kInvalidArgument, "task {} has no container spec", task->ID);
  }
  MutexLock lock(mu_);
  std::shared_ptr<Record> record;
  if (auto it = tasks_.find(task->ID); it != tasks_.end()) {
    record = it->second;
    if (!record->task) record->task = task;
  } else {
    record = std::make_shared<Record>();
    record->id = task->ID;
    record->task = std::move(task);
    tasks_.emplace(record->id, record);
  }
  return std::unique_ptr<Controller>(std::make_unique<HollowController>(this, record, &deps));
}

size_t HollowExecutor::task_count() const {
  MutexLock lock(mu_);
  return tasks_.size();
}

size_t HollowExecutor::running_count() const {
  MutexLock lock(mu_);
  return running_;
}

void HollowExecutor::schedule_exit(const std::shared_ptr<Record>& record,
                                   std::chrono::nanoseconds after, ExitStatus exit) {
  auto when = std::chrono::steady_clock::now() + after;
  bool earliest = timers_.empty() || when < timers_.top().when;
  timers_.push(Timer{when, record, record->run, std::move(exit)});
  if (earliest) timer_cv_.notify_one();
}

ExitCallback HollowExecutor::exit_locked(Record& record, ExitStatus exit) {
  if (record.phase != Phase::kRunning) return nullptr;
  record.phase = Phase::kExited;
  record.exit = std::move(exit);
  running_--;
  ExitCallback on_exit = std::move(record.on_exit);
  record.on_exit = nullptr;
  return on_exit;
}

void HollowExecutor::timer_loop() {
  MutexLock lock(mu_);
  while (!stopping_) {
    if (timers_.empty()) {
      timer_cv_.wait(lock);
      continue;
    }
    auto when = timers_.top().when;
    if (when > std::chrono::steady_clock::now()) {
      timer_cv_.wait_until(lock, when);
      continue;
    }
    Timer timer = timers_.top();
    timers_.pop();
    if (timer.run != timer.record->run) continue;
    ExitStatus exit = timer.exit;
    ExitCallback on_exit = exit_locked(*timer.record, std::move(timer.exit));
    if (on_exit) {
      lock.unlock();
      on_exit(exit);
      lock.lock();
    }
  }
}

}  // namespace shoal::agent::hollow
