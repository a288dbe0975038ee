// TaskCensus: how many tasks the store holds in each state, kept from store events — the
// progress a scale run prints and waits on, without scanning a million tasks every second.
//
// It is a manager::Reconciler run in a ReconcileLoop (one loop skeleton for everything
// that watches the store): on_snapshot() counts the snapshot, on_event() moves counts,
// tick() publishes them to waiters. Counts follow the store exactly (level-triggered: a
// fresh snapshot after a watch overflow recounts); the cumulative counters `created` and
// `ever_assigned` count events since the census started and cannot go below what a
// recount finds.
//
// Thread safety: the Reconciler methods run on the loop thread; current() and wait() from
// any thread.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "api/task.h"
#include "common/mutex.h"
#include "manager/reconcile_loop.h"

namespace shoal::scale {

struct Census {
  static constexpr size_t kStates = 16;      // api::TaskState values
  std::array<uint64_t, kStates> by_state{};  // tasks in the store, by Status.State
  uint64_t total = 0;                        // tasks in the store
  uint64_t created = 0;                      // task creations seen (at least the tasks counted)
  uint64_t ever_assigned = 0;                // tasks seen reaching assigned or beyond

  uint64_t in(api::TaskState state) const { return by_state[static_cast<size_t>(state)]; }
  // Tasks in states [from, to].
  uint64_t between(api::TaskState from, api::TaskState to) const;
};

class TaskCensus final : public manager::Reconciler {
 public:
  std::string name() const override { return "task census"; }
  store::WatchFilter filter() const override;
  void on_snapshot(const store::ReadTxn& snapshot) override;
  void on_event(const store::Event& event) override;
  std::optional<Timestamp> tick(Timestamp now) override;

  // The counts as of the last tick.
  Census current() const;
  // Waits until `done(counts)` holds or `timeout` passes; returns the last counts seen and
  // whether `done` held.
  std::pair<Census, bool> wait(const std::function<bool(const Census&)>& done,
                               std::chrono::nanoseconds timeout) const;

 private:
  Census counting_;  // loop thread only

  mutable Mutex mu_;
  mutable CondVar cv_;
  Census published_ GUARDED_BY(mu_);
};

}  // namespace shoal::scale
