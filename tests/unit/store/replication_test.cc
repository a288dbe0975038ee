// Replication: a follower store that applies a writer's commits, as read back from their
// shared datastore, holds the same objects at the same revision, tells its watchers, and
// reloads when it has lost track.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store_fixture.h"

namespace shoal::store {
namespace {

using testing::dump;
using testing::make_spec;
using testing::make_task;

// A committed batch, owning its bytes.
struct CopiedCommit {
  struct Copied {
    Mutation::Op op;
    std::string table, key, value;
  };
  uint64_t revision = 0;
  std::vector<Copied> mutations;

  // As Store::apply_replicated takes them (views into this commit).
  std::vector<Record> records() const {
    std::vector<Record> out;
    for (const Copied& m : mutations) out.push_back(Record{m.op, m.table, m.key, m.value});
    return out;
  }
};

// A MemoryDatastore that also keeps a copy of every batch it committed: what a follower
// would read back from a shared datastore.
class CopyingDatastore final : public Datastore {
 public:
  CopyingDatastore(std::shared_ptr<MemoryDatastore::Disk> disk,
                   std::shared_ptr<std::vector<CopiedCommit>> commits)
      : inner_(std::move(disk)), commits_(std::move(commits)) {}
  Result<uint64_t> load(const LoadFn& fn) override { return inner_.load(fn); }
  Status commit(const CommitBatch& batch) override {
    SHOAL_RETURN_IF_ERROR(inner_.commit(batch));
    CopiedCommit copy;
    copy.revision = batch.revision;
    for (const Mutation& m : batch.mutations) {
      copy.mutations.push_back(
          {m.op, std::string(m.table), std::string(m.key), std::string(m.value)});
    }
    commits_->push_back(std::move(copy));
    return Status::ok();
  }

 private:
  MemoryDatastore inner_;
  const std::shared_ptr<std::vector<CopiedCommit>> commits_;
};

class ReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    leader_ = open(std::make_unique<CopyingDatastore>(leader_disk_, commits_));
    follower_ = open(std::make_unique<MemoryDatastore>(follower_disk_));
  }

  std::unique_ptr<Store> open(std::unique_ptr<Datastore> datastore) {
    auto opened = Store::open(std::move(datastore), clock_);
    EXPECT_TRUE(opened.is_ok()) << opened.status().to_string();
    return opened.is_ok() ? std::move(opened).value() : nullptr;
  }

  // Applies every leader commit the follower has not seen yet.
  void follow() {
    for (; applied_ < commits_->size(); ++applied_) {
      const CopiedCommit& commit = (*commits_)[applied_];
      Status st = follower_->apply_replicated(commit.revision, commit.records());
      ASSERT_TRUE(st.is_ok()) << st.to_string();
    }
  }

  void write(const std::function<Status(WriteTxn&)>& fn) {
    Status st = leader_->update(fn);
    ASSERT_TRUE(st.is_ok()) << st.to_string();
  }

  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(Timestamp::from_unix_nanos(testing::kStartNanos));
  std::shared_ptr<MemoryDatastore::Disk> leader_disk_ = std::make_shared<MemoryDatastore::Disk>();
  std::shared_ptr<MemoryDatastore::Disk> follower_disk_ = std::make_shared<MemoryDatastore::Disk>();
  std::shared_ptr<std::vector<CopiedCommit>> commits_ =
      std::make_shared<std::vector<CopiedCommit>>();
  size_t applied_ = 0;
  std::unique_ptr<Store> leader_;
  std::unique_ptr<Store> follower_;
};

TEST_F(ReplicationTest, FollowerHoldsTheLeadersObjectsAndRevision) {
  ASSERT_TRUE(testing::populate(*leader_, 300).is_ok());  // past the sorted-apply threshold
  follow();
  EXPECT_EQ(follower_->revision(), leader_->revision());
  EXPECT_EQ(dump(*follower_), dump(*leader_));
  auto view = follower_->view();
  EXPECT_EQ(view.get<api::Task>("t1")->Spec, view.get<api::Task>("t2")->Spec);  // shared spec
  EXPECT_EQ(view.count<api::Task>(by::Service{"s1"}), 299u);                    // indexes too
}

