// Watches: one Changes per commit, filters, coalescing, view_and_watch, overflow, close.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store_fixture.h"
#include "support/eventually.h"

namespace shoal::store {
namespace {

using namespace std::chrono_literals;
using ::shoal::testing::eventually;
using testing::make_service;
using testing::make_task;

class WatchTest : public testing::StoreTest {};

TEST_F(WatchTest, DeliversEachCommitWithOldAndNew) {
  Watch w = store_->watch();
  create(make_service("s1", "web"));
  write([](WriteTxn& tx) {
    api::Service s = *tx.get<api::Service>("s1");
    s.Spec.Labels["v"] = "2";
    SHOAL_RETURN_IF_ERROR(tx.update(s));
    return tx.create(make_task("t1", "s1", 1, ""));
  });
  write([](WriteTxn& tx) { return tx.remove<api::Service>("s1"); });

  auto c1 = w.next(1s);
  ASSERT_TRUE(c1);
  EXPECT_EQ(c1->revision, 1u);
  ASSERT_EQ(c1->events.size(), 1u);
  EXPECT_EQ(c1->events[0].kind, Kind::kService);
  EXPECT_EQ(c1->events[0].action, Action::kCreate);
  EXPECT_FALSE(c1->events[0].old_as<api::Service>());
  EXPECT_EQ(c1->events[0].new_as<api::Service>()->Version.Index, 1u);

  auto c2 = w.next(1s);
  ASSERT_TRUE(c2);
  EXPECT_EQ(c2->revision, 2u);
  ASSERT_EQ(c2->events.size(), 2u);
  EXPECT_EQ(c2->events[0].action, Action::kUpdate);
  EXPECT_EQ(c2->events[0].old_as<api::Service>()->Spec.Labels.count("v"), 0u);
  EXPECT_EQ(c2->events[0].new_as<api::Service>()->Spec.Labels.at("v"), "2");
  EXPECT_EQ(c2->events[1].kind, Kind::kTask);
  EXPECT_EQ(c2->events[1].id(), "t1");

  auto c3 = w.next(1s);
  ASSERT_TRUE(c3);
  EXPECT_EQ(c3->events[0].action, Action::kDelete);
  EXPECT_EQ(c3->events[0].id(), "s1");
  EXPECT_FALSE(c3->events[0].new_as<api::Service>());

  EXPECT_EQ(w.next(10ms), nullptr) << "timeout";
  EXPECT_EQ(w.state(), WatchState::kOpen);
}

TEST_F(WatchTest, CoalescesChangesOfOneObjectPerTransaction) {
  create(make_task("t1", "s1", 1, ""));
  Watch w = store_->watch();
  write([](WriteTxn& tx) {
    for (int i = 0; i < 3; ++i) {
      api::Task t = *tx.get<api::Task>("t1");
      t.Slot = 10 + i;
      SHOAL_RETURN_IF_ERROR(tx.update(t));
    }
    SHOAL_RETURN_IF_ERROR(tx.create(make_task("t2", "s1", 2, "")));
    return tx.remove<api::Task>("t2");
  });
  auto c = w.next(1s);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->events.size(), 1u);
  EXPECT_EQ(c->events[0].old_as<api::Task>()->Slot, 1);
  EXPECT_EQ(c->events[0].new_as<api::Task>()->Slot, 12);
}

TEST_F(WatchTest, FiltersByKindActionAndPredicate) {
  Watch tasks = store_->watch(WatchFilter::of({Kind::kTask}));
  Watch deletes = store_->watch(WatchFilter::of({Kind::kTask, Kind::kService}, {Action::kDelete}));
  WatchFilter on_n1 = WatchFilter::of({Kind::kTask});
  on_n1.predicate = [](const Event& e) {
    auto t = e.new_as<api::Task>() ? e.new_as<api::Task>() : e.old_as<api::Task>();
    return t->NodeID == "n1";
  };
  Watch node1 = store_->watch(on_n1);

  create(make_service("s1", "web"));
  write([](WriteTxn& tx) {
    SHOAL_RETURN_IF_ERROR(tx.create(make_task("t1", "s1", 1, "n1")));
    return tx.create(make_task("t2", "s1", 2, "n2"));
  });
  write([](WriteTxn& tx) {
    SHOAL_RETURN_IF_ERROR(tx.remove<api::Task>("t2"));
    return tx.remove<api::Service>("s1");
  });

  auto t1 = tasks.next(1s);
  ASSERT_TRUE(t1);
  EXPECT_EQ(t1->revision, 2u) << "the service-only commit is skipped";
  EXPECT_EQ(t1->events.size(), 2u);
  auto t2 = tasks.next(1s);
  ASSERT_TRUE(t2);
  ASSERT_EQ(t2->events.size(), 1u) << "the service delete is filtered out";
  EXPECT_EQ(t2->events[0].id(), "t2");

  auto d = deletes.next(1s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->revision, 3u);
  EXPECT_EQ(d->events.size(), 2u);
  EXPECT_EQ(deletes.try_next(), nullptr);

  auto n = node1.next(1s);
  ASSERT_TRUE(n);
  ASSERT_EQ(n->events.size(), 1u);
  EXPECT_EQ(n->events[0].id(), "t1");
  EXPECT_EQ(node1.try_next(), nullptr) << "the t2 delete does not match";
}

TEST_F(WatchTest, ViewAndWatchMissesNothingUnderConcurrentWrites) {
  // The writer commits before, during and after view_and_watch: it runs until the watch
  // exists and then 100 commits more.
  std::atomic<bool> watching{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int after = 0; after < 100; after += watching ? 1 : 0) {
      int i = written;
      EXPECT_TRUE(store_
                      ->update([&](WriteTxn& tx) {
                        return tx.create(make_task("t" + std::to_string(i), "s", i, ""));
                      })
                      .is_ok());
      written = i + 1;
    }
  });
  ASSERT_TRUE(eventually([&] { return written >= 100; }));
  size_t seen = 0;
  uint64_t snapshot_revision = 0;
  auto w = store_->view_and_watch([&](const ReadTxn& tx) {
    seen = tx.count<api::Task>();
    snapshot_revision = tx.revision();
    return Status::ok();
  });
  watching = true;
  writer.join();
  ASSERT_TRUE(w.is_ok());
  uint64_t expected_revision = snapshot_revision + 1;
  while (auto c = w->try_next()) {
    EXPECT_EQ(c->revision, expected_revision++) << "no gap, no repeat";
    seen += c->events.size();
  }
  EXPECT_EQ(seen, static_cast<size_t>(written.load()));
  EXPECT_EQ(expected_revision, store_->revision() + 1);
}

