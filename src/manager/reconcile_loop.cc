#include "manager/reconcile_loop.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "common/mutex.h"

namespace shoal::manager {

LoopOptions Reconciler::loop_options() const { return LoopOptions{}; }

ReconcileLoop::ReconcileLoop(store::Store& store, const Clock& clock, Reconciler& reconciler)
    : ReconcileLoop(store, clock, reconciler, reconciler.loop_options()) {}

ReconcileLoop::ReconcileLoop(store::Store& store, const Clock& clock, Reconciler& reconciler,
                             LoopOptions options)
    : store_(store), clock_(clock), reconciler_(reconciler), options_(options) {}

ReconcileLoop::~ReconcileLoop() { stop(); }

void ReconcileLoop::start() {
  thread_ = std::thread([this] { run(); });
}

void ReconcileLoop::stop() {
  {
    MutexLock lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    watch_.wake();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool ReconcileLoop::resync() {
  auto watch = store_.view_and_watch(
      [&](const store::ReadTxn& snapshot) {
        reconciler_.on_snapshot(snapshot);
        return Status::ok();
      },
      reconciler_.filter());
  if (!watch.is_ok()) {
    spdlog::error("{}: cannot watch the store: {}", reconciler_.name(), watch.status().message());
    return false;
  }
  MutexLock lock(mu_);
  watch_ = std::move(watch).value();
  return !stopping_;
}

bool ReconcileLoop::collect(Timestamp deadline) {
  bool any = false;
  for (;;) {
    // After the first change, only what is already queued (the zero time has passed).
    auto changes = watch_.next(clock_, any ? Timestamp() : deadline);
    if (changes == nullptr) return any;
    for (const store::Event& event : changes->events) reconciler_.on_event(event);
    any = true;
  }
}

void ReconcileLoop::run() {
  // The reconciler's name on the thread (15 characters at most), for top, perf and gdb.
  pthread_setname_np(pthread_self(), reconciler_.name().substr(0, 15).c_str());
  std::optional<Timestamp> follow_up;
  bool dirty = false;
  bool need_resync = true;
  for (;;) {
    {
      MutexLock lock(mu_);
      if (stopping_) return;
    }
    bool first_tick = false;  // right after a snapshot: tick at once
    if (need_resync) {
      if (!resync()) return;
      need_resync = false;
      dirty = true;
      first_tick = true;
    }

    if (!dirty) dirty = collect(follow_up.value_or(Timestamp::max()));
    if (dirty && !first_tick && options_.debounce.count() > 0) {
      // Let the window fill without waking for every commit, then take all of it.
      {
        MutexLock lock(mu_);
        if (cv_.wait_for(lock, options_.debounce, [&]() REQUIRES(mu_) { return stopping_; }))
          return;
      }
      collect(Timestamp());
    }

    switch (watch_.state()) {
      case store::WatchState::kOpen:
        break;
      case store::WatchState::kOverflowed:
        spdlog::warn("{}: fell behind the store; taking a fresh snapshot", reconciler_.name());
        need_resync = true;
        continue;
      case store::WatchState::kClosed:
        return;
    }

    Timestamp now = clock_.now();
    bool due = follow_up && *follow_up <= now;
    if (dirty || due) {
      dirty = false;
      follow_up = reconciler_.tick(now);
    }
  }
}

}  // namespace shoal::manager
