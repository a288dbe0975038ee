#include "manager/dispatcher/subscription.h"

#include "common/mutex.h"

namespace shoal::manager::dispatcher {

void Subscription::push(ChangeMap changes) {
  if (changes.empty()) return;
  std::shared_ptr<const std::function<void()>> notify;
  {
    MutexLock lock(mu_);
    if (closed_) return;
    if (pending_.empty()) {
      // Ready now unless it already was (the complete set not sent yet).
      if (complete_sent_) notify = notify_;
      pending_ = std::move(changes);
    } else {
      for (auto& [key, change] : changes) pending_.insert_or_assign(key, std::move(change));
    }
  }
  cv_.notify_all();
  if (notify) (*notify)();
}

void Subscription::close(std::string reason) {
  std::shared_ptr<const std::function<void()>> notify;
  {
    MutexLock lock(mu_);
    if (closed_) return;
    closed_ = true;
    close_reason_ = std::move(reason);
    pending_.clear();
    notify = std::move(notify_);
  }
  cv_.notify_all();
  if (notify) (*notify)();
}

void Subscription::set_ready_callback(std::function<void()> notify) {
  auto shared = std::make_shared<const std::function<void()>>(std::move(notify));
  bool ready;
  {
    MutexLock lock(mu_);
    notify_ = shared;
    ready = closed_ || !complete_sent_ || !pending_.empty();
  }
  if (ready) (*shared)();
}

bool Subscription::closed() const {
  MutexLock lock(mu_);
  return closed_;
}

uint64_t Subscription::messages() const {
  MutexLock lock(mu_);
  return sequence_;
}

Result<std::optional<protocol::AssignmentsMessage>> Subscription::recv(
    std::chrono::nanoseconds timeout) {
  MutexLock lock(mu_);
  cv_.wait_for(lock, timeout,
               [&]() REQUIRES(mu_) { return closed_ || !complete_sent_ || !pending_.empty(); });
  if (closed_) return Status(Code::kUnavailable, close_reason_);
  if (complete_sent_ && pending_.empty()) return std::optional<protocol::AssignmentsMessage>();

  protocol::AssignmentsMessage message;
  message.Type = complete_sent_ ? protocol::AssignmentsType::kIncremental
                                : protocol::AssignmentsType::kComplete;
  if (sequence_ > 0) message.AppliesTo = std::to_string(sequence_);
  message.ResultsIn = std::to_string(++sequence_);
  message.Changes.reserve(pending_.size());
  for (auto& [key, change] : pending_) {
    if (!complete_sent_ && change.Action == protocol::AssignmentAction::kRemove) continue;
    message.Changes.push_back(std::move(change));
  }
  pending_.clear();
  complete_sent_ = true;
  return std::optional<protocol::AssignmentsMessage>(std::move(message));
}

}  // namespace shoal::manager::dispatcher
