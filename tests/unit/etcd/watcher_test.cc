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

int64_t etcd_revision(Client& client) {
  auto r = client.range("/", "", 0, 1);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? r->header().revision() : 0;
}

std::unique_ptr<Watcher> watch(std::shared_ptr<Client> client, int64_t after, Seen& seen) {
  return std::make_unique<Watcher>(
      std::move(client), "/shoal/", after, [&](WatchedRevision r) { seen.add(std::move(r)); },
      [&](Status s) { seen.end(std::move(s)); });
}

TEST(WatcherTest, EachCommitArrivesAsOneRevisionInOrder) {
  TestMember member;
  auto client = member.client();
  EtcdDatastore ds(member.datastore_options());
  ASSERT_TRUE(ds.load([](const store::Record&) { return Status::ok(); }).is_ok());
  Seen seen;
  auto watcher = watch(client, etcd_revision(*client), seen);

  ASSERT_TRUE(ds.commit(CommitBatch{1, {put("t", "a", "1"), put("t", "b", "1")}}).is_ok());
  ASSERT_TRUE(ds.commit(CommitBatch{2, {del("t", "a")}}).is_ok());
  ASSERT_TRUE(ds.commit(CommitBatch{3, {put("n", "x", "1")}}).is_ok());
  ASSERT_TRUE(::shoal::testing::eventually([&] { return seen.revisions().size() >= 3; }, 10s));
  using Keys = std::vector<std::vector<std::string>>;
  EXPECT_EQ(seen.record_changes(), (Keys{{"+t/a", "+t/b"}, {"-t/a"}, {"+n/x"}}));
  auto revisions = seen.revisions();
  EXPECT_LT(revisions[0].revision, revisions[1].revision);
  EXPECT_LT(revisions[1].revision, revisions[2].revision);
  EXPECT_EQ(watcher->delivered(), revisions[2].revision);
}

TEST(WatcherTest, AMemberRestartNeitherSkipsNorRepeatsARevision) {
  TestMember member;
  auto client = member.client();
  EtcdDatastore ds(member.datastore_options());
  ASSERT_TRUE(ds.load([](const store::Record&) { return Status::ok(); }).is_ok());
  Seen seen;
  auto watcher = watch(client, etcd_revision(*client), seen);
  ASSERT_TRUE(ds.commit(CommitBatch{1, {put("t", "before", "1")}}).is_ok());
  ASSERT_TRUE(::shoal::testing::eventually([&] { return seen.revisions().size() == 1; }, 10s));

  member.member().stop();
  member.start();
  ASSERT_TRUE(ds.commit(CommitBatch{2, {put("t", "after", "2")}}).is_ok());
  ASSERT_TRUE(::shoal::testing::eventually([&] { return seen.revisions().size() >= 2; }, 20s));
  using Keys = std::vector<std::vector<std::string>>;
  EXPECT_EQ(seen.record_changes(), (Keys{{"+t/before"}, {"+t/after"}}));
  EXPECT_FALSE(seen.ended().has_value());
}

TEST(WatcherTest, AStartPointCompactedAwayEndsTheWatchForAReload) {
  TestMember member;
  auto client = member.client();
  EtcdDatastoreOptions o = member.datastore_options();
  o.compact_every = 2;
  o.keep_revisions = 1;
  EtcdDatastore ds(o);
  ASSERT_TRUE(ds.load([](const store::Record&) { return Status::ok(); }).is_ok());
  for (uint64_t rev = 1; rev <= 10; ++rev) {
    ASSERT_TRUE(ds.commit(CommitBatch{rev, {put("t", "k", "v")}}).is_ok());
  }
  Seen seen;
  auto watcher = watch(client, 1, seen);
  ASSERT_TRUE(::shoal::testing::eventually([&] { return seen.ended().has_value(); }, 10s));
  EXPECT_EQ(seen.ended()->code(), Code::kOutOfSequence) << seen.ended()->to_string();
  EXPECT_TRUE(seen.revisions().empty());
}

}  // namespace
}  // namespace shoal::etcd
