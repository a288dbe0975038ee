// Follower against a real etcd member: a second store kept level with a writer's commits,
// its watchers told of each, its own commits fenced on what it has seen once it writes,
// and a reload when etcd has compacted the history it needed.
#include "etcd/follower.h"

#include <gtest/gtest.h>

#include "etcd_member.h"
#include "store/data_keys.h"
#include "store/datastore/sealed.h"
#include "store/fixtures.h"
#include "store/store_fixture.h"

namespace shoal::etcd {
namespace {

using store::Store;
using store::WriteTxn;
using store::testing::dump;
using testing::TestMember;

class FollowerTest : public ::testing::Test {
 protected:
  // A store on its own EtcdDatastore over the member; *datastore is its datastore.
  std::unique_ptr<Store> open(EtcdDatastore** datastore, EtcdDatastoreOptions options = {}) {
    if (options.client.endpoints.empty()) options = member_.datastore_options(100);
    auto owned = std::make_unique<EtcdDatastore>(options);
    *datastore = owned.get();
    auto opened = Store::open(std::move(owned), clock_);
    EXPECT_TRUE(opened.is_ok()) << opened.status().to_string();
    return opened.is_ok() ? std::move(opened).value() : nullptr;
  }

  static void write(Store& store, const std::function<Status(WriteTxn&)>& fn) {
    Status st = store.update(fn);
    ASSERT_TRUE(st.is_ok()) << st.to_string();
  }

