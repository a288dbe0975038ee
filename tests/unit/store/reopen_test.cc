// Recovery: a reopened store has identical objects and revision; spec records are shared and
// garbage-collected; corrupt datastores are refused.
#include <gtest/gtest.h>

#include <map>

#include "store/datastore/sqlite.h"
#include "store_fixture.h"
#include "temp_dir.h"

namespace shoal::store {
namespace {

using testing::dump;
using testing::make_task;
using testing::populate;

class ReopenTest : public testing::StoreTest {
 protected:
  size_t spec_records() {
    std::lock_guard lock(disk_->mu);
    size_t n = 0;
    for (const auto& [key, value] : disk_->records) n += key.first == kTaskSpecsTable ? 1 : 0;
    return n;
  }
};

TEST_F(ReopenTest, RestoresIdenticalObjectsAndRevision) {
  ASSERT_TRUE(populate(*store_).is_ok());
  auto before = dump(*store_);
  uint64_t revision = store_->revision();
  reopen();
  EXPECT_EQ(store_->revision(), revision);
  EXPECT_EQ(dump(*store_), before);
  // Tasks of one spec share it again after loading.
  auto view = store_->view();
  EXPECT_EQ(view.get<api::Task>("t1")->Spec, view.get<api::Task>("t2")->Spec);
  EXPECT_NE(view.get<api::Task>("t0")->Spec, view.get<api::Task>("t1")->Spec);
}

TEST_F(ReopenTest, SpecRecordsAreStoredOnceAndCollected) {
  ASSERT_TRUE(populate(*store_).is_ok());
  EXPECT_EQ(spec_records(), 2u);  // nginx (t1..t8), nginx:2 (t0)
  write([](WriteTxn& tx) { return tx.remove<api::Task>("t0"); });
  EXPECT_EQ(spec_records(), 1u);
  write([](WriteTxn& tx) {
    for (int i = 1; i < 9; ++i)
      SHOAL_RETURN_IF_ERROR(tx.remove<api::Task>("t" + std::to_string(i)));
    return Status::ok();
  });
  EXPECT_EQ(spec_records(), 0u);
}

TEST_F(ReopenTest, OrphanSpecIsDeletedByTheNextCommit) {
  {
    std::lock_guard lock(disk_->mu);
    disk_->records[{std::string(kTaskSpecsTable), "orphan"}] = std::string("\x01", 1);
  }
  reopen();
  EXPECT_EQ(spec_records(), 1u);
  create(testing::make_node("n1", "h"));
  EXPECT_EQ(spec_records(), 0u);
}

TEST_F(ReopenTest, CorruptDatastoresAreRefused) {
  create(make_task("t1", "s", 1, "", testing::make_spec("x")));
  auto try_open = [&] {
    return Store::open(std::make_unique<MemoryDatastore>(disk_), clock_).status();
  };
  store_.reset();
  std::map<std::pair<std::string, std::string>, std::string> good;
  {
    std::lock_guard lock(disk_->mu);
    good = disk_->records;
    for (auto& [key, value] : disk_->records) {
      if (key.first == kTaskSpecsTable) value = "junk";
    }
  }
  EXPECT_EQ(try_open().code(), Code::kInternal);
  {
    std::lock_guard lock(disk_->mu);
    disk_->records = good;
    for (auto it = disk_->records.begin(); it != disk_->records.end();) {
      it = it->first.first == kTaskSpecsTable ? disk_->records.erase(it) : std::next(it);
    }
  }
  Status missing = try_open();
  EXPECT_EQ(missing.code(), Code::kInternal);
  EXPECT_NE(missing.message().find("is missing"), std::string::npos) << missing.message();
  {
    std::lock_guard lock(disk_->mu);
    disk_->records = good;
    disk_->records[{"tasks", "t2"}] = disk_->records[{"tasks", "t1"}];  // key and ID disagree
  }
  EXPECT_EQ(try_open().code(), Code::kInternal);
}

TEST(SqliteStoreTest, ReopenRestoresIdenticalObjectsAndRevision) {
  testing::TempDir dir;
  auto clock = std::make_shared<ManualClock>(Timestamp::from_unix_nanos(testing::kStartNanos));
  std::map<std::string, std::string> before;
  uint64_t revision = 0;
  {
    auto ds = SqliteDatastore::open(dir.path());
    ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
    auto store = Store::open(std::move(ds).value(), clock);
    ASSERT_TRUE(store.is_ok());
    ASSERT_TRUE(populate(**store).is_ok());
    before = dump(**store);
    revision = (*store)->revision();
  }
  auto ds = SqliteDatastore::open(dir.path());
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  auto store = Store::open(std::move(ds).value(), clock);
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  EXPECT_EQ((*store)->revision(), revision);
  EXPECT_EQ(dump(**store), before);
  EXPECT_EQ(before.size(), 14u);
}

}  // namespace
}  // namespace shoal::store
