#include "scale/census.h"

#include <algorithm>

#include "common/mutex.h"
#include "store/txn.h"

namespace shoal::scale {

namespace {
size_t index_of(api::TaskState state) { return static_cast<size_t>(state); }
}  // namespace

uint64_t Census::between(api::TaskState from, api::TaskState to) const {
  uint64_t n = 0;
  for (size_t s = index_of(from); s <= index_of(to) && s < kStates; ++s) n += by_state[s];
  return n;
}

store::WatchFilter TaskCensus::filter() const {
  return store::WatchFilter::of({store::Kind::kTask});
}

void TaskCensus::on_snapshot(const store::ReadTxn& snapshot) {
  Census fresh;
  snapshot.for_each<api::Task>(store::by::All{}, [&](const std::shared_ptr<const api::Task>& t) {
    ++fresh.by_state[index_of(t->Status.State)];
    ++fresh.total;
    if (t->Status.State >= api::TaskState::kAssigned) ++fresh.ever_assigned;
  });
  fresh.created = std::max(counting_.created, fresh.total);
  fresh.ever_assigned = std::max(counting_.ever_assigned, fresh.ever_assigned);
  counting_ = fresh;
}

void TaskCensus::on_event(const store::Event& event) {
  const auto& old = event.old_as<api::Task>();
  const auto& now = event.new_as<api::Task>();
  if (old) {
    --counting_.by_state[index_of(old->Status.State)];
    --counting_.total;
  } else {
    ++counting_.created;
  }
  if (now) {
    ++counting_.by_state[index_of(now->Status.State)];
    ++counting_.total;
    bool was_assigned = old && old->Status.State >= api::TaskState::kAssigned;
    if (!was_assigned && now->Status.State >= api::TaskState::kAssigned) {
      ++counting_.ever_assigned;
    }
  }
}

std::optional<Timestamp> TaskCensus::tick(Timestamp) {
  {
    MutexLock lock(mu_);
    published_ = counting_;
  }
  cv_.notify_all();
  return std::nullopt;
}

Census TaskCensus::current() const {
  MutexLock lock(mu_);
  return published_;
}

std::pair<Census, bool> TaskCensus::wait(const std::function<bool(const Census&)>& done,
                                         std::chrono::nanoseconds timeout) const {
  MutexLock lock(mu_);
  bool held = cv_.wait_for(lock, timeout, [&]() REQUIRES(mu_) { return done(published_); });
  return {published_, held};
}

}  // namespace shoal::scale
