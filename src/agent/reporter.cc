#include "agent/reporter.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/mutex.h"

namespace shoal::agent {

bool is_session_error(const Status& status) {
  return (status.code() == Code::kInvalidArgument &&
          status.message() == protocol::kSessionInvalid) ||
         status.code() == Code::kNotFound;
}

Reporter::Reporter(protocol::DispatcherClient& client, const Clock& clock, ReporterOptions options,
                   std::function<void(const std::string&)> on_session_error)
    : client_(client),
      clock_(clock),
      options_(options),
      on_session_error_(std::move(on_session_error)) {}

Reporter::~Reporter() { stop(); }

void Reporter::start() {
  thread_ = std::thread([this] { run(); });
}

void Reporter::stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Reporter::merge(std::string task_id, api::TaskStatus status) {
  if (pending_.empty()) first_pending_ = clock_.now();
  auto [it, inserted] = pending_.try_emplace(std::move(task_id), status);
  if (!inserted && status.State >= it->second.State) it->second = std::move(status);
}

void Reporter::task_status_changed(const std::string& task_id, const api::TaskStatus& status) {
  MutexLock lock(mu_);
  bool was_empty = pending_.empty();
  merge(task_id, status);
  if (was_empty) cv_.notify_one();
}

void Reporter::report_all(std::vector<protocol::TaskStatusUpdate> updates) {
  MutexLock lock(mu_);
  for (protocol::TaskStatusUpdate& u : updates) merge(std::move(u.TaskID), std::move(u.Status));
  cv_.notify_one();
}

void Reporter::set_session(std::string session_id) {
  MutexLock lock(mu_);
  session_ = std::move(session_id);
  cv_.notify_one();
}

size_t Reporter::unacknowledged() const {
  MutexLock lock(mu_);
  return pending_.size() + in_flight_;
}

void Reporter::run() {
  Backoff backoff(options_.retry, options_.seed);
  Timestamp retry_at;  // after a failed send: no send before it (the zero time: none)
  MutexLock lock(mu_);
  while (!stopping_) {
    if (pending_.empty()) {
      clock_.wait_until(cv_, lock, Timestamp::max());
      continue;
    }
    const Timestamp due = std::max(first_pending_ + options_.batch_window, retry_at);
    if (clock_.now() < due) {
      clock_.wait_until(cv_, lock, due);
      continue;
    }
    if (session_.empty()) {
      clock_.wait_until(cv_, lock, Timestamp::max());
      continue;
    }

    protocol::UpdateTaskStatusRequest request;
    request.SessionID = session_;
    request.Updates.reserve(std::min(pending_.size(), options_.max_batch));
    for (auto it = pending_.begin();
         it != pending_.end() && request.Updates.size() < options_.max_batch;) {
      request.Updates.push_back(protocol::TaskStatusUpdate{it->first, std::move(it->second)});
      it = pending_.erase(it);
    }
    if (!pending_.empty()) first_pending_ = clock_.now() - options_.batch_window;  // due now
    in_flight_ = request.Updates.size();
    lock.unlock();
    Status sent = client_.update_task_status(request);
    lock.lock();
    in_flight_ = 0;
    if (sent.is_ok()) {
      backoff.reset();
      retry_at = Timestamp();
      continue;
    }
    for (protocol::TaskStatusUpdate& u : request.Updates) {
      auto it = pending_.find(u.TaskID);
      if (it == pending_.end()) merge(std::move(u.TaskID), std::move(u.Status));
    }
    if (is_session_error(sent)) {
      retry_at = Timestamp();  // the next session sends at once
      std::string session = request.SessionID;
      if (session_ == session) session_.clear();
      lock.unlock();
      spdlog::info("agent: session {} ended while reporting: {}", session, sent.message());
      if (on_session_error_) on_session_error_(session);
      lock.lock();
      continue;
    }
    auto delay = backoff.next();
    spdlog::warn(
        "agent: reporting {} task statuses failed, retrying in {} ms: {}", request.Updates.size(),
        std::chrono::duration_cast<std::chrono::milliseconds>(delay).count(), sent.message());
    retry_at = clock_.now() + delay;
  }
}

}  // namespace shoal::agent
