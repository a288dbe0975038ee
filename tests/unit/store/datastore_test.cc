// The Datastore contract, run against both implementations, and the SQLite datastore's log
// and snapshot files.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "store/datastore/memory.h"
#include "store/datastore/sqlite.h"
#include "temp_dir.h"

namespace shoal::store {
namespace {

using Records = std::map<std::pair<std::string, std::string>, std::string>;

// Mutations view their arguments: temporaries passed here live to the end of the
// full-expression, i.e. through the commit() call that uses them.
Mutation put(std::string_view table, std::string_view key, std::string_view value) {
  return Mutation{Mutation::Op::kPut, table, key, value};
}
Mutation del(std::string_view table, std::string_view key) {
  return Mutation{Mutation::Op::kDelete, table, key, {}};
}

struct Loaded {
  uint64_t revision = 0;
  Records records;
};

// Replays a datastore into a map.
Loaded load_all(Datastore& ds) {
  Loaded out;
  auto rev = ds.load([&](const Record& r) {
    auto key = std::make_pair(std::string(r.table), std::string(r.key));
    if (r.op == Mutation::Op::kPut) {
      out.records[key] = std::string(r.value);
    } else {
      out.records.erase(key);
    }
    return Status::ok();
  });
  EXPECT_TRUE(rev.is_ok()) << rev.status().to_string();
  if (rev.is_ok()) out.revision = *rev;
  return out;
}

class DatastoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { reopen(); }

  // A fresh instance on the same storage, loaded; returns what it loaded.
  Loaded reopen(SqliteDatastore::Options options = {}) {
    ds_.reset();
    if (GetParam() == "sqlite") {
      auto r = SqliteDatastore::open(dir_.path(), options);
      EXPECT_TRUE(r.is_ok()) << r.status().to_string();
      if (!r.is_ok()) return {};
      ds_ = std::move(r).value();
    } else {
      if (!disk_) disk_ = std::make_shared<MemoryDatastore::Disk>();
      ds_ = std::make_unique<MemoryDatastore>(disk_);
    }
    return load_all(*ds_);
  }

  testing::TempDir dir_;
  std::shared_ptr<MemoryDatastore::Disk> disk_;
  std::unique_ptr<Datastore> ds_;
};

TEST_P(DatastoreTest, EmptyHasRevisionZero) {
  Loaded loaded = reopen();
  EXPECT_EQ(loaded.revision, 0u);
  EXPECT_TRUE(loaded.records.empty());
}

TEST_P(DatastoreTest, PutOverwriteDeleteAndReopen) {
  ASSERT_TRUE(ds_->commit(CommitBatch{1,
                                      {put("tasks", "b", "task-b"), put("tasks", "a", "task-a"),
                                       put("nodes", "a", "node-a")}})
                  .is_ok());
  ASSERT_TRUE(ds_->commit(CommitBatch{5,
                                      {put("tasks", "a", std::string("bin\0ary", 7)),
                                       del("tasks", "b"), del("tasks", "missing")}})
                  .is_ok());
  Records expected = {{{"tasks", "a"}, std::string("bin\0ary", 7)}, {{"nodes", "a"}, "node-a"}};
  for (int round = 0; round < 2; ++round) {
    Loaded loaded = reopen();
    EXPECT_EQ(loaded.records, expected);
    EXPECT_EQ(loaded.revision, 5u);
  }
}

TEST_P(DatastoreTest, FailedBatchWritesNothing) {
  ASSERT_TRUE(ds_->commit(CommitBatch{1, {put("tasks", "a", "1")}}).is_ok());
  // The third mutation is invalid: the first two must not land.
  CommitBatch bad{2, {put("tasks", "b", "2"), del("tasks", "a"), put("tasks", "", "x")}};
  EXPECT_EQ(ds_->commit(bad).code(), Code::kInvalidArgument);
  // The datastore still works after a clean failure.
  EXPECT_TRUE(ds_->commit(CommitBatch{2, {put("tasks", "c", "3")}}).is_ok());
  Loaded loaded = reopen();
  EXPECT_EQ(loaded.records, (Records{{{"tasks", "a"}, "1"}, {{"tasks", "c"}, "3"}}));
  EXPECT_EQ(loaded.revision, 2u);
}

TEST_P(DatastoreTest, RevisionMustIncrease) {
  ASSERT_TRUE(ds_->commit(CommitBatch{3, {}}).is_ok());
  EXPECT_EQ(ds_->commit(CommitBatch{3, {put("tasks", "a", "1")}}).code(),
            Code::kFailedPrecondition);
  Loaded loaded = reopen();
  EXPECT_TRUE(loaded.records.empty());
  EXPECT_EQ(loaded.revision, 3u);
}

TEST_P(DatastoreTest, LoadStopsOnCallbackError) {
  ASSERT_TRUE(ds_->commit(CommitBatch{1, {put("t", "a", "1"), put("t", "b", "2")}}).is_ok());
  ds_.reset();
  std::unique_ptr<Datastore> ds;
  if (GetParam() == "sqlite") {
    ds = std::move(SqliteDatastore::open(dir_.path())).value();
  } else {
    ds = std::make_unique<MemoryDatastore>(disk_);
  }
  int calls = 0;
  auto r = ds->load([&](const Record&) {
    ++calls;
    return error(Code::kInternal, "stop");
  });
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_EQ(calls, 1);
}

TEST_P(DatastoreTest, SnapshotReplacesTheLog) {
  for (uint64_t rev = 1; rev <= 3; ++rev) {
    ASSERT_TRUE(ds_->commit(CommitBatch{rev, {put("t", "k" + std::to_string(rev), "v")}}).is_ok());
  }
  ASSERT_TRUE(ds_->begin_snapshot(3).is_ok());
  // Commits go on while the snapshot is written.
  ASSERT_TRUE(ds_->commit(CommitBatch{4, {del("t", "k1"), put("t", "k4", "v4")}}).is_ok());
  Status s = ds_->write_snapshot(3, [](const RecordSink& sink) {
    for (const char* k : {"k1", "k2", "k3"}) SHOAL_RETURN_IF_ERROR(sink("t", k, "v"));
    return Status::ok();
  });
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  ASSERT_TRUE(ds_->commit(CommitBatch{5, {put("t", "k5", "v5")}}).is_ok());
  if (GetParam() != "sqlite") return;  // the memory datastore keeps snapshots aside only
  Loaded loaded = reopen();
  EXPECT_EQ(loaded.revision, 5u);
  EXPECT_EQ(
      loaded.records,
      (Records{{{"t", "k2"}, "v"}, {{"t", "k3"}, "v"}, {{"t", "k4"}, "v4"}, {{"t", "k5"}, "v5"}}));
}

INSTANTIATE_TEST_SUITE_P(Both, DatastoreTest, ::testing::Values("sqlite", "memory"),
                         [](const auto& info) { return info.param; });

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
