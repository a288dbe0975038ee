#include "agent/reporter.h"

#include <spdlog/spdlog.h>

namespace shoal::agent {

bool is_session_error(const Status& status) {
  return (status.code() == Code::kInvalidArgument && status.message() == kSessionInvalid) ||
         status.code() == Code::kNotFound;
}

Reporter::Reporter(DispatcherClient& client, ReporterOptions options,
                   std::function<void(const std::string&)> on_session_error)
    : client_(client), options_(options), on_session_error_(std::move(on_session_error)) {}

Reporter::~Reporter() { stop(); }

void Reporter::start() {
  thread_ = std::thread([this] { run(); });
}

void Reporter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Reporter::merge(std::string task_id, api::TaskStatus status) {
  if (pending_.empty()) first_pending_ = std::chrono::steady_clock::now();
  auto [it, inserted] = pending_.try_emplace(std::move(task_id), status);
  if (!inserted && status.State >= it->second.State) it->second = std::move(status);
}

void Reporter::task_status_changed(const std::string& task_id, const api::TaskStatus& status) {
  std::lock_guard lock(mu_);
  bool was_empty = pending_.empty();
  merge(task_id, status);
  if (was_empty) cv_.notify_one();
}

void Reporter::report_all(std::vector<TaskStatusUpdate> updates) {
  std::lock_guard lock(mu_);
  for (TaskStatusUpdate& u : updates) merge(std::move(u.TaskID), std::move(u.Status));
  cv_.notify_one();
}

void Reporter::set_session(std::string session_id) {
  std::lock_guard lock(mu_);
  session_ = std::move(session_id);
  cv_.notify_one();
}

size_t Reporter::unacknowledged() const {
  std::lock_guard lock(mu_);
  return pending_.size() + in_flight_;
}

bool Reporter::sleep_until(std::unique_lock<std::mutex>& lock,
                           std::chrono::steady_clock::time_point deadline) {
  cv_.wait_until(lock, deadline, [&] { return stopping_; });
  return !stopping_;
}

void Reporter::run() {
  Backoff backoff(options_.retry, options_.seed);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (pending_.empty() || session_.empty()) {
      cv_.wait(lock);
      continue;
    }
    if (!sleep_until(lock, first_pending_ + options_.batch_window)) return;
    if (pending_.empty() || session_.empty()) continue;

    UpdateTaskStatusRequest request;
    request.SessionID = session_;
    request.Updates.reserve(std::min(pending_.size(), options_.max_batch));
    for (auto it = pending_.begin(); it != pending_.end() && request.Updates.size() < options_.max_batch;) {
      request.Updates.push_back(TaskStatusUpdate{it->first, std::move(it->second)});
      it = pending_.erase(it);
    }
    if (!pending_.empty()) first_pending_ = std::chrono::steady_clock::now() - options_.batch_window;
    in_flight_ = request.Updates.size();
    lock.unlock();
    Status sent = client_.update_task_status(request);
    lock.lock();
    in_flight_ = 0;
    if (sent.is_ok()) {
      backoff.reset();
      continue;
    }
    for (TaskStatusUpdate& u : request.Updates) {
      auto it = pending_.find(u.TaskID);
      if (it == pending_.end()) merge(std::move(u.TaskID), std::move(u.Status));
    }
    if (is_session_error(sent)) {
      std::string session = request.SessionID;
      if (session_ == session) session_.clear();
      lock.unlock();
      spdlog::info("agent: session {} ended while reporting: {}", session, sent.message());
      if (on_session_error_) on_session_error_(session);
      lock.lock();
      continue;
    }
    auto delay = backoff.next();
    spdlog::warn("agent: reporting {} task statuses failed, retrying in {} ms: {}",
                 request.Updates.size(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(delay).count(),
                 sent.message());
    if (!sleep_until(lock, std::chrono::steady_clock::now() + delay)) return;
  }
}

}  // namespace shoal::agent
