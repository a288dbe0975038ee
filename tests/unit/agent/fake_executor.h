// A scriptable Executor for worker tests: records every call, fails where told, and lets the
// test end a task's process (exit()) or lets shutdown()/terminate() end it at once.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "agent/executor.h"

namespace shoal::agent::testing {

class FakeExecutor final : public Executor {
 public:
  struct Script {
    Status prepare_error = Status::ok();  // returned by every prepare()
    int prepare_unavailable = 0;          // this many prepare() calls fail with kUnavailable first
    Status start_error = Status::ok();
    bool exit_on_shutdown = true;   // shutdown() ends the process (code 143)
    bool exit_on_terminate = true;  // terminate() ends it (code 137)
  };

  void script(const std::string& id, Script s) {
    std::lock_guard lock(mu_);
    scripts_[id] = std::move(s);
  }
  void set_recovered(std::vector<RecoveredTask> tasks) { recovered_ = std::move(tasks); }
  // A process that runs without this executor having started it (a recovered task).
  void mark_running(const std::string& id) {
    std::lock_guard lock(mu_);
    running_.insert(id);
  }
  std::unique_ptr<Controller> make_controller(const std::string& id);

  Result<std::vector<RecoveredTask>> recover() override { return std::move(recovered_); }
  Result<api::NodeDescription> describe() override {
    api::NodeDescription d;
    d.Hostname = "fake";
    return d;
  }
  Result<std::unique_ptr<Controller>> controller(std::shared_ptr<const api::Task> task,
                                                 const DependencyGetter& deps) override {
    {
      std::lock_guard lock(mu_);
      calls_.push_back(task->ID + ":resolve");
      deps_ = &deps;
    }
    cv_.notify_all();
    return make_controller(task->ID);
  }

  // Ends the task's process with `code` (the registered wait fires). False if no wait is
  // registered.
  bool exit(const std::string& id, int64_t code) {
    ExitCallback cb;
    {
      std::lock_guard lock(mu_);
      auto it = waiters_.find(id);
      if (it == waiters_.end()) return false;
      cb = std::move(it->second);
      waiters_.erase(it);
      running_.erase(id);
    }
    cb(ExitStatus{code, {}});
    return true;
  }

  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // How many times `id:op` was called.
  int count(const std::string& id, const std::string& op) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& c : calls_) n += c == id + ":" + op;
    return n;
  }
  // Waits (≤ 5 s) until `id:op` has been called at least once.
  bool wait_call(const std::string& id, const std::string& op) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] {
      for (const auto& c : calls_) {
        if (c == id + ":" + op) return true;
      }
      return false;
    });
  }
  const DependencyGetter* deps() const {
    std::lock_guard lock(mu_);
    return deps_;
  }

 private:
  class FakeController;
  friend class FakeController;

  void record(const std::string& id, const std::string& op) {
    {
      std::lock_guard lock(mu_);
      calls_.push_back(id + ":" + op);
    }
    cv_.notify_all();
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Script> scripts_;
  std::map<std::string, int> prepare_failures_;
  std::map<std::string, ExitCallback> waiters_;
  std::set<std::string> running_;
  std::vector<std::string> calls_;
  const DependencyGetter* deps_ = nullptr;
  std::vector<RecoveredTask> recovered_;
};

class FakeExecutor::FakeController final : public Controller {
 public:
  FakeController(FakeExecutor* e, std::string id) : e_(e), id_(std::move(id)) {}

  Status prepare() override {
    e_->record(id_, "prepare");
    std::lock_guard lock(e_->mu_);
    Script& s = e_->scripts_[id_];
    if (e_->prepare_failures_[id_] < s.prepare_unavailable) {
      e_->prepare_failures_[id_]++;
      return Status(Code::kUnavailable, "registry busy");
    }
    return s.prepare_error;
  }
  Status start() override {
    e_->record(id_, "start");
    std::lock_guard lock(e_->mu_);
    Status error = e_->scripts_[id_].start_error;
    if (error.is_ok()) e_->running_.insert(id_);
    return error;
  }
  void wait(ExitCallback on_exit) override {
    bool running;
    {
      std::lock_guard lock(e_->mu_);
      running = e_->running_.contains(id_);
      if (running) e_->waiters_[id_] = std::move(on_exit);  // registered before it is visible
    }
    e_->record(id_, "wait");
    if (!running) on_exit(Status(Code::kNotFound, "task " + id_ + " is not running"));
  }
  Status shutdown() override {
    e_->record(id_, "shutdown");
    bool exit;
    {
      std::lock_guard lock(e_->mu_);
      exit = e_->scripts_[id_].exit_on_shutdown;
    }
    if (exit) e_->exit(id_, 143);
    return Status::ok();
  }
  Status terminate() override {
    e_->record(id_, "terminate");
    bool exit;
    {
      std::lock_guard lock(e_->mu_);
      exit = e_->scripts_[id_].exit_on_terminate;
    }
    if (exit) e_->exit(id_, 137);
    return Status::ok();
  }
  Status remove() override {
    e_->record(id_, "remove");
    return Status::ok();
  }
  api::ContainerStatus container_status() const override {
    api::ContainerStatus status;
    status.ContainerID = "c-" + id_;
    status.PID = 42;
    return status;
  }

 private:
  FakeExecutor* const e_;
  const std::string id_;
};

inline std::unique_ptr<Controller> FakeExecutor::make_controller(const std::string& id) {
  return std::make_unique<FakeController>(this, id);
}

}  // namespace shoal::agent::testing
