#include "store/watch.h"

#include <algorithm>

#include "common/mutex.h"

namespace shoal::store {

std::string_view action_name(Action action) {
  switch (action) {
    case Action::kCreate:
      return "create";
    case Action::kUpdate:
      return "update";
    case Action::kDelete:
      return "delete";
  }
  return "unknown";
}

std::string_view Event::id() const {
  const AnyObject& object = action == Action::kDelete ? old_object : new_object;
  return std::visit([](const auto& p) { return p ? std::string_view(p->ID) : std::string_view(); },
                    object);
}

WatchFilter WatchFilter::of(std::initializer_list<Kind> kinds,
                            std::initializer_list<Action> actions) {
  WatchFilter filter;
  filter.kinds = 0;
  for (Kind k : kinds) filter.kinds |= 1u << static_cast<int>(k);
  if (actions.size() > 0) {
    filter.actions = 0;
    for (Action a : actions) filter.actions |= static_cast<uint8_t>(a);
  }
  return filter;
}

bool WatchFilter::matches(const Event& event) const {
  return (kinds & (1u << static_cast<int>(event.kind))) != 0 &&
         (actions & static_cast<uint8_t>(event.action)) != 0 && (!predicate || predicate(event));
}

Watch::~Watch() { close(); }

Watch& Watch::operator=(Watch&& other) noexcept {
  if (this != &other) {
    close();
    hub_ = std::move(other.hub_);
    sub_ = std::move(other.sub_);
  }
  return *this;
}

std::shared_ptr<const Changes> Watch::next(std::chrono::nanoseconds timeout) {
  return sub_ ? sub_->next(timeout) : nullptr;
}

std::shared_ptr<const Changes> Watch::next(const Clock& clock, Timestamp deadline) {
  return sub_ ? sub_->next(clock, deadline) : nullptr;
}

WatchState Watch::state() const { return sub_ ? sub_->state() : WatchState::kClosed; }

void Watch::wake() {
  if (sub_) sub_->wake();
}

void Watch::close() {
  if (!sub_) return;
  if (hub_) hub_->remove(sub_.get());
  sub_->shut(WatchState::kClosed);
  sub_.reset();
  hub_.reset();
}

namespace internal {

void Subscription::offer(const std::shared_ptr<const Changes>& changes) {
  if ((filter_.kinds & changes->kind_mask) == 0 || (filter_.actions & changes->action_mask) == 0) {
    return;
  }
  MutexLock lock(mu_);
  if (state_ != WatchState::kOpen) return;
  if (queue_.size() >= options_.max_queued) {
    state_ = WatchState::kOverflowed;
    queue_.clear();
  } else {
    queue_.push_back(changes);
  }
  cv_.notify_one();
}

void Subscription::shut(WatchState state) {
  MutexLock lock(mu_);
  if (state_ != WatchState::kOpen) return;
  state_ = state;
  queue_.clear();
  cv_.notify_all();
}

std::shared_ptr<const Changes> Subscription::filter(std::shared_ptr<const Changes> changes) const {
  bool all_pass = (filter_.kinds & changes->kind_mask) == changes->kind_mask &&
                  (filter_.actions & changes->action_mask) == changes->action_mask &&
                  !filter_.predicate;
  if (all_pass) return changes;
  auto out = std::make_shared<Changes>();
  out->revision = changes->revision;
  for (const Event& event : changes->events) {
    if (!filter_.matches(event)) continue;
    out->events.push_back(event);
    out->kind_mask |= 1u << static_cast<int>(event.kind);
    out->action_mask |= static_cast<uint8_t>(event.action);
  }
  if (out->events.empty()) return nullptr;
  return out;
}

std::shared_ptr<const Changes> Subscription::next(std::chrono::nanoseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  return next_with(
      [&](MutexLock& lock) { return cv_.wait_until(lock, deadline) != std::cv_status::timeout; });
}

std::shared_ptr<const Changes> Subscription::next(const Clock& clock, Timestamp deadline) {
  return next_with([&](MutexLock& lock) {
    if (clock.now() >= deadline) return false;
    clock.wait_until(cv_, lock, deadline);
    return true;  // the next round checks the deadline again
  });
}

template <typename Wait>
std::shared_ptr<const Changes> Subscription::next_with(Wait wait) {
  MutexLock lock(mu_);
  while (true) {
    if (!queue_.empty()) {
      auto changes = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      if (auto filtered = filter(std::move(changes))) return filtered;
      lock.lock();
      continue;
    }
    if (state_ != WatchState::kOpen) return nullptr;
    if (woken_) {
      woken_ = false;
      return nullptr;
    }
    if (!wait(lock) && queue_.empty()) return nullptr;
  }
}

WatchState Subscription::state() const {
  MutexLock lock(mu_);
  return state_;
}

void Subscription::wake() {
  MutexLock lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

void WatchHub::add(std::shared_ptr<Subscription> sub) {
  MutexLock lock(mu_);
  if (closed_) {
    sub->shut(WatchState::kClosed);
    return;
  }
  subs_.push_back(std::move(sub));
}

void WatchHub::remove(const Subscription* sub) {
  MutexLock lock(mu_);
  std::erase_if(subs_, [&](const auto& s) { return s.get() == sub; });
}

void WatchHub::publish(const std::shared_ptr<const Changes>& changes) {
  MutexLock lock(mu_);
  for (const auto& sub : subs_) sub->offer(changes);
}

void WatchHub::overflow_all() {
  MutexLock lock(mu_);
  for (const auto& sub : subs_) sub->shut(WatchState::kOverflowed);
  subs_.clear();
}

void WatchHub::close_all() {
  MutexLock lock(mu_);
  closed_ = true;
  for (const auto& sub : subs_) sub->shut(WatchState::kClosed);
  subs_.clear();
}

}  // namespace internal
}  // namespace shoal::store
