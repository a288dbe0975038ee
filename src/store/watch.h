// Watching the store: every committed transaction is published, after it is durable, as one
// Changes value (its revision and one Event per object it created, updated or deleted) to
// each subscription whose filter it matches.
//
// A Watch is an owned subscription (RAII: destroying it unsubscribes). Its queue is bounded:
// when a consumer falls more than `max_queued` commits behind, the store does not wait for
// it; the watch drops its queue and moves to WatchState::kOverflowed, and the consumer must
// take a fresh snapshot (Store::view_and_watch) and a new watch. So a slow subscriber never
// blocks a commit, and never silently misses a change.
//
// Events are coalesced per transaction: an object touched several times in one transaction
// gives one event, with the object as it was before the transaction (old) and as committed
// (new); an object created and deleted in the same transaction gives none, one deleted and
// created again gives an update.
//
// Thread safety: Watch is thread-safe (next() from one consumer thread, wake()/close() from
// any thread). Changes values are immutable and shared between subscribers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "common/time.h"
#include "store/object.h"

namespace shoal::store {

enum class Action : uint8_t { kCreate = 1, kUpdate = 2, kDelete = 4 };

std::string_view action_name(Action action);  // "create", "update", "delete"

struct Event {
  Kind kind = Kind::kCluster;
  Action action = Action::kCreate;
  AnyObject old_object;  // null pointer for kCreate
  AnyObject new_object;  // null pointer for kDelete

  // REQUIRES: kind == kind_of<T>. May be null (see above).
  template <typename T>
  const std::shared_ptr<const T>& old_as() const {
    return as<T>(old_object);
  }
  template <typename T>
  const std::shared_ptr<const T>& new_as() const {
    return as<T>(new_object);
  }
  // The object's ID.
  std::string_view id() const;
};

// The changes of one committed transaction.
struct Changes {
  uint64_t revision = 0;  // the store revision this transaction produced
  std::vector<Event> events;
  uint32_t kind_mask = 0;   // OR of (1 << kind) over events
  uint8_t action_mask = 0;  // OR of actions over events
};

// Which events a watch delivers: kinds AND actions AND (optional) predicate.
struct WatchFilter {
  static constexpr uint32_t kAllKinds = (1u << kKindCount) - 1;
  static constexpr uint8_t kAllActions = 7;

  uint32_t kinds = kAllKinds;
  uint8_t actions = kAllActions;
  // Further narrowing, run on the consumer's thread inside next(). Optional.
  std::function<bool(const Event&)> predicate;

  // Everything.
  static WatchFilter all() { return WatchFilter(); }
  // These kinds; these actions (all when empty).
  static WatchFilter of(std::initializer_list<Kind> kinds,
                        std::initializer_list<Action> actions = {});

  bool matches(const Event& event) const;
};

enum class WatchState {
  kOpen,        // delivering
  kOverflowed,  // fell more than max_queued commits behind; re-snapshot and re-watch
  kClosed,      // closed by close() or by the store shutting down
};

struct WatchOptions {
  size_t max_queued = 4096;  // commits waiting for the consumer before kOverflowed
};

namespace internal {
class Subscription;
class WatchHub;
}  // namespace internal

class Watch {
 public:
  Watch() = default;  // a closed watch
  ~Watch();
  Watch(Watch&&) noexcept = default;
  Watch& operator=(Watch&& other) noexcept;

  // The next commit's matching changes, oldest first, waiting up to `timeout`. Returns
  // nullptr when the timeout passes, wake() was called, or the watch is not open (then
  // state() says why). Commits whose events all fail the filter are skipped.
  std::shared_ptr<const Changes> next(std::chrono::nanoseconds timeout);
  // As next(timeout), waiting until `deadline` on `clock` (Clock::wait_until): a loop whose
  // follow-up times are on a Clock sleeps on it, and a ManualClock's advance() wakes it.
  // Returns at once (after taking what is queued) when the deadline has passed, the zero
  // time included. The ManualClock lock order applies: the watch's mutex is a waiter's.
  std::shared_ptr<const Changes> next(const Clock& clock, Timestamp deadline);
  // next() without waiting.
  std::shared_ptr<const Changes> try_next() { return next(std::chrono::nanoseconds(0)); }

  WatchState state() const;
  // Makes one blocked or the next next() return nullptr at once (for a loop's stop()).
  void wake();
  // Stops delivery for good and drops queued changes; next() returns nullptr. Idempotent.
  void close();

 private:
  friend class Store;
  Watch(std::shared_ptr<internal::WatchHub> hub, std::shared_ptr<internal::Subscription> sub)
      : hub_(std::move(hub)), sub_(std::move(sub)) {}

  std::shared_ptr<internal::WatchHub> hub_;
  std::shared_ptr<internal::Subscription> sub_;
};

namespace internal {

// One subscriber's queue.
class Subscription {
 public:
  Subscription(WatchFilter filter, WatchOptions options)
      : filter_(std::move(filter)), options_(options) {}

  // Publisher side. REQUIRES: the hub's mutex is held.
  void offer(const std::shared_ptr<const Changes>& changes);
  void shut(WatchState state);

  std::shared_ptr<const Changes> next(std::chrono::nanoseconds timeout);
  std::shared_ptr<const Changes> next(const Clock& clock, Timestamp deadline);
  WatchState state() const;
  void wake();

 private:
  std::shared_ptr<const Changes> filter(std::shared_ptr<const Changes> changes) const;
  // The body of both next()s; `wait(lock)` blocks once and returns false when the
  // deadline has passed.
  template <typename Wait>
  std::shared_ptr<const Changes> next_with(Wait wait);

  const WatchFilter filter_;
  const WatchOptions options_;
  mutable Mutex mu_;
  CondVar cv_;
  std::deque<std::shared_ptr<const Changes>> queue_ GUARDED_BY(mu_);
  WatchState state_ GUARDED_BY(mu_) = WatchState::kOpen;
  bool woken_ GUARDED_BY(mu_) = false;
};

// The set of subscriptions of one store.
class WatchHub {
 public:
  void add(std::shared_ptr<Subscription> sub);
  void remove(const Subscription* sub);
  // Offers `changes` to every subscription. Called by the committer only.
  void publish(const std::shared_ptr<const Changes>& changes);
  // Ends every subscription with WatchState::kOverflowed: the state they were following was
  // replaced (Store::reload), so each consumer must take a fresh snapshot.
  void overflow_all();
  // Closes every subscription (WatchState::kClosed); later add()s are closed at once.
  void close_all();

 private:
  Mutex mu_;
  std::vector<std::shared_ptr<Subscription>> subs_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
};

}  // namespace internal
}  // namespace shoal::store
