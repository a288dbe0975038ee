#include "http/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>

#include "support/eventually.h"

namespace shoal::http {
namespace {

using namespace std::chrono_literals;

TEST(WorkerPoolTest, BlockedTasksDoNotStarveNewOnes) {
  WorkerPool pool({.max_threads = 64, .idle_timeout = 30s, .name = "t"});
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  constexpr int kBlocked = 20;  // more than any fixed pool a machine like this would have
  std::latch blocked(kBlocked);
  for (int i = 0; i < kBlocked; ++i) {
    ASSERT_TRUE(pool.submit([&, released] {
      blocked.count_down();
      released.wait();
    }));
  }
  blocked.wait();  // all 20 run at once
  std::promise<int> done;
  ASSERT_TRUE(pool.submit([&] { done.set_value(7); }));
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(f.get(), 7);
  release.set_value();
  pool.stop();
  EXPECT_EQ(pool.threads(), 0u);
}

TEST(WorkerPoolTest, QueuesPastMaxThreadsAndRunsEverything) {
  WorkerPool pool({.max_threads = 2, .idle_timeout = 30s, .name = "t"});
  std::atomic<int> ran{0};
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(pool.submit([&] { ran++; }));
  EXPECT_LE(pool.threads(), 2u);
  pool.stop();  // runs what is queued, then joins
  EXPECT_EQ(ran.load(), 100);
}

TEST(WorkerPoolTest, IdleThreadsExitAndRejectsAfterStop) {
  WorkerPool pool({.max_threads = 8, .idle_timeout = 20ms, .name = "t"});
  std::atomic<int> ran{0};
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(pool.submit([&] { ran++; }));
  EXPECT_TRUE(::shoal::testing::eventually([&] { return pool.threads() == 0; }));
  ASSERT_TRUE(pool.submit([&] { ran++; }));  // a new thread again; retired ones are joined
  pool.stop();
  pool.stop();
  EXPECT_EQ(ran.load(), 5);
  EXPECT_FALSE(pool.submit([&] { ran++; }));
}

}  // namespace
}  // namespace shoal::http
