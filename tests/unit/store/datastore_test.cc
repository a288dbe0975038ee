// The Datastore contract, run against both implementations.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "store/datastore/memory.h"
#include "store/datastore/sqlite.h"
#include "temp_dir.h"

namespace shoal::store {
namespace {

using Records = std::map<std::string, std::string>;

Mutation put(std::string_view table, std::string key, std::string value) {
  return Mutation{Mutation::Op::kPut, table, std::move(key), std::move(value)};
}
Mutation del(std::string_view table, std::string key) {
  return Mutation{Mutation::Op::kDelete, table, std::move(key), {}};
}

Records scan_all(Datastore& ds, std::string_view table) {
  Records out;
  Status s = ds.scan(table, [&](std::string_view k, std::string_view v) {
    out.emplace(k, v);
    return Status::ok();
  });
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return out;
}

class DatastoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { reopen(); }

  void reopen() {
    ds_.reset();
    if (GetParam() == "sqlite") {
      auto r = SqliteDatastore::open(dir_.path());
      ASSERT_TRUE(r.is_ok()) << r.status().to_string();
      ds_ = std::move(r).value();
    } else {
      if (!disk_) disk_ = std::make_shared<MemoryDatastore::Disk>();
      ds_ = std::make_unique<MemoryDatastore>(disk_);
    }
  }

  testing::TempDir dir_;
  std::shared_ptr<MemoryDatastore::Disk> disk_;
  std::unique_ptr<Datastore> ds_;
};

TEST_P(DatastoreTest, EmptyHasRevisionZero) {
  auto rev = ds_->revision();
  ASSERT_TRUE(rev.is_ok());
  EXPECT_EQ(*rev, 0u);
  EXPECT_TRUE(scan_all(*ds_, "tasks").empty());
}

TEST_P(DatastoreTest, PutOverwriteDeleteAndReopen) {
  CommitBatch b1{1, {}};
  b1.mutations.push_back(put("tasks", "b", "task-b"));
  b1.mutations.push_back(put("tasks", "a", "task-a"));
  b1.mutations.push_back(put("nodes", "a", "node-a"));
  ASSERT_TRUE(ds_->commit(b1).is_ok());
  CommitBatch b2{5, {}};
  b2.mutations.push_back(put("tasks", "a", std::string("bin\0ary", 7)));
  b2.mutations.push_back(del("tasks", "b"));
  b2.mutations.push_back(del("tasks", "missing"));
  ASSERT_TRUE(ds_->commit(b2).is_ok());

  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(scan_all(*ds_, "tasks"), (Records{{"a", std::string("bin\0ary", 7)}}));
    EXPECT_EQ(scan_all(*ds_, "nodes"), (Records{{"a", "node-a"}}));
    EXPECT_EQ(*ds_->revision(), 5u);
    reopen();
  }
}

TEST_P(DatastoreTest, FailedBatchWritesNothing) {
  CommitBatch ok{1, {put("tasks", "a", "1")}};
  ASSERT_TRUE(ds_->commit(ok).is_ok());
  // The third mutation is invalid: the first two must not land.
  CommitBatch bad{2, {put("tasks", "b", "2"), del("tasks", "a"), put("tasks", "", "x")}};
  EXPECT_EQ(ds_->commit(bad).code(), Code::kInvalidArgument);
  EXPECT_EQ(scan_all(*ds_, "tasks"), (Records{{"a", "1"}}));
  EXPECT_EQ(*ds_->revision(), 1u);
  reopen();
  EXPECT_EQ(scan_all(*ds_, "tasks"), (Records{{"a", "1"}}));
  // The datastore still works after a clean failure.
  EXPECT_TRUE(ds_->commit(CommitBatch{2, {put("tasks", "b", "2")}}).is_ok());
}

TEST_P(DatastoreTest, RevisionMustIncrease) {
  ASSERT_TRUE(ds_->commit(CommitBatch{3, {}}).is_ok());
  EXPECT_EQ(ds_->commit(CommitBatch{3, {put("tasks", "a", "1")}}).code(),
            Code::kFailedPrecondition);
  EXPECT_TRUE(scan_all(*ds_, "tasks").empty());
}

TEST_P(DatastoreTest, ScanStopsOnCallbackError) {
  ASSERT_TRUE(ds_->commit(CommitBatch{1, {put("t", "a", "1"), put("t", "b", "2")}}).is_ok());
  int calls = 0;
  Status s = ds_->scan("t", [&](std::string_view, std::string_view) {
    ++calls;
    return error(Code::kInternal, "stop");
  });
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(calls, 1);
}

INSTANTIATE_TEST_SUITE_P(Both, DatastoreTest, ::testing::Values("sqlite", "memory"),
                         [](const auto& info) { return info.param; });

TEST(SqliteDatastoreTest, SecondOpenOfSameDirConflicts) {
  testing::TempDir dir;
  auto first = SqliteDatastore::open(dir.path());
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  auto second = SqliteDatastore::open(dir.path());
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().code(), Code::kConflict) << second.status().to_string();
}

TEST(MemoryDatastoreTest, InjectedFailureIsCleanAndOnce) {
  MemoryDatastore ds;
  ds.fail_commit(error(Code::kUnavailable, "disk full"), 1);
  EXPECT_TRUE(ds.commit(CommitBatch{1, {put("t", "a", "1")}}).is_ok());
  EXPECT_EQ(ds.commit(CommitBatch{2, {put("t", "b", "2")}}).code(), Code::kUnavailable);
  EXPECT_EQ(scan_all(ds, "t"), (Records{{"a", "1"}}));
  EXPECT_TRUE(ds.commit(CommitBatch{2, {put("t", "b", "2")}}).is_ok());
  EXPECT_EQ(ds.commits(), 2);
}

}  // namespace
}  // namespace shoal::store
