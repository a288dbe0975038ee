#include "common/time.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <thread>

#include "common/mutex.h"
#include "support/eventually.h"

namespace shoal {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;
using testing::eventually;

TEST(TimestampTest, DefaultIsGoZeroTime) {
  Timestamp t;
  EXPECT_TRUE(t.is_zero());
  EXPECT_EQ(format_rfc3339_nano(t), "0001-01-01T00:00:00Z");
  EXPECT_LT(t, Timestamp::from_unix_nanos(std::numeric_limits<int64_t>::min() + 1));
  EXPECT_FALSE(Timestamp::from_unix_nanos(0).is_zero());
}

TEST(TimestampTest, FormatsLikeGoRfc3339Nano) {
  EXPECT_EQ(format_rfc3339_nano(Timestamp::from_unix_nanos(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339_nano(Timestamp::from_unix_nanos(1465333551880065305)),
            "2016-06-07T21:05:51.880065305Z");
  EXPECT_EQ(format_rfc3339_nano(Timestamp::from_unix_nanos(1465333551880000000)),
            "2016-06-07T21:05:51.88Z");
  EXPECT_EQ(format_rfc3339_nano(Timestamp::from_unix_nanos(1465333551000000001)),
            "2016-06-07T21:05:51.000000001Z");
  EXPECT_EQ(format_rfc3339_nano(Timestamp::from_unix_nanos(-1)), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(format_rfc3339_nano(Timestamp::from_unix_nanos(951782400000000000)),
            "2000-02-29T00:00:00Z");
}

TEST(TimestampTest, ParsesWhatGoAccepts) {
  auto t = parse_rfc3339("2016-06-07T21:05:51.880065305Z");
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->unix_nanos(), 1465333551880065305);

  auto offset = parse_rfc3339("2016-06-07T23:05:51.88+02:00");
  ASSERT_TRUE(offset.is_ok());
  EXPECT_EQ(offset->unix_nanos(), 1465333551880000000);

  auto west = parse_rfc3339("2016-06-07T16:35:51-04:30");
  ASSERT_TRUE(west.is_ok());
  EXPECT_EQ(format_rfc3339_nano(*west), "2016-06-07T21:05:51Z");

  auto zero = parse_rfc3339("0001-01-01T00:00:00Z");
  ASSERT_TRUE(zero.is_ok());
  EXPECT_TRUE(zero->is_zero());
  auto zero_offset = parse_rfc3339("0001-01-01T02:00:00+02:00");
  ASSERT_TRUE(zero_offset.is_ok());
  EXPECT_TRUE(zero_offset->is_zero());
}

TEST(TimestampTest, RoundTripsEveryPrecision) {
  for (int64_t ns : {int64_t{1}, int64_t{10}, int64_t{123456789}, int64_t{999999999},
                     int64_t{1700000000000000000}, int64_t{-1700000000000000000}}) {
    const Timestamp t = Timestamp::from_unix_nanos(ns);
    auto back = parse_rfc3339(format_rfc3339_nano(t));
    ASSERT_TRUE(back.is_ok()) << ns;
    EXPECT_EQ(*back, t);
  }
}

class BadTimeTest : public ::testing::TestWithParam<const char*> {};

TEST_P(BadTimeTest, IsRejected) {
  auto t = parse_rfc3339(GetParam());
  ASSERT_FALSE(t.is_ok());
  EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
  EXPECT_NE(t.status().message().find(GetParam()), std::string::npos) << t.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, BadTimeTest,
    ::testing::Values("", "2016-06-07", "2016-06-07T21:05:51", "2016-06-07 21:05:51Z",
                      "2016-06-07t21:05:51Z", "2016-06-07T21:05:51z", "2016-06-07T21:05:51.Z",
                      "2016-06-07T21:05:51.1234567890Z", "2016-06-07T21:05:51+0200",
                      "2016-06-07T21:05:51+02", "2016-13-07T21:05:51Z", "2016-02-30T21:05:51Z",
                      "2015-02-29T00:00:00Z", "2016-06-07T24:00:00Z", "2016-06-07T21:60:00Z",
                      "2016-06-07T21:05:60Z", "2016-06-07T21:05:51+24:00",
                      "2016-06-07T21:05:51Zjunk", "16-06-07T21:05:51Z", "1200-01-01T00:00:00Z",
                      "9999-12-31T23:59:59Z", "0001-01-01T00:00:00.000000001Z"));

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(Timestamp::from_unix_nanos(1000));
  EXPECT_EQ(clock.now().unix_nanos(), 1000);
  clock.advance(seconds(2));
  EXPECT_EQ(clock.now().unix_nanos(), 2000001000);
  clock.set(Timestamp::from_unix_nanos(5));
  EXPECT_EQ(clock.now() - Timestamp::from_unix_nanos(0), nanoseconds(5));
}

TEST(ClockTest, SystemClockIsRecent) {
  SystemClock clock;
  const Timestamp now = clock.now();
  EXPECT_FALSE(now.is_zero());
  EXPECT_GT(now, *parse_rfc3339("2024-01-01T00:00:00Z"));
  EXPECT_EQ(now + seconds(1) - now, seconds(1));
}

TEST(ClockTest, MaxIsTheLatestTime) {
  EXPECT_FALSE(Timestamp::max().is_zero());
  EXPECT_GT(Timestamp::max(), SystemClock().now());
  EXPECT_EQ(format_rfc3339_nano(Timestamp::max()), "2262-04-11T23:47:16.854775807Z");
}

// A thread sleeping on a clock until `deadline` (re-checking as the contract says), the way
// a timer loop does; `done` once the clock says the deadline has come.
class Sleeper {
 public:
  Sleeper(const Clock& clock, Timestamp deadline)
      : thread_([this, &clock, deadline] {
          MutexLock lock(mu_);
          while (clock.now() < deadline && !cancelled_) clock.wait_until(cv_, lock, deadline);
          done_ = true;
        }) {}
  ~Sleeper() {
    {
      MutexLock lock(mu_);
      cancelled_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  bool done() {
    MutexLock lock(mu_);
    return done_;
  }

 private:
  Mutex mu_;
  CondVar cv_;
  bool done_ GUARDED_BY(mu_) = false;
  bool cancelled_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

const Timestamp kStart = Timestamp::from_unix_nanos(1'700'000'000'000'000'000);

TEST(ManualClockTest, WakesASleeperWhenItsDeadlineComesAndNotBefore) {
  ManualClock clock(kStart);
  Sleeper sleeper(clock, kStart + seconds(10));
  ASSERT_TRUE(eventually([&] { return clock.earliest_deadline() == kStart + seconds(10); }));
  clock.advance(seconds(10) - nanoseconds(1));
  // Not due: the sleeper was not woken (it still counts as sleeping until its deadline).
  EXPECT_EQ(clock.earliest_deadline(), kStart + seconds(10));
  EXPECT_FALSE(sleeper.done());
  clock.advance(nanoseconds(1));
  EXPECT_FALSE(clock.earliest_deadline().has_value());  // woken by the advance itself
  EXPECT_TRUE(eventually([&] { return sleeper.done(); }));
}

TEST(ManualClockTest, SetWakesOnlyTheSleepersItReaches) {
  ManualClock clock(kStart);
  auto late = std::make_unique<Sleeper>(clock, kStart + seconds(2));
  ASSERT_TRUE(eventually([&] { return clock.earliest_deadline() == kStart + seconds(2); }));
  auto early = std::make_unique<Sleeper>(clock, kStart + seconds(1));
  ASSERT_TRUE(eventually([&] { return clock.earliest_deadline() == kStart + seconds(1); }));
  clock.set(kStart + seconds(1));
  EXPECT_TRUE(eventually([&] { return early->done(); }));
  ASSERT_TRUE(eventually([&] { return clock.earliest_deadline() == kStart + seconds(2); }));
  EXPECT_FALSE(late->done());
  clock.set(kStart);  // backwards: nobody is due
  EXPECT_EQ(clock.earliest_deadline(), kStart + seconds(2));
  clock.set(kStart + seconds(3));
  EXPECT_TRUE(eventually([&] { return late->done(); }));
}

// Whether `mu` is held, as a thread that does not hold it sees (a thread may not try_lock a
// mutex it holds).
bool held_by_another_thread(Mutex& mu) {
  return std::async(std::launch::async,
                    [&] {
                      if (!mu.try_lock()) return true;
                      mu.unlock();
                      return false;
                    })
      .get();
}

TEST(ManualClockTest, PassedDeadlineReturnsAtOnce) {
  ManualClock clock(kStart);
  Mutex mu;
  CondVar cv;
  MutexLock lock(mu);
  clock.wait_until(cv, lock, kStart);  // would block forever if it registered
  clock.wait_until(cv, lock, kStart - seconds(1));
  EXPECT_TRUE(held_by_another_thread(mu));  // still held by `lock`
  EXPECT_FALSE(clock.earliest_deadline().has_value());
}

TEST(ManualClockTest, ReturnsOnTheCallersNotify) {
  ManualClock clock(kStart);
  Mutex mu;
  CondVar cv;
  bool ready = false;
  auto waiter = std::async(std::launch::async, [&] {
    MutexLock lock(mu);
    while (!ready) clock.wait_until(cv, lock, Timestamp::max());
  });
  ASSERT_TRUE(eventually([&] { return clock.earliest_deadline() == Timestamp::max(); }));
  {
    MutexLock lock(mu);
    ready = true;
  }
  cv.notify_one();
  ASSERT_EQ(waiter.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_FALSE(clock.earliest_deadline().has_value());  // it left the clock's list
}

// The races a timer on a ManualClock must survive: the advance lands while the sleeper is
// between reading the time and registering, or between registering and blocking. Every
// sleeper must still wake.
TEST(ManualClockTest, AnAdvanceRacingTheSleeperIsNeverLost) {
  ManualClock clock(kStart);
  for (int i = 0; i < 5000; ++i) {
    const Timestamp deadline = clock.now() + nanoseconds(1);
    std::atomic<bool> started{false};
    Mutex mu;
    CondVar cv;
    auto sleeper = std::async(std::launch::async, [&] {
      MutexLock lock(mu);
      started = true;
      while (clock.now() < deadline) clock.wait_until(cv, lock, deadline);
    });
    while (!started) std::this_thread::yield();
    if (i % 2 == 1) {
      // Land right after the sleeper registered, before it blocks: the clock's mutex is
      // free again but the sleeper still holds its own.
      while (!clock.earliest_deadline()) {
      }
    }
    clock.advance(nanoseconds(1));
    if (sleeper.wait_for(seconds(10)) != std::future_status::ready) {
      clock.advance(nanoseconds(1));  // wake it (a lost wake-up), so the test can end
      FAIL() << "sleeper " << i << " missed the advance";
    }
  }
}

// Sleepers sharing one cv and mutex (a thread pool's shape), woken by concurrent advances
// while others keep registering: every one wakes, nothing deadlocks.
TEST(ManualClockTest, ManySleepersOnOneMutexAndConcurrentAdvances) {
  ManualClock clock(kStart);
  Mutex mu;
  CondVar cv;
  const Timestamp deadline = kStart + seconds(100);
  std::vector<std::future<void>> sleepers;
  for (int i = 0; i < 8; ++i) {
    sleepers.push_back(std::async(std::launch::async, [&] {
      MutexLock lock(mu);
      while (clock.now() < deadline) clock.wait_until(cv, lock, deadline);
    }));
  }
  std::vector<std::future<void>> movers;
  for (int i = 0; i < 4; ++i) {
    movers.push_back(std::async(std::launch::async, [&] {
      for (int j = 0; j < 25; ++j) clock.advance(seconds(1));
    }));
  }
  for (auto& m : movers) ASSERT_EQ(m.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_EQ(clock.now(), deadline);
  for (auto& s : sleepers) ASSERT_EQ(s.wait_for(seconds(10)), std::future_status::ready);
}

TEST(SystemClockTest, SleepsUntilTheDeadline) {
  SystemClock clock;
  Mutex mu;
  CondVar cv;
  MutexLock lock(mu);
  const Timestamp deadline = clock.now() + std::chrono::milliseconds(20);
  while (clock.now() < deadline) clock.wait_until(cv, lock, deadline);
  EXPECT_GE(clock.now(), deadline);
  EXPECT_TRUE(held_by_another_thread(mu));  // still held by `lock`
  clock.wait_until(cv, lock, deadline);     // passed: at once
}

TEST(SystemClockTest, FarDeadlineStillReturnsOnNotify) {
  SystemClock clock;
  Mutex mu;
  CondVar cv;
  bool ready = false;
  std::atomic<bool> waiting{false};
  auto waiter = std::async(std::launch::async, [&] {
    MutexLock lock(mu);
    waiting = true;
    while (!ready) clock.wait_until(cv, lock, Timestamp::max());  // no overflow
  });
  while (!waiting) std::this_thread::yield();
  {
    MutexLock lock(mu);
    ready = true;
  }
  cv.notify_one();
  EXPECT_EQ(waiter.wait_for(seconds(10)), std::future_status::ready);
}

}  // namespace
}  // namespace shoal
