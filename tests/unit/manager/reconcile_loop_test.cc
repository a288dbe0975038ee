#include "manager/reconcile_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "store/datastore/memory.h"

namespace shoal::manager {
namespace {

using namespace std::chrono_literals;

// Records what the loop hands it; tick() returns a follow-up time when told to.
class RecordingReconciler : public Reconciler {
 public:
  std::string name() const override { return "recorder"; }
  store::WatchFilter filter() const override {
    return store::WatchFilter::of({store::Kind::kSecret});
  }
  void on_snapshot(const store::ReadTxn& snapshot) override {
    std::lock_guard lock(mu);
    snapshots++;
    seen_at_snapshot = snapshot.count<api::Secret>();
  }
  void on_event(const store::Event& event) override {
    std::lock_guard lock(mu);
    events.emplace_back(event.id());
  }
  std::optional<Timestamp> tick(Timestamp now) override {
    std::lock_guard lock(mu);
    ticks++;
    cv.notify_all();
    if (follow_ups_left > 0) {
      follow_ups_left--;
      return now + 10ms;
    }
    return std::nullopt;
  }

  // Waits until pred() holds (under mu), at most 5 s.
  template <typename Pred>
  bool wait_for(Pred pred) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 5s, pred);
  }

  std::mutex mu;
  std::condition_variable cv;
  int snapshots = 0;
  size_t seen_at_snapshot = 0;
  int ticks = 0;
  int follow_ups_left = 0;
  std::vector<std::string> events;
};

class ReconcileLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Store::open(std::make_unique<store::MemoryDatastore>(), clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
  }

  Status add_secret(const std::string& id) {
    return store_->update([&](store::WriteTxn& tx) {
      api::Secret secret;
      secret.ID = id;
      secret.Spec.Name = "s-" + id;
      return tx.create(secret);
    });
  }

  std::shared_ptr<SystemClock> clock_ = std::make_shared<SystemClock>();
  std::unique_ptr<store::Store> store_;
};

TEST_F(ReconcileLoopTest, SnapshotThenFirstTickThenEvents) {
  ASSERT_TRUE(add_secret("a").is_ok());
  RecordingReconciler r;
  ReconcileLoop loop(*store_, *clock_, r);
  loop.start();
  ASSERT_TRUE(r.wait_for([&] { return r.ticks >= 1; }));
  {
    std::lock_guard lock(r.mu);
    EXPECT_EQ(r.snapshots, 1);
    EXPECT_EQ(r.seen_at_snapshot, 1u);
  }
  ASSERT_TRUE(add_secret("b").is_ok());
  ASSERT_TRUE(r.wait_for([&] { return r.ticks >= 2 && !r.events.empty(); }));
  {
    std::lock_guard lock(r.mu);
    EXPECT_EQ(r.events, std::vector<std::string>{"b"});
  }
  loop.stop();
  loop.stop();  // safe twice
}

TEST_F(ReconcileLoopTest, FollowUpTimeTriggersATickWithoutEvents) {
  RecordingReconciler r;
  r.follow_ups_left = 3;
  ReconcileLoop loop(*store_, *clock_, r);
  loop.start();
  ASSERT_TRUE(r.wait_for([&] { return r.ticks >= 4; }));
  loop.stop();
  std::lock_guard lock(r.mu);
  EXPECT_TRUE(r.events.empty());
}

TEST_F(ReconcileLoopTest, StopWithoutStartAndAfterStoreClose) {
  RecordingReconciler r;
  {
    ReconcileLoop idle(*store_, *clock_, r);
    idle.stop();
  }
  ReconcileLoop loop(*store_, *clock_, r);
  loop.start();
  ASSERT_TRUE(r.wait_for([&] { return r.ticks >= 1; }));
  store_->close();
  loop.stop();
}

// A reconciler that asks for a debounce far longer than the test.
class SlowBatcher : public RecordingReconciler {
 public:
  LoopOptions loop_options() const override { return LoopOptions{std::chrono::hours(1)}; }
};

TEST_F(ReconcileLoopTest, UsesTheReconcilersOptionsAndStopEndsTheDebounce) {
  SlowBatcher r;
  ReconcileLoop loop(*store_, *clock_, r);  // the reconciler's options: one hour
  loop.start();
  ASSERT_TRUE(r.wait_for([&] { return r.ticks >= 1; }));
  ASSERT_TRUE(add_secret("b").is_ok());
  // The event is taken at once; its tick waits for the window, which stop() ends.
  ASSERT_TRUE(r.wait_for([&] { return !r.events.empty(); }));
  {
    std::lock_guard lock(r.mu);
    EXPECT_EQ(r.ticks, 1);
  }
  loop.stop();
}

TEST_F(ReconcileLoopTest, OptionsGivenToTheLoopWin) {
  SlowBatcher r;
  ReconcileLoop loop(*store_, *clock_, r, LoopOptions{});  // no debounce
  loop.start();
  ASSERT_TRUE(r.wait_for([&] { return r.ticks >= 1; }));
  ASSERT_TRUE(add_secret("b").is_ok());
  ASSERT_TRUE(r.wait_for([&] { return r.ticks >= 2; }));
  loop.stop();
}

}  // namespace
}  // namespace shoal::manager
