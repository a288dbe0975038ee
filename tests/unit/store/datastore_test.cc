// The Datastore contract (tests/unit/support/datastore_contract.h) run against the SQLite and
// memory datastores, and the SQLite datastore's log and snapshot files.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "store/datastore/memory.h"
#include "store/datastore/sqlite.h"
#include "support/datastore_contract.h"
#include "temp_dir.h"

namespace shoal::store {
namespace {

using contract::Backend;
using contract::DatastoreContract;
using contract::del;
using contract::load_all;
using contract::Loaded;
using contract::put;
using contract::Records;

class SqliteStorage final : public contract::Storage {
 public:
  std::unique_ptr<Datastore> open() override {
    auto r = SqliteDatastore::open(dir_.path());
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? std::move(r).value() : nullptr;
  }

 private:
  testing::TempDir dir_;
};

class MemoryStorage final : public contract::Storage {
 public:
  std::unique_ptr<Datastore> open() override { return std::make_unique<MemoryDatastore>(disk_); }
  bool loads_snapshots() const override { return false; }  // kept aside only

 private:
  std::shared_ptr<MemoryDatastore::Disk> disk_ = std::make_shared<MemoryDatastore::Disk>();
};

INSTANTIATE_TEST_SUITE_P(
    Both, DatastoreContract,
    ::testing::Values(Backend{"sqlite", [] { return std::make_unique<SqliteStorage>(); }},
                      Backend{"memory", [] { return std::make_unique<MemoryStorage>(); }}),
    contract::name_of);

std::vector<std::string> files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name != "LOCK") out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SqliteDatastoreTest, SecondOpenOfSameDirConflicts) {
  testing::TempDir dir;
  auto first = SqliteDatastore::open(dir.path());
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  auto second = SqliteDatastore::open(dir.path());
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().code(), Code::kConflict) << second.status().to_string();
}

TEST(SqliteDatastoreTest, WantsSnapshotWhenTheLogOutgrowsIt) {
  testing::TempDir dir;
  SqliteDatastore::Options options;
  options.min_snapshot_log_bytes = 1000;
  auto ds = std::move(SqliteDatastore::open(dir.path(), options)).value();
  load_all(*ds);
  uint64_t rev = 0;
  while (!ds->wants_snapshot()) {
    ASSERT_TRUE(ds->commit(CommitBatch{++rev, {put("t", "k", std::string(100, 'x'))}}).is_ok());
    ASSERT_LT(rev, 100u);
  }
  EXPECT_GE(rev, 9u);
  ASSERT_TRUE(ds->begin_snapshot(rev).is_ok());
  EXPECT_FALSE(ds->wants_snapshot()) << "one at a time";
  EXPECT_EQ(ds->begin_snapshot(rev).code(), Code::kFailedPrecondition);
  ASSERT_TRUE(ds->write_snapshot(rev, [](const RecordSink& sink) {
                  return sink("t", "k", std::string(100, 'x'));
                }).is_ok());
  EXPECT_FALSE(ds->wants_snapshot());
  // Only the new segment and the snapshot remain.
  auto names = files(dir.path());
  EXPECT_EQ(std::count_if(
                names.begin(), names.end(),
                [](const std::string& n) { return n.starts_with("snap-") && n.ends_with(".db"); }),
            1);
  EXPECT_EQ(std::count_if(
                names.begin(), names.end(),
                [](const std::string& n) { return n.starts_with("log-") && n.ends_with(".db"); }),
            1);
}

TEST(SqliteDatastoreTest, FailedOrUnfinishedSnapshotKeepsTheLog) {
  testing::TempDir dir;
  {
    auto ds = std::move(SqliteDatastore::open(dir.path())).value();
    load_all(*ds);
    ASSERT_TRUE(ds->commit(CommitBatch{1, {put("t", "a", "1")}}).is_ok());
    ASSERT_TRUE(ds->begin_snapshot(1).is_ok());
    ASSERT_TRUE(ds->commit(CommitBatch{2, {put("t", "b", "2")}}).is_ok());
    Status s = ds->write_snapshot(1, [](const RecordSink& sink) {
      SHOAL_RETURN_IF_ERROR(sink("t", "a", "1"));
      return error(Code::kInternal, "out of memory");
    });
    EXPECT_EQ(s.message(), "out of memory");
    ASSERT_TRUE(ds->commit(CommitBatch{3, {put("t", "c", "3")}}).is_ok());
  }
  // A leftover temporary snapshot (a crash while writing one) is ignored and removed.
  { std::ofstream(dir.path() + "/snap-00000000000000000003.db.tmp") << "garbage"; }
  auto ds = std::move(SqliteDatastore::open(dir.path())).value();
  Loaded loaded = load_all(*ds);
  EXPECT_EQ(loaded.revision, 3u);
  EXPECT_EQ(loaded.records, (Records{{{"t", "a"}, "1"}, {{"t", "b"}, "2"}, {{"t", "c"}, "3"}}));
  auto names = files(dir.path());
  EXPECT_EQ(std::count_if(names.begin(), names.end(),
                          [](const std::string& n) { return n.ends_with(".tmp"); }),
            0);
}

TEST(MemoryDatastoreTest, InjectedFailureIsCleanAndOnce) {
  auto disk = std::make_shared<MemoryDatastore::Disk>();
  MemoryDatastore ds(disk);
  load_all(ds);
  ds.fail_commit(error(Code::kUnavailable, "disk full"), 1);
  EXPECT_TRUE(ds.commit(CommitBatch{1, {put("t", "a", "1")}}).is_ok());
  EXPECT_EQ(ds.commit(CommitBatch{2, {put("t", "b", "2")}}).code(), Code::kUnavailable);
  EXPECT_TRUE(ds.commit(CommitBatch{2, {put("t", "c", "3")}}).is_ok());
  EXPECT_EQ(ds.commits(), 2);
  MemoryDatastore again(disk);
  EXPECT_EQ(load_all(again).records, (Records{{{"t", "a"}, "1"}, {{"t", "c"}, "3"}}));
}

}  // namespace
}  // namespace shoal::store
