// ReconcileLoop: the one loop skeleton every manager reconciler runs in (orchestrators,
// scheduler, allocator, restart supervisor, updater, task reaper).
//
// Shape (swarmkit's orchestrators; STYLE.md §4 "loops collect, ticks act"):
//   1. take a snapshot and a watch atomically (Store::view_and_watch) and hand the snapshot
//      to on_snapshot(), which marks everything it cares about as dirty;
//   2. run a first tick();
//   3. loop: drain the watch, passing each event to on_event() (cheap: mark work dirty);
//      when work is dirty, tick() after `debounce` has passed since the first unhandled
//      event (sleeping through it, then draining everything queued), or at once when
//      `debounce` is zero; tick() also runs when the follow-up time it returned last (a
//      restart delay, an update delay) is reached. The loop sleeps on its Clock until that
//      time (store::Watch::next with Clock::wait_until), so a ManualClock's advance() wakes
//      it; the debounce is real time (it only batches commits).
//   If the watch overflows (the loop fell behind), it starts again at 1: a reconciler is
//   level-triggered and keeps no state the store does not have, so a fresh snapshot is
//   always enough.
//
// Thread safety: on_snapshot, on_event and tick run on the loop's own thread only, never
// concurrently. start() and stop() may be called from any thread; stop() is safe twice,
// wakes the loop and joins it.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/mutex.h"
#include "common/time.h"
#include "store/store.h"

namespace shoal::manager {

struct LoopOptions {
  // Events arriving within this window are handled by one tick. The loop sleeps through the
  // window (it is not woken by each commit) and then takes every event queued.
  std::chrono::milliseconds debounce{0};
};

class Reconciler {
 public:
  virtual ~Reconciler() = default;

  // For logs: "replicated orchestrator", "scheduler", ...
  virtual std::string name() const = 0;
  // The changes this reconciler reacts to.
  virtual store::WatchFilter filter() const = 0;
  // Forget what was dirty and mark everything in `snapshot` that may need work.
  virtual void on_snapshot(const store::ReadTxn& snapshot) = 0;
  // Mark the work one committed change creates. Must be cheap; no store access.
  virtual void on_event(const store::Event& event) = 0;
  // Do the marked work (plan from a snapshot, commit the plan). Returns when the next tick
  // is due even without new events (e.g. a restart delay ends), or nullopt.
  virtual std::optional<Timestamp> tick(Timestamp now) = 0;
  // The loop options that suit this reconciler's batching; a ReconcileLoop built without
  // options of its own uses them. Default: no debounce.
  virtual LoopOptions loop_options() const;
};

class ReconcileLoop {
 public:
  // `store`, `clock` and `reconciler` must outlive the loop. Without `options`, the
  // reconciler's own (Reconciler::loop_options).
  ReconcileLoop(store::Store& store, const Clock& clock, Reconciler& reconciler);
  ReconcileLoop(store::Store& store, const Clock& clock, Reconciler& reconciler,
                LoopOptions options);
  ~ReconcileLoop();  // stop()
  ReconcileLoop(const ReconcileLoop&) = delete;
  ReconcileLoop& operator=(const ReconcileLoop&) = delete;

  // Starts the loop thread. REQUIRES: not started before.
  void start();
  // Wakes the loop, waits for the tick in progress to finish, joins. Idempotent.
  void stop();

 private:
  void run();
  // Steps 1 and 2 above. Returns false when the store is closed or stop() was called.
  bool resync();
  // Waits for events until `deadline` on clock_ (or a stop), passing them to the
  // reconciler; a passed deadline (the zero time) only takes what is queued. Returns
  // whether any event arrived.
  bool collect(Timestamp deadline);

  store::Store& store_;
  const Clock& clock_;
  Reconciler& reconciler_;
  const LoopOptions options_;

  Mutex mu_;
  CondVar cv_;  // stop() wakes the debounce sleep
  bool stopping_ GUARDED_BY(mu_) = false;
  store::Watch watch_;  // replaced only by the loop thread; wake() from stop()
  std::thread thread_;
};

}  // namespace shoal::manager