  TestMember member_;
  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(Timestamp::from_unix_nanos(store::testing::kStartNanos));
};

TEST_F(FollowerTest, FollowersStoreHoldsTheLeadersObjectsAfterCatchingUp) {
  EtcdDatastore* leader_ds = nullptr;
  EtcdDatastore* follower_ds = nullptr;
  auto leader = open(&leader_ds);
  write(*leader, [](WriteTxn& tx) { return tx.create(store::testing::make_cluster("c1")); });
  auto follower_store = open(&follower_ds);  // loads the cluster; follows what comes after
  Follower follower(*follower_store, *follower_ds, member_.client(), "/shoal/");
  follower.start();
  store::Watch watch = follower_store->watch();

  auto spec = store::testing::make_spec("nginx");
  write(*leader, [&](WriteTxn& tx) {
    SHOAL_RETURN_IF_ERROR(tx.create(store::testing::make_service("s1", "web")));
    for (int i = 0; i < 50; ++i) {
      SHOAL_RETURN_IF_ERROR(
          tx.create(store::testing::make_task("t" + std::to_string(i), "s1", i + 1, "", spec)));
    }
    return Status::ok();
  });
  write(*leader, [](WriteTxn& tx) { return tx.remove<api::Task>("t7"); });
  ASSERT_TRUE(follower.catch_up(std::chrono::seconds(10)).is_ok());
  EXPECT_EQ(follower_store->revision(), leader->revision());
  EXPECT_EQ(dump(*follower_store), dump(*leader));
  std::vector<uint64_t> revisions;
  while (auto changes = watch.try_next()) revisions.push_back(changes->revision);
  EXPECT_EQ(revisions, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(follower.reloads(), 0);
}

TEST_F(FollowerTest, AFollowerThatTakesOverWritesAfterWhatItSawAndFencesTheOldLeaderOut) {
  EtcdDatastore* leader_ds = nullptr;
  EtcdDatastore* follower_ds = nullptr;
  auto leader = open(&leader_ds);
  auto follower_store = open(&follower_ds);
  Follower follower(*follower_store, *follower_ds, member_.client(), "/shoal/");
  follower.start();
  write(*leader, [](WriteTxn& tx) { return tx.create(store::testing::make_node("n1", "h1")); });
  write(*leader, [](WriteTxn& tx) { return tx.create(store::testing::make_node("n2", "h2")); });
  ASSERT_TRUE(follower.catch_up(std::chrono::seconds(10)).is_ok());
  follower.stop();

  write(*follower_store, [](WriteTxn& tx) { return tx.remove<api::Node>("n1"); });
  EXPECT_EQ(follower_store->revision(), 3u);
  // The old leader has not seen that commit: it may not write.
  Status stale =
      leader->update([](WriteTxn& tx) { return tx.create(store::testing::make_node("n3", "h3")); });
  EXPECT_EQ(stale.code(), Code::kUnavailable) << stale.to_string();

  EtcdDatastore* reader_ds = nullptr;
  auto reader = open(&reader_ds);
  EXPECT_EQ(dump(*reader), dump(*follower_store));
}

TEST_F(FollowerTest, AFollowerWhoseHistoryWasCompactedReloadsAndCatchesUp) {
  EtcdDatastoreOptions compacting = member_.datastore_options(100);
  compacting.compact_every = 5;
  compacting.keep_revisions = 1;
  EtcdDatastore* leader_ds = nullptr;
  EtcdDatastore* follower_ds = nullptr;
  auto leader = open(&leader_ds, compacting);
  auto follower_store = open(&follower_ds);  // loaded at the start, not following yet
  store::Watch watch = follower_store->watch();
  for (int i = 0; i < 20; ++i) {
    write(*leader, [&](WriteTxn& tx) {
      return tx.create(store::testing::make_node("n" + std::to_string(i), "h"));
    });
  }
  Follower follower(*follower_store, *follower_ds, member_.client(), "/shoal/");
  follower.start();  // from a revision etcd no longer has
  ASSERT_TRUE(follower.catch_up(std::chrono::seconds(10)).is_ok());
  EXPECT_EQ(follower.reloads(), 1);
  EXPECT_EQ(dump(*follower_store), dump(*leader));
  EXPECT_EQ(watch.try_next(), nullptr);
  EXPECT_EQ(watch.state(), store::WatchState::kOverflowed);  // its consumer re-snapshots
  // And it follows again from there.
  write(*leader, [](WriteTxn& tx) { return tx.create(store::testing::make_node("last", "h")); });
  ASSERT_TRUE(follower.catch_up(std::chrono::seconds(10)).is_ok());
  EXPECT_NE(follower_store->view().get<api::Node>("last"), nullptr);
}

TEST_F(FollowerTest, ASealedStoresFollowerOpensTheSealedRecords) {
  auto sealed_store = [&](EtcdDatastore** datastore, store::SealedDatastore** sealed) {
    auto etcd = std::make_unique<EtcdDatastore>(member_.datastore_options(100));
    *datastore = etcd.get();
    auto wrapped =
        std::make_unique<store::SealedDatastore>(std::move(etcd), store::testing::key_of(7));
    *sealed = wrapped.get();
    return std::move(Store::open(std::move(wrapped), clock_)).value();
  };
  EtcdDatastore* leader_ds = nullptr;
  EtcdDatastore* follower_ds = nullptr;
  store::SealedDatastore* leader_sealed = nullptr;
  store::SealedDatastore* follower_sealed = nullptr;
  auto leader = sealed_store(&leader_ds, &leader_sealed);
  auto follower_store = sealed_store(&follower_ds, &follower_sealed);
  Follower follower(
      *follower_store, *follower_ds, member_.client(), "/shoal/",
      [follower_sealed](std::vector<store::Record>* records, std::deque<std::string>* storage) {
        return follower_sealed->open_records(records, storage);
      });
  follower.start();
  write(*leader, [](WriteTxn& tx) { return tx.create(store::testing::make_secret("s1", "pw")); });
  ASSERT_TRUE(follower.catch_up(std::chrono::seconds(10)).is_ok());
  auto secret = follower_store->view().get<api::Secret>("s1");
  ASSERT_NE(secret, nullptr);
  EXPECT_EQ(secret->Spec.Data, store::testing::make_secret("s1", "pw").Spec.Data);
  // What etcd holds is sealed.
  auto raw = member_.client()->range("/shoal/r/secrets/s1", "", 0, 1);
  ASSERT_TRUE(raw.is_ok());
  ASSERT_EQ(raw->kvs_size(), 1);
  EXPECT_EQ(raw->kvs(0).value().find("s3cr"), std::string::npos);
}

TEST_F(FollowerTest, CatchUpOfAStoppedFollowerIsRefused) {
  EtcdDatastore* ds = nullptr;
  auto follower_store = open(&ds);
  Follower follower(*follower_store, *ds, member_.client(), "/shoal/");
  EXPECT_EQ(follower.catch_up(std::chrono::seconds(1)).code(), Code::kUnavailable);
  follower.start();
  follower.stop();
  EXPECT_EQ(follower.catch_up(std::chrono::seconds(1)).code(), Code::kUnavailable);
}

}  // namespace
}  // namespace shoal::etcd
