// Batched writes: few commits for many units, per-unit rollback, commit failures.
#include <gtest/gtest.h>

#include "store_fixture.h"

namespace shoal::store {
namespace {

using testing::make_task;

class BatchTest : public testing::StoreTest {};

TEST_F(BatchTest, ManyUnitsFewCommits) {
  reopen(StoreOptions{.max_changes_per_commit = 1000});
  auto spec = testing::make_spec("nginx");
  Watch w = store_->watch();
  Status s = store_->batch([&](Batch& batch) {
    for (int i = 0; i < 2500; ++i) {
      SHOAL_RETURN_IF_ERROR(batch.update([&](WriteTxn& tx) {
        return tx.create(make_task("t" + std::to_string(i), "s1", i + 1, "", spec));
      }));
    }
    return Status::ok();
  });
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(ds_->commits(), 3);
  EXPECT_EQ(store_->revision(), 3u);
  EXPECT_EQ(store_->view().count<api::Task>(), 2500u);
  EXPECT_EQ(store_->view().get<api::Task>("t999")->Version.Index, 1u);
  EXPECT_EQ(store_->view().get<api::Task>("t1000")->Version.Index, 2u);
  size_t events = 0;
  while (auto c = w.try_next()) events += c->events.size();
  EXPECT_EQ(events, 2500u);
}

TEST_F(BatchTest, FailedUnitIsRolledBackOthersKept) {
  write([](WriteTxn& tx) { return tx.create(make_task("t0", "s1", 1, "")); });
  Status s = store_->batch([&](Batch& batch) {
    EXPECT_TRUE(
        batch.update([](WriteTxn& tx) { return tx.create(make_task("t1", "s1", 2, "")); }).is_ok());
    Status failed = batch.update([](WriteTxn& tx) {
      api::Task t0 = *tx.get<api::Task>("t0");
      t0.NodeID = "n9";
      SHOAL_RETURN_IF_ERROR(tx.update(t0));
      SHOAL_RETURN_IF_ERROR(tx.remove<api::Task>("t1"));
      SHOAL_RETURN_IF_ERROR(tx.create(make_task("t2", "s1", 3, "")));
      return tx.create(make_task("t0", "s1", 1, ""));  // fails: exists
    });
    EXPECT_EQ(failed.code(), Code::kAlreadyExists);
    // Later units see the state before the failed unit.
    return batch.update([](WriteTxn& tx) {
      EXPECT_TRUE(tx.get<api::Task>("t1"));
      EXPECT_FALSE(tx.get<api::Task>("t2"));
      EXPECT_EQ(tx.get<api::Task>("t0")->NodeID, "");
      EXPECT_EQ(tx.count<api::Task>(by::Node{"n9"}), 0u);
      return tx.create(make_task("t3", "s1", 4, ""));
    });
  });
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  auto view = store_->view();
  EXPECT_EQ(view.count<api::Task>(), 3u);
  EXPECT_TRUE(view.get<api::Task>("t1"));
  EXPECT_TRUE(view.get<api::Task>("t3"));
  EXPECT_FALSE(view.get<api::Task>("t2"));
  EXPECT_EQ(view.get<api::Task>("t0")->NodeID, "");
}

TEST_F(BatchTest, CallbackErrorStillCommitsAcceptedUnits) {
  Status s = store_->batch([&](Batch& batch) {
    SHOAL_RETURN_IF_ERROR(
        batch.update([](WriteTxn& tx) { return tx.create(make_task("t1", "s1", 1, "")); }));
    return error(Code::kInternal, "stop here");
  });
  EXPECT_EQ(s.message(), "stop here");
  EXPECT_TRUE(get<api::Task>("t1"));
}

TEST_F(BatchTest, CommitFailureRefusesLaterUnits) {
  reopen(StoreOptions{.max_changes_per_commit = 2});
  ds_->fail_commit(error(Code::kUnavailable, "disk full"), 1);  // the second commit fails
  int refused = 0;
  Status s = store_->batch([&](Batch& batch) {
    for (int i = 0; i < 6; ++i) {
      Status u = batch.update(
          [&](WriteTxn& tx) { return tx.create(make_task("t" + std::to_string(i), "s", i, "")); });
      if (!u.is_ok()) ++refused;
    }
    return Status::ok();
  });
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(refused, 3) << "unit 4 triggers the failing commit; 5 and 6 are refused";
  auto view = store_->view();
  EXPECT_EQ(view.count<api::Task>(), 2u) << "only the first commit landed";
  EXPECT_TRUE(view.get<api::Task>("t1"));
  EXPECT_FALSE(view.get<api::Task>("t2"));
}

}  // namespace
}  // namespace shoal::store
