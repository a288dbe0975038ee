// A scriptable DispatcherClient for agent tests: sessions, heartbeats and status reports
// answer what the test queued (else OK), and each assignments() call returns a stream the
// test feeds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "protocol/messages.h"

namespace shoal::agent::testing {

class FakeStream final : public protocol::AssignmentStream {
 public:
  void push(protocol::AssignmentsMessage m) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(m));
    cv_.notify_all();
  }
  void end() { cancel(); }
  bool cancelled() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

  Result<std::optional<protocol::AssignmentsMessage>> recv(
      std::chrono::nanoseconds timeout) override {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return closed_ || !queue_.empty(); });
    if (closed_) return Status(Code::kUnavailable, "stream ended");
    if (queue_.empty()) return std::optional<protocol::AssignmentsMessage>();
    protocol::AssignmentsMessage m = std::move(queue_.front());
    queue_.pop_front();
    return std::optional<protocol::AssignmentsMessage>(std::move(m));
  }
  void cancel() override {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<protocol::AssignmentsMessage> queue_;
  bool closed_ = false;
};

class FakeClient final : public protocol::DispatcherClient {
 public:
  // Answers for the next calls (FIFO); once empty, calls succeed.
  void fail_sessions(Status s, int times = 1) { push_n(session_errors_, s, times); }
  void fail_heartbeats(Status s, int times = 1) { push_n(heartbeat_errors_, s, times); }
  void fail_reports(Status s, int times = 1) { push_n(report_errors_, s, times); }
  void set_period(std::chrono::nanoseconds p) {
    std::lock_guard lock(mu_);
    period_ = p;
  }

  Result<protocol::SessionMessage> session(const protocol::SessionRequest& request) override {
    std::lock_guard lock(mu_);
    session_requests_.push_back(request);
    cv_.notify_all();
    if (Status s = pop(session_errors_); !s.is_ok()) return s;
    return protocol::SessionMessage{"session-" + std::to_string(session_requests_.size()),
                                    request.NodeID, period_};
  }
  Result<protocol::HeartbeatResponse> heartbeat(const protocol::HeartbeatRequest&) override {
    std::lock_guard lock(mu_);
    heartbeats_++;
    cv_.notify_all();
    if (Status s = pop(heartbeat_errors_); !s.is_ok()) return s;
    return protocol::HeartbeatResponse{period_};
  }
  Status update_task_status(const protocol::UpdateTaskStatusRequest& request) override {
    std::lock_guard lock(mu_);
    Status s = pop(report_errors_);
    if (s.is_ok()) reports_.push_back(request);
    attempts_++;
    cv_.notify_all();
    return s;
  }
  Result<std::unique_ptr<protocol::AssignmentStream>> assignments(
      const protocol::AssignmentsRequest& request) override {
    std::lock_guard lock(mu_);
    auto stream = std::make_shared<FakeStream>();
    streams_.push_back(stream);
    stream_sessions_.push_back(request.SessionID);
    cv_.notify_all();
    // The agent owns a handle; the test keeps the stream itself to feed it.
    struct Handle final : protocol::AssignmentStream {
      explicit Handle(std::shared_ptr<FakeStream> s) : s(std::move(s)) {}
      Result<std::optional<protocol::AssignmentsMessage>> recv(
          std::chrono::nanoseconds t) override {
        return s->recv(t);
      }
      void cancel() override { s->cancel(); }
      std::shared_ptr<FakeStream> s;
    };
    return std::unique_ptr<protocol::AssignmentStream>(std::make_unique<Handle>(stream));
  }

  // Waits (≤ 5 s) until pred() holds under the lock.
  template <typename Pred>
  bool wait(Pred pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return pred(*this); });
  }

  // Read under the lock (in wait() predicates) or after the agent stopped.
  std::vector<protocol::SessionRequest> session_requests_;
  std::vector<protocol::UpdateTaskStatusRequest> reports_;
  std::vector<std::shared_ptr<FakeStream>> streams_;
  std::vector<std::string> stream_sessions_;
  int heartbeats_ = 0;
  int attempts_ = 0;

  // update_task_status calls so far, and how many succeeded.
  int report_attempts() {
    std::lock_guard lock(mu_);
    return attempts_;
  }
  size_t reports_sent() {
    std::lock_guard lock(mu_);
    return reports_.size();
  }

  std::shared_ptr<FakeStream> stream(size_t i) {
    std::lock_guard lock(mu_);
    return streams_.at(i);
  }

 private:
  static void push_n(std::deque<Status>& q, const Status& s, int times) {
    for (int i = 0; i < times; ++i) q.push_back(s);
  }
  Status pop(std::deque<Status>& q) {
    if (q.empty()) return Status::ok();
    Status s = q.front();
    q.pop_front();
    return s;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Status> session_errors_;
  std::deque<Status> heartbeat_errors_;
  std::deque<Status> report_errors_;
  std::chrono::nanoseconds period_ = std::chrono::seconds(5);
};

}  // namespace shoal::agent::testing
