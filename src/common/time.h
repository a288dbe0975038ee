// Time values for the whole of shoal: Timestamp (a point in time as the Docker API sees it),
// RFC 3339 text in Go's time.RFC3339Nano shape, and the Clock seam through which code reads
// "now" (never read the system clock inside domain logic; take a Clock).
//
// A Timestamp is int64 nanoseconds since the Unix epoch (UTC). Its default value is Go's zero
// time, 0001-01-01T00:00:00Z, which the API prints for "never" (an unset CreatedAt, a task
// status that was never stamped). That value lies outside the int64-nanosecond range, so it is
// a sentinel: is_zero() tells it apart, it compares before every other time, and arithmetic
// on it is not allowed. Representable times span 1677-09-21 .. 2262-04-11 (the int64 range).
//
// Timers: a loop that must act at a time (a kill after a grace period, a retry after a
// backoff, a batch window) computes its deadline from clock.now() and sleeps through
// Clock::wait_until, so the same code runs on the real clock in the daemon and on a
// ManualClock in tests, where advance() fires it.
//
// Thread safety: Timestamp is a value. SystemClock and ManualClock are safe to share; the
// lock order between a ManualClock and the mutexes of its waiters is stated below.
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "common/status.h"

namespace shoal {

class Timestamp {
 public:
  // Go's zero time.
  constexpr Timestamp() = default;

  // REQUIRES: unix_nanos != std::numeric_limits<int64_t>::min() (that value is the zero time).
  static constexpr Timestamp from_unix_nanos(int64_t unix_nanos) { return Timestamp(unix_nanos); }
  static Timestamp from_sys(std::chrono::system_clock::time_point tp);
  // The latest representable time (2262-04-11T23:47:16.854775807Z): a deadline that never
  // comes, for a loop that has nothing due but sleeps through Clock::wait_until.
  static constexpr Timestamp max() { return Timestamp(std::numeric_limits<int64_t>::max()); }

  // True for Go's zero time (the default value).
  constexpr bool is_zero() const { return ns_ == kZero; }
  // Nanoseconds since 1970-01-01T00:00:00Z. REQUIRES: !is_zero().
  constexpr int64_t unix_nanos() const { return ns_; }

  // The zero time orders before every other time.
  constexpr auto operator<=>(const Timestamp&) const = default;

  // REQUIRES: !is_zero() and no overflow.
  constexpr Timestamp operator+(std::chrono::nanoseconds d) const {
    return Timestamp(ns_ + d.count());
  }
  constexpr Timestamp operator-(std::chrono::nanoseconds d) const {
    return Timestamp(ns_ - d.count());
  }
  // REQUIRES: neither side is_zero().
  constexpr std::chrono::nanoseconds operator-(Timestamp other) const {
    return std::chrono::nanoseconds(ns_ - other.ns_);
  }

 private:
  static constexpr int64_t kZero = std::numeric_limits<int64_t>::min();
  constexpr explicit Timestamp(int64_t ns) : ns_(ns) {}

  int64_t ns_ = kZero;
};

// Formats as Go's time.RFC3339Nano does for a UTC time: "2006-01-02T15:04:05.999999999Z",
// trailing zeros of the fraction trimmed and the fraction dropped when zero. The zero
// Timestamp gives "0001-01-01T00:00:00Z".
std::string format_rfc3339_nano(Timestamp t);
// Appends format_rfc3339_nano(t) to `out` (no temporary string).
void append_rfc3339_nano(std::string& out, Timestamp t);

// Parses RFC 3339 as Go's time.Time.UnmarshalJSON accepts it (without the JSON quotes):
// "YYYY-MM-DDTHH:MM:SS[.fraction]" then "Z" or "+HH:MM"/"-HH:MM"; the fraction has 1 to 9
// digits. The offset is applied and dropped (the result is UTC).
// Returns kInvalidArgument for malformed text, an impossible date or time, or a time outside
// the representable range (except exactly 0001-01-01T00:00:00Z, which gives the zero time).
Result<Timestamp> parse_rfc3339(std::string_view text);

// Where "now" comes from, and how to sleep until a time on it. Pass a Clock into anything
// that stamps or compares times or waits for a deadline.
class Clock {
 public:
  virtual ~Clock() = default;
  // Never returns the zero time.
  virtual Timestamp now() const = 0;

