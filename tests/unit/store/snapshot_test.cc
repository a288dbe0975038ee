// Background snapshots: what the store produces equals what it committed; failures leave the
// log in use; a SQLite store recovers from snapshot + log.
#include <gtest/gtest.h>

#include "store/datastore/sqlite.h"
#include "store_fixture.h"
#include "temp_dir.h"

namespace shoal::store {
namespace {

using testing::make_task;

class SnapshotTest : public testing::StoreTest {};

TEST_F(SnapshotTest, SnapshotEqualsCommittedState) {
  ds_->snapshot_every(5);
  auto spec = testing::make_spec("nginx");
  for (int i = 0; i < 12; ++i) {
    write([&](WriteTxn& tx) {
      SHOAL_RETURN_IF_ERROR(tx.create(make_task("t" + std::to_string(i), "s", i, "", spec)));
      if (i % 3 == 2) SHOAL_RETURN_IF_ERROR(tx.remove<api::Task>("t" + std::to_string(i - 1)));
      return Status::ok();
    });
    ASSERT_TRUE(store_->wait_for_snapshot().is_ok());
  }
  write([](WriteTxn& tx) { return tx.create(testing::make_service("s", "web")); });  // 13
  write([](WriteTxn& tx) { return tx.create(testing::make_node("n", "host")); });    // 14
  write([](WriteTxn& tx) { return tx.create(testing::make_secret("x", "pw")); });    // 15: snapshot
  ASSERT_TRUE(store_->wait_for_snapshot().is_ok());
  std::lock_guard lock(disk_->mu);
  EXPECT_EQ(disk_->snapshots, 3);
  EXPECT_EQ(disk_->snapshot_revision, 15u);
  EXPECT_EQ(disk_->snapshot, disk_->records);
}

TEST_F(SnapshotTest, FailedSnapshotIsReportedAndHarmless) {
  ds_->snapshot_every(1);
  ds_->fail_snapshot(error(Code::kUnavailable, "disk full"));
  create(make_task("t1", "s", 1, ""));
  EXPECT_EQ(store_->wait_for_snapshot().message(), "disk full");
  create(make_task("t2", "s", 2, ""));
  EXPECT_TRUE(store_->wait_for_snapshot().is_ok());
  reopen();
  EXPECT_EQ(store_->view().count<api::Task>(), 2u);
}

TEST(SqliteSnapshotTest, RecoversFromSnapshotAndLog) {
  testing::TempDir dir;
  auto clock = std::make_shared<ManualClock>(Timestamp::from_unix_nanos(testing::kStartNanos));
  SqliteDatastore::Options options;
  options.min_snapshot_log_bytes = 4096;
  std::string before;
  auto dump = [](const Store& store) {
    std::string out;
    auto view = store.view();
    view.for_each<api::Task>(by::All{}, [&](const std::shared_ptr<const api::Task>& t) {
      out += testing::json_of(*t) + "\n";
    });
    return out + std::to_string(view.revision());
  };
  {
    auto store =
        std::move(Store::open(std::move(SqliteDatastore::open(dir.path(), options)).value(), clock))
            .value();
    auto spec_a = testing::make_spec("a");
    auto spec_b = testing::make_spec("b");
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE(store
                      ->update([&](WriteTxn& tx) {
                        std::string id = "t" + std::to_string(i % 50);
                        if (auto t = tx.get<api::Task>(id)) {
                          if (i % 7 == 0) return tx.remove<api::Task>(id);
                          api::Task next = *t;
                          next.Spec = i % 2 ? spec_a : spec_b;
                          next.Status.Message = "round " + std::to_string(i);
                          return tx.update(next);
                        }
                        return tx.create(make_task(id, "s", i % 50, "", spec_a));
                      })
                      .is_ok());
    }
    ASSERT_TRUE(store->wait_for_snapshot().is_ok());
    before = dump(*store);
  }
  auto store = Store::open(std::move(SqliteDatastore::open(dir.path(), options)).value(), clock);
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  EXPECT_EQ(dump(**store), before);
  size_t snapshots = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    snapshots += e.path().filename().string().starts_with("snap-") ? 1 : 0;
  }
  EXPECT_EQ(snapshots, 1u);
}

}  // namespace
}  // namespace shoal::store