TEST_F(ReplicationTest, FollowerWatchersSeeEachLeaderCommitOnce) {
  Watch watch = follower_->watch();
  write([](WriteTxn& tx) { return tx.create(testing::make_node("n1", "host-1")); });
  write([](WriteTxn& tx) {
    api::Node n1 = *tx.get<api::Node>("n1");
    n1.Spec.Availability = api::NodeAvailability::kDrain;
    return tx.update(n1);
  });
  write([](WriteTxn& tx) { return tx.remove<api::Node>("n1"); });
  follow();
  std::vector<Action> actions;
  std::vector<uint64_t> revisions;
  while (auto changes = watch.try_next()) {
    revisions.push_back(changes->revision);
    for (const Event& event : changes->events) actions.push_back(event.action);
  }
  EXPECT_EQ(revisions, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(actions, (std::vector<Action>{Action::kCreate, Action::kUpdate, Action::kDelete}));
}

TEST_F(ReplicationTest, SpecsNoLongerUsedAreDroppedOnTheFollowerAsOnTheLeader) {
  write([](WriteTxn& tx) { return tx.create(make_task("t1", "s", 1, "", make_spec("a"))); });
  write([](WriteTxn& tx) {
    api::Task t1 = *tx.get<api::Task>("t1");
    t1.Spec = make_spec("b");  // "a" loses its last task: the commit deletes its record
    return tx.update(t1);
  });
  write([](WriteTxn& tx) { return tx.remove<api::Task>("t1"); });
  follow();
  EXPECT_EQ(dump(*follower_), dump(*leader_));
  // Taking over, the follower writes what the leader would have written: its specs agree.
  write([](WriteTxn& tx) { return tx.create(make_task("t2", "s", 1, "", make_spec("a"))); });
  follow();
  EXPECT_EQ(dump(*follower_), dump(*leader_));
}

TEST_F(ReplicationTest, AStaleOrRepeatedCommitIsRefused) {
  write([](WriteTxn& tx) { return tx.create(testing::make_node("n1", "host-1")); });
  follow();
  const CopiedCommit& first = commits_->front();
  EXPECT_EQ(follower_->apply_replicated(first.revision, first.records()).code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(follower_->revision(), 1u);
}

TEST_F(ReplicationTest, ABadCommitChangesNoTable) {
  write([](WriteTxn& tx) { return tx.create(testing::make_node("n1", "host-1")); });
  follow();
  auto before = dump(*follower_);
  std::vector<Record> records = {
      Record{Mutation::Op::kDelete, "nodes", "n1", ""},
      Record{Mutation::Op::kDelete, "nodes", "missing", ""},
  };
  EXPECT_EQ(follower_->apply_replicated(2, records).code(), Code::kInternal);
  records = {Record{Mutation::Op::kPut, "nodes", "n2", "junk"}};
  EXPECT_EQ(follower_->apply_replicated(2, records).code(), Code::kInternal);
  records = {Record{Mutation::Op::kPut, "no_such_table", "x", ""}};
  EXPECT_EQ(follower_->apply_replicated(2, records).code(), Code::kInternal);
  records = {Record{Mutation::Op::kDelete, "nodes", "n1", ""},
             Record{Mutation::Op::kDelete, "nodes", "n1", ""}};
  EXPECT_EQ(follower_->apply_replicated(2, records).code(), Code::kInternal);
  EXPECT_EQ(dump(*follower_), before);
  EXPECT_EQ(follower_->revision(), 1u);
}

TEST_F(ReplicationTest, ReloadTakesTheDatastoresStateAndOverflowsEveryWatch) {
  // A follower over the leader's own disk that saw nothing of its commits.
  auto behind = open(std::make_unique<MemoryDatastore>(leader_disk_));
  Watch watch = behind->watch();
  write([](WriteTxn& tx) { return tx.create(testing::make_node("n1", "host-1")); });
  write([](WriteTxn& tx) { return tx.create(testing::make_service("s1", "web")); });
  EXPECT_EQ(behind->revision(), 0u);
  ASSERT_TRUE(behind->reload().is_ok());
  EXPECT_EQ(behind->revision(), leader_->revision());
  EXPECT_EQ(dump(*behind), dump(*leader_));
  EXPECT_EQ(watch.try_next(), nullptr);
  EXPECT_EQ(watch.state(), WatchState::kOverflowed);
}

TEST_F(ReplicationTest, RefusedWritesFailWithTheGivenReasonUntilAccepted) {
  follower_->refuse_writes(Status(Code::kUnavailable, "not the leader"));
  Status refused =
      follower_->update([](WriteTxn& tx) { return tx.create(testing::make_node("n1", "h")); });
  EXPECT_EQ(refused.code(), Code::kUnavailable);
  EXPECT_EQ(refused.message(), "not the leader");
  EXPECT_EQ(follower_->revision(), 0u);
  // Replicated commits still apply while writes are refused.
  write([](WriteTxn& tx) { return tx.create(testing::make_node("n2", "host-2")); });
  follow();
  EXPECT_EQ(follower_->revision(), 1u);
  follower_->accept_writes();
  EXPECT_TRUE(
      follower_->update([](WriteTxn& tx) { return tx.create(testing::make_node("n3", "h")); })
          .is_ok());
}

}  // namespace
}  // namespace shoal::store