  // Blocks on `cv` until it is notified, until now() >= `deadline`, or spuriously: the
  // caller re-checks its condition and the time (now() >= deadline) after every return,
  // exactly as with CondVar::wait_until. Returns at once when the deadline
  // has passed. Like cv.wait_until, it releases `lock` while blocked and holds it again on
  // return; a notify_one/notify_all on `cv` made after the caller last checked its
  // condition under `lock` is never lost.
  // REQUIRES: `lock` owns its mutex; !deadline.is_zero(); every waiter on `cv` passes the
  // same mutex.
  virtual void wait_until(CondVar& cv, MutexLock& lock, Timestamp deadline) const = 0;
};

// The real clock (CLOCK_REALTIME through std::chrono::system_clock).
//
// wait_until measures the time left (deadline - now()) once and sleeps that long on the
// steady clock, so a step of the wall clock during the sleep neither stretches nor cuts
// it. Deadlines themselves are wall-clock Timestamps: when the caller re-checks after a
// step backwards, the time left has grown by the step.
class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
  void wait_until(CondVar& cv, MutexLock& lock, Timestamp deadline) const override;
};

// A clock that moves only when told: for tests and replays.
//
// wait_until registers the waiter (its cv, its mutex and its deadline) for as long as it
// blocks; advance() and set() wake every waiter whose deadline the new time reaches by
// notifying its cv with its mutex held, so a waiter that registered but has not blocked yet
// cannot miss the wake-up. Waiters whose deadline is still ahead are not woken.
//
// Lock order: a waiter's mutex before the clock's own. wait_until is entered with the
// waiter's mutex held and registers under the clock's; advance() and set() take each due
// waiter's mutex with the clock's released. So advance() and set() must NOT be called
// with the mutex of any thread waiting on this clock held (they would block forever
// waiting for it).
//
// For tests that must show something does NOT happen: earliest_deadline() is the earliest
// deadline a thread sleeps until right now. A loop that computed its next deadline has
// taken in everything before it went to sleep, so seeing that deadline proves the loop
// has done its work; advancing to just before it wakes nobody.
class ManualClock final : public Clock {
 public:
  // REQUIRES: !start.is_zero().
  explicit ManualClock(Timestamp start) : ns_(start.unix_nanos()) {}
  ManualClock(const ManualClock&) = delete;
  ManualClock& operator=(const ManualClock&) = delete;
  // REQUIRES: no thread is waiting on this clock.
  ~ManualClock() override = default;

  Timestamp now() const override { return Timestamp::from_unix_nanos(ns_.load()); }
  void wait_until(CondVar& cv, MutexLock& lock, Timestamp deadline) const override;

  // Moves the time to `t` (backwards too) and wakes the waiters whose deadline it reaches.
  // REQUIRES: no waiter's mutex held by the caller.
  void set(Timestamp t);
  // set(now() + d), in one step with respect to other set() and advance() calls.
  void advance(std::chrono::nanoseconds d);

  // The earliest deadline among the threads blocked in wait_until that no set() or
  // advance() has woken yet; nullopt when there are none.
  std::optional<Timestamp> earliest_deadline() const;

 private:
  struct Waiter {
    CondVar* cv;
    Mutex* mu;
    Timestamp deadline;
    bool woken = false;  // picked by a set(); not counted by earliest_deadline
    int notifying = 0;   // set() calls about to lock `mu`: the entry must stay
  };
  // set() and advance(): moves to `nanos`, or by it when `relative`, and wakes the due.
  void move(bool relative, int64_t nanos);

  std::atomic<int64_t> ns_;
  mutable Mutex mu_;          // after any waiter's mutex
  mutable CondVar notified_;  // a set() finished notifying
  mutable std::list<Waiter> waiters_ GUARDED_BY(mu_);
};

}  // namespace shoal
