#include "scale/census.h"

#include <gtest/gtest.h>

#include "store/datastore/memory.h"
#include "store/store.h"

namespace shoal::scale {
namespace {

using namespace std::chrono_literals;
using api::TaskState;

class CensusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ =
        std::move(store::Store::open(std::make_unique<store::MemoryDatastore>(), clock_)).value();
  }
  void TearDown() override {
    if (loop_) loop_->stop();
  }
  void start() {
    loop_ = std::make_unique<manager::ReconcileLoop>(*store_, *clock_, census_);
    loop_->start();
  }
  void put(const std::string& id, TaskState state, bool create) {
    Status s = store_->update([&](store::WriteTxn& tx) {
      api::Task t;
      if (!create) t = *tx.get<api::Task>(id);
      t.ID = id;
      t.Status.State = state;
      return create ? tx.create(t) : tx.update(t);
    });
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }
  void remove(const std::string& id) {
    ASSERT_TRUE(
        store_->update([&](store::WriteTxn& tx) { return tx.remove<api::Task>(id); }).is_ok());
  }
  Census wait_for(const std::function<bool(const Census&)>& pred) {
    auto [census, held] = census_.wait(pred, 10s);
    EXPECT_TRUE(held);
    return census;
  }

  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(Timestamp::from_unix_nanos(1'700'000'000'000'000'000));
  std::unique_ptr<store::Store> store_;
  TaskCensus census_;
  std::unique_ptr<manager::ReconcileLoop> loop_;
};

TEST_F(CensusTest, CountsTheSnapshotThenFollowsEvents) {
  put("a", TaskState::kRunning, true);
  put("b", TaskState::kPending, true);
  start();
  Census c = wait_for([](const Census& c) { return c.total == 2; });
  EXPECT_EQ(c.in(TaskState::kRunning), 1u);
  EXPECT_EQ(c.in(TaskState::kPending), 1u);
  EXPECT_EQ(c.created, 2u);
  EXPECT_EQ(c.ever_assigned, 1u);

  put("b", TaskState::kAssigned, false);
  put("c", TaskState::kNew, true);
  c = wait_for([](const Census& c) { return c.created == 3 && c.ever_assigned == 2; });
  EXPECT_EQ(c.between(TaskState::kNew, TaskState::kPending), 1u);
  EXPECT_EQ(c.between(TaskState::kAssigned, TaskState::kStarting), 1u);

  put("b", TaskState::kRunning, false);
  remove("a");
  c = wait_for([](const Census& c) { return c.total == 2 && c.in(TaskState::kRunning) == 1; });
  EXPECT_EQ(c.ever_assigned, 2u);  // b counted once
  EXPECT_EQ(c.created, 3u);        // deletions do not lower it
  remove("b");
  remove("c");
  c = wait_for([](const Census& c) { return c.total == 0; });
  for (uint64_t n : c.by_state) EXPECT_EQ(n, 0u);
}

TEST_F(CensusTest, WaitReportsATimeout) {
  start();
  auto [census, held] = census_.wait([](const Census& c) { return c.total > 0; }, 20ms);
  EXPECT_FALSE(held);
  EXPECT_EQ(census.total, 0u);
}

}  // namespace
}  // namespace shoal::scale
