#include "common/backoff.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

using namespace std::chrono_literals;

TEST(BackoffTest, GrowsToMaxWithoutJitter) {
  Backoff b(BackoffPolicy{.initial = 100ms, .max = 1s, .multiplier = 2.0, .jitter = 0.0});
  EXPECT_EQ(b.next(), 100ms);
  EXPECT_EQ(b.next(), 200ms);
  EXPECT_EQ(b.next(), 400ms);
  EXPECT_EQ(b.next(), 800ms);
  EXPECT_EQ(b.next(), 1s);
  EXPECT_EQ(b.next(), 1s);
  EXPECT_EQ(b.attempts(), 6);
  b.reset();
  EXPECT_EQ(b.attempts(), 0);
  EXPECT_EQ(b.next(), 100ms);
}

TEST(BackoffTest, JitterStaysWithinHalfAndFullDelay) {
  Backoff b(BackoffPolicy{.initial = 100ms, .max = 100ms, .multiplier = 2.0, .jitter = 0.5}, 7);
  for (int i = 0; i < 1000; ++i) {
    auto d = b.next();
    EXPECT_GE(d, 50ms);
    EXPECT_LE(d, 100ms);
  }
}

TEST(BackoffTest, SameSeedSameDelays) {
  Backoff a(BackoffPolicy{}, 42);
  Backoff b(BackoffPolicy{}, 42);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(a.next(), b.next());
}

TEST(BackoffTest, DelayForAttemptCount) {
  BackoffPolicy policy{.initial = 1s, .max = 5s, .multiplier = 2.0, .jitter = 0.5};
  EXPECT_EQ(backoff_delay(policy, 0, 1.0), 1s);
  EXPECT_EQ(backoff_delay(policy, 0, 0.0), 500ms);
  EXPECT_EQ(backoff_delay(policy, 2, 1.0), 4s);
  EXPECT_EQ(backoff_delay(policy, 30, 1.0), 5s);
}

}  // namespace
}  // namespace shoal
