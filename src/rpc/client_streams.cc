#include "rpc/client_streams.h"

#include "common/mutex.h"
#include "rpc/channel.h"
#include "rpc/status_map.h"
#include "rpc/wire.h"

namespace shoal::rpc {

std::shared_ptr<SessionCall> SessionCall::start(Dispatcher::Stub& stub, const SessionRequest& req) {
  auto call = std::make_shared<SessionCall>();
  call->self_ = call;
  stub.async()->Session(&call->context_, &req, call.get());
  call->StartRead(&call->message_);
  call->StartCall();
  return call;
}

Result<protocol::SessionMessage> SessionCall::first(std::chrono::milliseconds timeout) {
  MutexLock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&]() REQUIRES(mu_) { return first_ || end_; })) {
    lock.unlock();
    cancel();
    return error(Code::kUnavailable, "session: no answer from the manager in {} ms",
                 timeout.count());
  }
  if (first_) return *first_;
  return *end_;
}

bool SessionCall::ended() const {
  MutexLock lock(mu_);
  return end_.has_value();
}

void SessionCall::cancel() { context_.TryCancel(); }

void SessionCall::OnReadDone(bool ok) {
  if (!ok) return;  // OnDone follows
  {
    MutexLock lock(mu_);
    if (!first_) {
      protocol::SessionMessage m;
      m.SessionID = message_.session_id();
      m.NodeID = message_.node_id();
      m.HeartbeatPeriod = std::chrono::nanoseconds(message_.heartbeat_period_ns());
      m.Managers.assign(message_.managers().begin(), message_.managers().end());
      first_ = std::move(m);
    }
  }
  cv_.notify_all();
  StartRead(&message_);
}

void SessionCall::OnDone(const grpc::Status& status) {
  std::shared_ptr<SessionCall> keep;
  {
    MutexLock lock(mu_);
    Status s = from_grpc(status);
    end_ = s.is_ok() ? error(Code::kUnavailable, "session ended") : s;
    keep = std::move(self_);
  }
  cv_.notify_all();
}

std::shared_ptr<AssignmentsCall> AssignmentsCall::start(Dispatcher::Stub& stub,
                                                        const AssignmentsRequest& req) {
  auto call = std::make_shared<AssignmentsCall>();
  call->self_ = call;
  stub.async()->Assignments(&call->context_, &req, call.get());
  call->StartRead(&call->message_);
  call->StartCall();
  return call;
}

Status AssignmentsCall::wait_first(std::chrono::milliseconds timeout) {
  MutexLock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&]() REQUIRES(mu_) { return got_first_ || end_; })) {
    lock.unlock();
    cancel();
    return error(Code::kUnavailable, "assignments: no answer from the manager in {} ms",
                 timeout.count());
  }
  if (got_first_) return Status::ok();
  return *end_;
}

Result<std::optional<protocol::AssignmentsMessage>> AssignmentsCall::recv(
    std::chrono::nanoseconds timeout) {
  MutexLock lock(mu_);
  if (cancelled_) return error(Code::kUnavailable, "assignment stream cancelled");
  cv_.wait_for(lock, timeout,
               [&]() REQUIRES(mu_) { return !queue_.empty() || end_ || cancelled_; });
  if (!queue_.empty()) {
    auto next = std::move(queue_.front());
    queue_.pop_front();
    if (!next) return next.status();
    return std::optional<protocol::AssignmentsMessage>(std::move(next).value());
  }
  if (cancelled_) return std::optional<protocol::AssignmentsMessage>();
  if (end_) return error(Code::kUnavailable, "assignment stream ended: {}", end_->message());
  return std::optional<protocol::AssignmentsMessage>();
}

void AssignmentsCall::cancel() {
  std::function<void()> notify;
  {
    MutexLock lock(mu_);
    if (cancelled_) return;
    cancelled_ = true;
    notify = notify_;
  }
  cv_.notify_all();
  context_.TryCancel();
  if (notify) notify();
}

bool AssignmentsCall::set_ready_callback(std::function<void()> notify) {
  bool ready;
  {
    MutexLock lock(mu_);
    notify_ = notify;
    ready = !queue_.empty() || end_ || cancelled_;
  }
  if (ready) notify();
  return true;
}

void AssignmentsCall::notify_locked(MutexLock& lock) {
  auto notify = notify_;
  lock.unlock();
  cv_.notify_all();
  if (notify) notify();
}

void AssignmentsCall::OnReadDone(bool ok) {
  if (!ok) return;  // OnDone follows
  MutexLock lock(mu_);
  got_first_ = true;
  queue_.push_back(from_proto(message_));
  notify_locked(lock);
  StartRead(&message_);
}

void AssignmentsCall::OnDone(const grpc::Status& status) {
  MutexLock lock(mu_);
  Status s = from_grpc(status);
  end_ = s.is_ok() ? error(Code::kUnavailable, "stream ended") : s;
  auto keep = std::move(self_);
  notify_locked(lock);
}

}  // namespace shoal::rpc
