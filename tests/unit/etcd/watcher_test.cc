// Watcher against a real etcd member: each store commit arrives as one revision, in order,
// across a member restart, and a start point that was compacted away ends the watch.
#include "etcd/watcher.h"

#include <gtest/gtest.h>

#include "etcd/datastore.h"
#include "etcd_member.h"
#include "support/datastore_contract.h"
#include "support/eventually.h"

namespace shoal::etcd {
namespace {

using namespace std::chrono_literals;
using store::CommitBatch;
using store::contract::del;
using store::contract::put;
using testing::TestMember;

// What a watcher delivered, for the test thread to look at.
class Seen {
 public:
  void add(WatchedRevision r) {
    MutexLock lock(mu_);
    revisions_.push_back(std::move(r));
  }
  void end(Status s) {
    MutexLock lock(mu_);
    end_ = std::move(s);
  }
  std::vector<WatchedRevision> revisions() const {
    MutexLock lock(mu_);
    return revisions_;
  }
  std::optional<Status> ended() const {
    MutexLock lock(mu_);
    return end_;
  }
  // The record keys each revision put or deleted ("+key" / "-key"), revision keys left out.
  std::vector<std::vector<std::string>> record_changes() const {
    std::vector<std::vector<std::string>> out;
    for (const auto& r : revisions()) {
      std::vector<std::string> keys;
      for (const auto& c : r.changes) {
        if (!c.key.starts_with("/shoal/r/")) continue;
        keys.push_back((c.op == WatchedChange::Op::kPut ? "+" : "-") + c.key.substr(9));
      }
      out.push_back(keys);
    }
    return out;
  }

 private:
  mutable Mutex mu_;
  std::vector<WatchedRevision> revisions_ GUARDED_BY(mu_);
  std::optional<Status> end_ GUARDED_BY(mu_);
};

class WatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ds_->load([](const store::Record&) { return Status::ok(); }).is_ok());
  }
  // Watches /shoal/ from `after` (default: etcd's revision now), into seen_.
  void watch(std::optional<int64_t> after = std::nullopt) {
    if (!after) {
      auto now = client_->range("/", "", 0, 1);
      ASSERT_TRUE(now.is_ok()) << now.status().to_string();
      after = now->header().revision();
    }
    watcher_ = std::make_unique<Watcher>(
        client_, "/shoal/", *after, [this](WatchedRevision r) { seen_.add(std::move(r)); },
        [this](Status s) { seen_.end(std::move(s)); });
  }

  TestMember member_;
  std::shared_ptr<Client> client_ = member_.client();
  std::unique_ptr<EtcdDatastore> ds_ = std::make_unique<EtcdDatastore>(member_.datastore_options());
  Seen seen_;
  std::unique_ptr<Watcher> watcher_;  // last: stopped before what it calls into goes
};

TEST_F(WatcherTest, EachCommitArrivesAsOneRevisionInOrder) {
  watch();
  ASSERT_TRUE(ds_->commit(CommitBatch{1, {put("t", "a", "1"), put("t", "b", "1")}}).is_ok());
  ASSERT_TRUE(ds_->commit(CommitBatch{2, {del("t", "a")}}).is_ok());
  ASSERT_TRUE(ds_->commit(CommitBatch{3, {put("n", "x", "1")}}).is_ok());
  ASSERT_TRUE(::shoal::testing::eventually([&] { return seen_.revisions().size() >= 3; }, 10s));
  using Keys = std::vector<std::vector<std::string>>;
  EXPECT_EQ(seen_.record_changes(), (Keys{{"+t/a", "+t/b"}, {"-t/a"}, {"+n/x"}}));
  auto revisions = seen_.revisions();
  EXPECT_LT(revisions[0].revision, revisions[1].revision);
  EXPECT_LT(revisions[1].revision, revisions[2].revision);
  EXPECT_EQ(watcher_->delivered(), revisions[2].revision);
}

TEST_F(WatcherTest, AMemberRestartNeitherSkipsNorRepeatsARevision) {
  watch();
  ASSERT_TRUE(ds_->commit(CommitBatch{1, {put("t", "before", "1")}}).is_ok());
  ASSERT_TRUE(::shoal::testing::eventually([&] { return seen_.revisions().size() == 1; }, 10s));

  member_.member().stop();
  member_.start();
  ASSERT_TRUE(ds_->commit(CommitBatch{2, {put("t", "after", "2")}}).is_ok());
  ASSERT_TRUE(::shoal::testing::eventually([&] { return seen_.revisions().size() >= 2; }, 20s));
  using Keys = std::vector<std::vector<std::string>>;
  EXPECT_EQ(seen_.record_changes(), (Keys{{"+t/before"}, {"+t/after"}}));
  EXPECT_FALSE(seen_.ended().has_value());
}

TEST_F(WatcherTest, AStartPointCompactedAwayEndsTheWatchForAReload) {
  EtcdDatastoreOptions o = member_.datastore_options();
  o.compact_every = 2;
  o.keep_revisions = 1;
  ds_ = std::make_unique<EtcdDatastore>(o);
  ASSERT_TRUE(ds_->load([](const store::Record&) { return Status::ok(); }).is_ok());
  for (uint64_t rev = 1; rev <= 10; ++rev) {
    ASSERT_TRUE(ds_->commit(CommitBatch{rev, {put("t", "k", "v")}}).is_ok());
  }
  watch(1);
  ASSERT_TRUE(::shoal::testing::eventually([&] { return seen_.ended().has_value(); }, 10s));
  EXPECT_EQ(seen_.ended()->code(), Code::kOutOfSequence) << seen_.ended()->to_string();
  EXPECT_TRUE(seen_.revisions().empty());
}

}  // namespace
}  // namespace shoal::etcd
