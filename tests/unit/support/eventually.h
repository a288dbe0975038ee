// Unit-test helper for waiting on another thread: polls a condition until it holds or a
// bound passes. The bound is only a limit against hanging (a test never asserts on how
// long something took); the one poll interval and the one default limit live here.
//
// This is the only place a unit test sleeps to wait for another thread. To show that
// something does NOT happen, do not wait here: drive time through a ManualClock (see
// common/time.h, ManualClock::earliest_deadline) and wait for the state that proves the
// other thread has done its work.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace shoal::testing {

// Long enough for a loaded machine running sanitizers; a passing test never waits it out.
inline constexpr std::chrono::milliseconds kEventuallyLimit{10'000};
inline constexpr std::chrono::microseconds kEventuallyPoll{500};

// True as soon as `pred` holds; false if it still does not after `limit`.
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::nanoseconds limit = kEventuallyLimit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(kEventuallyPoll);
  }
  return true;
}

}  // namespace shoal::testing