TEST_F(WatchTest, SlowConsumerOverflowsInsteadOfBlocking) {
  Watch w = store_->watch({}, WatchOptions{.max_queued = 3});
  for (int i = 0; i < 5; ++i) create(make_task("t" + std::to_string(i), "s", i, ""));
  EXPECT_EQ(store_->revision(), 5u) << "commits were not held up";
  EXPECT_EQ(w.state(), WatchState::kOverflowed);
  EXPECT_EQ(w.try_next(), nullptr) << "the queue is dropped: re-snapshot";
  // A new view_and_watch recovers.
  size_t count = 0;
  auto again = store_->view_and_watch([&](const ReadTxn& tx) {
    count = tx.count<api::Task>();
    return Status::ok();
  });
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(count, 5u);
  EXPECT_EQ(again->state(), WatchState::kOpen);
}

TEST_F(WatchTest, WakeCloseAndStoreClose) {
  // wake() and close() end a next() that is blocked or the next one to come, so the
  // threads below may run before or during next(): both orders must give the same result.
  Watch w = store_->watch();
  std::thread waker([&] { w.wake(); });
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(w.next(10s), nullptr);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(w.state(), WatchState::kOpen);
  waker.join();

  create(make_service("s1", "web"));
  w.close();
  w.close();
  EXPECT_EQ(w.state(), WatchState::kClosed);
  EXPECT_EQ(w.next(1s), nullptr);

  Watch other = store_->watch();
  std::thread closer([&] { store_->close(); });
  EXPECT_EQ(other.next(10s), nullptr);
  EXPECT_EQ(other.state(), WatchState::kClosed);
  closer.join();
  EXPECT_EQ(store_->watch().state(), WatchState::kClosed);
}

TEST_F(WatchTest, ViewAndWatchReturnsTheCallbacksError) {
  auto w = store_->view_and_watch([](const ReadTxn&) { return error(Code::kInternal, "no"); });
  EXPECT_EQ(w.status().message(), "no");
}

TEST_F(WatchTest, WatchOutlivesStore) {
  Watch w = store_->watch();
  store_.reset();
  EXPECT_EQ(w.state(), WatchState::kClosed);
  EXPECT_EQ(w.try_next(), nullptr);
}

}  // namespace
}  // namespace shoal::store
