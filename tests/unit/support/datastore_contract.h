// The Datastore contract (store/datastore/datastore.h) as parameterized tests that every
// implementation runs: a test binary includes this header once and instantiates
// DatastoreContract with the backends it has, e.g.
//
//   INSTANTIATE_TEST_SUITE_P(Etcd, DatastoreContract,
//                            ::testing::Values(Backend{"etcd", &make_etcd_backend}), name_of);
//
// A Backend makes a Storage: the durable place (a directory, a memory "disk", an etcd
// member) that outlives the Datastore objects opened on it, as a disk outlives a process.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "store/datastore/datastore.h"

namespace shoal::store::contract {

using Records = std::map<std::pair<std::string, std::string>, std::string>;

// Mutations view their arguments: temporaries passed here live to the end of the
// full-expression, i.e. through the commit() call that uses them.
inline Mutation put(std::string_view table, std::string_view key, std::string_view value) {
  return Mutation{Mutation::Op::kPut, table, key, value};
}
inline Mutation del(std::string_view table, std::string_view key) {
  return Mutation{Mutation::Op::kDelete, table, key, {}};
}

struct Loaded {
  uint64_t revision = 0;
  Records records;
};

// Replays a datastore into a map.
inline Loaded load_all(Datastore& ds) {
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

class Storage {
 public:
  virtual ~Storage() = default;
  // A new Datastore on this storage, not yet loaded.
  virtual std::unique_ptr<Datastore> open() = 0;
  // Whether a reopened datastore loads from the snapshot written (memory: kept aside only).
  virtual bool loads_snapshots() const { return true; }
};

struct Backend {
  std::string name;
  std::function<std::unique_ptr<Storage>()> make;
};
inline std::string name_of(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

class DatastoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_ = GetParam().make();
    ASSERT_NE(storage_, nullptr);
    reopen();
  }

  // A fresh instance on the same storage, loaded; returns what it loaded.
  Loaded reopen() {
    ds_.reset();
    ds_ = storage_->open();
    if (ds_ == nullptr) {
      ADD_FAILURE() << "cannot open the datastore";
      return {};
    }
    return load_all(*ds_);
  }

  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Datastore> ds_;
};

TEST_P(DatastoreContract, EmptyHasRevisionZero) {
  Loaded loaded = reopen();
  EXPECT_EQ(loaded.revision, 0u);
  EXPECT_TRUE(loaded.records.empty());
}

TEST_P(DatastoreContract, PutOverwriteDeleteAndReopen) {
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

TEST_P(DatastoreContract, LaterMutationOfAKeyInOneBatchWins) {
  ASSERT_TRUE(ds_->commit(CommitBatch{1,
                                      {put("t", "a", "1"), put("t", "a", "2"), put("t", "b", "1"),
                                       del("t", "b")}})
                  .is_ok());
  EXPECT_EQ(reopen().records, (Records{{{"t", "a"}, "2"}}));
}

TEST_P(DatastoreContract, FailedBatchWritesNothing) {
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

TEST_P(DatastoreContract, RevisionMustIncrease) {
  ASSERT_TRUE(ds_->commit(CommitBatch{3, {}}).is_ok());
  EXPECT_EQ(ds_->commit(CommitBatch{3, {put("tasks", "a", "1")}}).code(),
            Code::kFailedPrecondition);
  Loaded loaded = reopen();
  EXPECT_TRUE(loaded.records.empty());
  EXPECT_EQ(loaded.revision, 3u);
}

TEST_P(DatastoreContract, LoadStopsOnCallbackError) {
  ASSERT_TRUE(ds_->commit(CommitBatch{1, {put("t", "a", "1"), put("t", "b", "2")}}).is_ok());
  ds_.reset();
  std::unique_ptr<Datastore> ds = storage_->open();
  int calls = 0;
  auto r = ds->load([&](const Record&) {
    ++calls;
    return error(Code::kInternal, "stop");
  });
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_EQ(calls, 1);
}

TEST_P(DatastoreContract, SnapshotReplacesTheLog) {
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
  if (!storage_->loads_snapshots()) return;
  Loaded loaded = reopen();
  EXPECT_EQ(loaded.revision, 5u);
  EXPECT_EQ(
      loaded.records,
      (Records{{{"t", "k2"}, "v"}, {{"t", "k3"}, "v"}, {{"t", "k4"}, "v4"}, {{"t", "k5"}, "v5"}}));
}

}  // namespace shoal::store::contract
