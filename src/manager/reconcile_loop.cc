#include "manager/reconcile_loop.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

namespace shoal::manager {

namespace {
// How long one wait on the watch may last when nothing is due: bounds how late a follow-up
// time measured on a Clock that is not the steady clock can be noticed.
constexpr std::chrono::milliseconds kIdleWait{500};
}  // namespace

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
    std::lock_guard lock(mu_);
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
  std::lock_guard lock(mu_);
  watch_ = std::move(watch).value();
  return !stopping_;
}

bool ReconcileLoop::collect(std::chrono::steady_clock::time_point deadline) {
  bool any = false;
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    auto timeout = deadline > now ? deadline - now : std::chrono::nanoseconds(0);
    auto changes = watch_.next(any ? std::chrono::nanoseconds(0) : timeout);
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
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    bool first_tick = false;  // right after a snapshot: tick at once
    if (need_resync) {
      if (!resync()) return;
      need_resync = false;
      dirty = true;
      first_tick = true;
    }

    if (!dirty) {
      auto wait = std::chrono::nanoseconds(kIdleWait);
      if (follow_up) {
        auto until = *follow_up - clock_.now();
        wait = std::clamp(until, std::chrono::nanoseconds(0), wait);
      }
      dirty = collect(std::chrono::steady_clock::now() + wait);
    }
    if (dirty && !first_tick && options_.debounce.count() > 0) {
      // Let the window fill without waking for every commit, then take all of it.
      {
        std::unique_lock lock(mu_);
        if (cv_.wait_for(lock, options_.debounce, [&] { return stopping_; })) return;
      }
      collect(std::chrono::steady_clock::now());
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
