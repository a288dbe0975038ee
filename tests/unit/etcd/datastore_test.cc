// EtcdDatastore against a real etcd member: the Datastore contract, and what etcd adds —
// a second writer fenced out, paged loads, etcd's limits, compaction, etcd going away.
#include "etcd/datastore.h"

#include <gtest/gtest.h>

#include "etcd_member.h"
#include "support/datastore_contract.h"

namespace shoal::etcd {
namespace {

using store::CommitBatch;
using store::contract::DatastoreContract;
using store::contract::del;
using store::contract::load_all;
using store::contract::put;
using store::contract::Records;
using testing::TestMember;

class EtcdStorage final : public store::contract::Storage {
 public:
  std::unique_ptr<store::Datastore> open() override {
    return std::make_unique<EtcdDatastore>(member_.datastore_options());
  }

 private:
  TestMember member_;
};

INSTANTIATE_TEST_SUITE_P(Etcd, DatastoreContract,
                         ::testing::Values(store::contract::Backend{
                             "etcd", [] { return std::make_unique<EtcdStorage>(); }}),
                         store::contract::name_of);

TEST(EtcdDatastoreTest, AWriterBehindAnotherIsFencedOutUntilItReloads) {
  TestMember member;
  EtcdDatastore a(member.datastore_options());
  EtcdDatastore b(member.datastore_options());
  load_all(a);
  load_all(b);
  ASSERT_TRUE(a.commit(CommitBatch{1, {put("t", "x", "from a")}}).is_ok());
  // b has not seen a's commit: its write must not land, now or later.
  EXPECT_EQ(b.commit(CommitBatch{1, {put("t", "x", "from b")}}).code(), Code::kUnavailable);
  EXPECT_EQ(b.commit(CommitBatch{2, {put("t", "y", "from b")}}).code(), Code::kUnavailable);
  // Reloaded, b sees a's state and writes after it; a is the one behind now.
  store::contract::Loaded seen = load_all(b);
  EXPECT_EQ(seen.records, (Records{{{"t", "x"}, "from a"}}));
  EXPECT_EQ(seen.revision, 1u);
  ASSERT_TRUE(b.commit(CommitBatch{2, {put("t", "y", "from b")}}).is_ok());
  EXPECT_EQ(a.commit(CommitBatch{2, {del("t", "x")}}).code(), Code::kUnavailable);

  EtcdDatastore reader(member.datastore_options());
  EXPECT_EQ(load_all(reader).records, (Records{{{"t", "x"}, "from a"}, {{"t", "y"}, "from b"}}));
}

TEST(EtcdDatastoreTest, ALoadInPagesSeesEveryRecordOnce) {
  TestMember member;
  EtcdDatastore writer(member.datastore_options());
  load_all(writer);
  // Mutations view their bytes: keys and values live here through the commit.
  std::vector<std::string> keys, values;
  for (int i = 0; i < 250; ++i) {
    keys.push_back("task-" + std::to_string(i));
    values.push_back("v" + keys.back());
  }
  CommitBatch batch{7, {}};
  for (size_t i = 0; i < keys.size(); ++i)
    batch.mutations.push_back(put("tasks", keys[i], values[i]));
  ASSERT_TRUE(writer.commit(batch).is_ok());

  EtcdDatastore reader(member.datastore_options(7));
  store::contract::Loaded loaded = load_all(reader);
  EXPECT_EQ(loaded.revision, 7u);
  ASSERT_EQ(loaded.records.size(), keys.size());
  for (const auto& k : keys) EXPECT_EQ((loaded.records[{"tasks", k}]), "v" + k);
}

TEST(EtcdDatastoreTest, ABatchOverTheServersLimitIsRefusedWholeAndNamesTheSetting) {
  TestMember member([](MemberOptions& o) { o.max_txn_ops = 16; });
  EtcdDatastore ds(member.datastore_options());
  load_all(ds);
  CommitBatch big{1, {}};
  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i) keys.push_back(std::to_string(i));
  for (const auto& k : keys) big.mutations.push_back(put("t", k, "v"));
  Status s = ds.commit(big);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("--max-txn-ops"), std::string::npos) << s.to_string();
  // Nothing of it landed, and the datastore still commits.
  ASSERT_TRUE(ds.commit(CommitBatch{1, {put("t", "small", "v")}}).is_ok());
  EtcdDatastore reader(member.datastore_options());
  EXPECT_EQ(load_all(reader).records, (Records{{{"t", "small"}, "v"}}));
}

TEST(EtcdDatastoreTest, HistoryIsCompactedBehindTheWriter) {
  TestMember member;
  EtcdDatastoreOptions o = member.datastore_options();
  o.compact_every = 5;
  o.keep_revisions = 2;
  EtcdDatastore ds(o);
  load_all(ds);
  for (uint64_t rev = 1; rev <= 20; ++rev) {
    ASSERT_TRUE(ds.commit(CommitBatch{rev, {put("t", "k", std::to_string(rev))}}).is_ok());
  }
  Client client(o.client);
  // etcd's first revisions are gone; the latest value is there.
  EXPECT_EQ(client.range("/shoal/r/t/k", "", 2, 1).status().code(), Code::kOutOfSequence);
  auto now = client.range("/shoal/r/t/k", "", 0, 1);
  ASSERT_TRUE(now.is_ok()) << now.status().to_string();
  ASSERT_EQ(now->kvs_size(), 1);
  EXPECT_EQ(now->kvs(0).value(), "20");
}

TEST(EtcdDatastoreTest, ACommitWhileEtcdIsDownFailsAndAcknowledgedWritesSurviveItsRestart) {
  TestMember member;
  EtcdDatastoreOptions o = member.datastore_options();
  o.client.call_timeout = std::chrono::milliseconds(500);
  EtcdDatastore ds(o);
  load_all(ds);
  ASSERT_TRUE(ds.commit(CommitBatch{1, {put("t", "acked", "1")}}).is_ok());
  member.member().kill();
  // No answer, and etcd cannot be read to learn whether the commit landed.
  Status s = ds.commit(CommitBatch{2, {put("t", "lost", "2")}});
  EXPECT_EQ(s.code(), Code::kInternal) << s.to_string();
  // Memory may now be ahead of etcd: the datastore refuses until it is reloaded.
  EXPECT_EQ(ds.commit(CommitBatch{3, {put("t", "later", "3")}}).code(), Code::kUnavailable);
  member.start();
  store::contract::Loaded loaded = load_all(ds);
  EXPECT_EQ(loaded.records, (Records{{{"t", "acked"}, "1"}}));
  EXPECT_EQ(loaded.revision, 1u);
  EXPECT_TRUE(ds.commit(CommitBatch{2, {put("t", "after", "2")}}).is_ok());
}

}  // namespace
}  // namespace shoal::etcd
