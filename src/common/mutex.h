// Mutex, MutexLock and CondVar: std::mutex and std::condition_variable with Clang's
// thread-safety annotations, so that what a lock guards is declared in code and checked by
// the compiler (`make check` runs Clang with -Wthread-safety over src/:
// scripts/thread_safety.sh):
//
//   Mutex mu_;
//   int count_ GUARDED_BY(mu_) = 0;
//   void bump_locked() REQUIRES(mu_);
//   void stop() EXCLUDES(mu_);
//
//   MutexLock lock(mu_);                       // holds mu_ for the scope
//   cv_.wait(lock, [&]() REQUIRES(mu_) { return count_ > 0; });
//
// A predicate lambda is checked as a function of its own: it says REQUIRES(mu) (a
// condition variable calls it with the mutex held). MutexLock may be unlocked and locked
// again within its scope; the analysis follows both.
//
// The macros are Abseil's (absl/base/thread_annotations.h) under the short names Clang's
// documentation uses (Abseil's own compatibility header may define some of them already,
// with the same meaning); other compilers ignore them.
//
// Thread safety: as std::mutex and std::condition_variable.
#pragma once

#include <absl/base/thread_annotations.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>

#ifndef GUARDED_BY
#define GUARDED_BY(x) ABSL_GUARDED_BY(x)
#endif
#ifndef PT_GUARDED_BY
#define PT_GUARDED_BY(x) ABSL_PT_GUARDED_BY(x)
#endif
#ifndef REQUIRES
#define REQUIRES(...) ABSL_EXCLUSIVE_LOCKS_REQUIRED(__VA_ARGS__)
#endif
#ifndef EXCLUDES
#define EXCLUDES(...) ABSL_LOCKS_EXCLUDED(__VA_ARGS__)
#endif
#ifndef ACQUIRED_AFTER
#define ACQUIRED_AFTER(...) ABSL_ACQUIRED_AFTER(__VA_ARGS__)
#endif
#ifndef ACQUIRED_BEFORE
#define ACQUIRED_BEFORE(...) ABSL_ACQUIRED_BEFORE(__VA_ARGS__)
#endif
#ifndef RETURN_CAPABILITY
#define RETURN_CAPABILITY(x) ABSL_LOCK_RETURNED(x)
#endif
#ifndef NO_THREAD_SAFETY_ANALYSIS
#define NO_THREAD_SAFETY_ANALYSIS ABSL_NO_THREAD_SAFETY_ANALYSIS
#endif

namespace shoal {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) { return mu_.try_lock(); }
  // Tells the analysis that the caller holds this mutex where it cannot see so (a callback
  // that its caller runs under the lock). Checks nothing at run time.
  void assert_held() const ABSL_ASSERT_EXCLUSIVE_LOCK() {}

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex from construction to destruction, except between unlock() and lock().
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(&mu), lock_(mu.mu_) {}
  ~MutexLock() ABSL_UNLOCK_FUNCTION() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void unlock() ABSL_UNLOCK_FUNCTION() { lock_.unlock(); }
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { lock_.lock(); }
  // The mutex this lock takes (a ManualClock notifies a waiter under it).
  Mutex* mutex() const { return mu_; }

 private:
  friend class CondVar;
  Mutex* mu_;
  std::unique_lock<std::mutex> lock_;
};

// std::condition_variable over a MutexLock. Each wait releases the lock while it blocks and
// holds it again when it returns.
class CondVar {
 public:
  void notify_one() noexcept { cv_.notify_one(); }
  void notify_all() noexcept { cv_.notify_all(); }

  void wait(MutexLock& lock) { cv_.wait(lock.lock_); }
  template <class Predicate>
  void wait(MutexLock& lock, Predicate ready) {
    cv_.wait(lock.lock_, std::move(ready));
  }
  template <class Rep, class Period>
  std::cv_status wait_for(MutexLock& lock, std::chrono::duration<Rep, Period> timeout) {
    return cv_.wait_for(lock.lock_, timeout);
  }
  template <class Rep, class Period, class Predicate>
  bool wait_for(MutexLock& lock, std::chrono::duration<Rep, Period> timeout, Predicate ready) {
    return cv_.wait_for(lock.lock_, timeout, std::move(ready));
  }
  template <class ClockT, class Duration>
  std::cv_status wait_until(MutexLock& lock, std::chrono::time_point<ClockT, Duration> deadline) {
    return cv_.wait_until(lock.lock_, deadline);
  }
  template <class ClockT, class Duration, class Predicate>
  bool wait_until(MutexLock& lock, std::chrono::time_point<ClockT, Duration> deadline,
                  Predicate ready) {
    return cv_.wait_until(lock.lock_, deadline, std::move(ready));
  }

 private:
  std::condition_variable cv_;
};

}  // namespace shoal
