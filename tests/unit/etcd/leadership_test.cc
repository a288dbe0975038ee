// Leases and elections against a real etcd member: one candidate leads, the next takes over
// when the leader's lease goes, a renewed lease stays, and a deposed leader cannot commit.
#include "etcd/leadership.h"

#include <gtest/gtest.h>

#include <future>

#include "etcd/datastore.h"
#include "etcd_member.h"
#include "support/datastore_contract.h"
#include "support/eventually.h"

namespace shoal::etcd {
namespace {

using namespace std::chrono_literals;
using store::CommitBatch;
using store::contract::put;
using testing::TestMember;

class LeadershipTest : public ::testing::Test {
 protected:
  std::unique_ptr<Lease> lease(std::chrono::seconds ttl = 10s) {
    auto granted = Lease::grant(client_, ttl);
    EXPECT_TRUE(granted.is_ok()) << granted.status().to_string();
    return granted.is_ok() ? std::move(granted).value() : nullptr;
  }

  // A candidate that has won the election "managers" with `value`.
  struct Leader {
    std::unique_ptr<Lease> lease;
    std::unique_ptr<Election> election;
    LeaderKey key;
  };
  Leader lead(const std::string& value) {
    Leader out{lease(), std::make_unique<Election>(client_, "managers"), {}};
    if (!out.lease) return out;
    auto won = out.election->campaign(*out.lease, value);
    EXPECT_TRUE(won.is_ok()) << won.status().to_string();
    if (won.is_ok()) out.key = *won;
    return out;
  }

  TestMember member_;
  std::shared_ptr<Client> client_ = member_.client();
};

TEST_F(LeadershipTest, TheNextCandidateLeadsOnceTheLeadersLeaseIsRevoked) {
  Leader a = lead("node-a");
  ASSERT_GT(a.key.revision, 0);
  EXPECT_EQ(a.election->leader().value(), std::optional<std::string>("node-a"));

  auto lease_b = lease();
  ASSERT_TRUE(lease_b);
  Election b(client_, "managers");
  auto b_wins = std::async(std::launch::async, [&] { return b.campaign(*lease_b, "node-b"); });
  EXPECT_EQ(b.leader().value(), std::optional<std::string>("node-a"));
  a.lease->revoke();
  ASSERT_EQ(b_wins.wait_for(10s), std::future_status::ready);
  auto b_won = b_wins.get();
  ASSERT_TRUE(b_won.is_ok()) << b_won.status().to_string();
  EXPECT_GT(b_won->revision, a.key.revision);
  EXPECT_EQ(a.election->leader().value(), std::optional<std::string>("node-b"));
}

TEST_F(LeadershipTest, AnotherCandidateCanDeposeTheLeaderItSeesWithoutItsLease) {
  Leader a = lead("node-a");
  Election observer(client_, "managers");
  auto current = observer.current();
  ASSERT_TRUE(current.is_ok()) << current.status().to_string();
  ASSERT_TRUE(current->has_value());
  EXPECT_EQ((*current)->value, "node-a");
  EXPECT_EQ((*current)->key.key, a.key.key);
  EXPECT_EQ((*current)->key.revision, a.key.revision);
  EXPECT_EQ((*current)->key.lease, a.lease->id());

  ASSERT_TRUE(observer.depose((*current)->key).is_ok());
  EXPECT_EQ(observer.leader().value(), std::nullopt);
  EXPECT_TRUE(observer.depose((*current)->key).is_ok()) << "deposing twice is no error";
}

TEST_F(LeadershipTest, AResignedLeaderLeavesNoLeader) {
  Leader a = lead("node-a");
  ASSERT_GT(a.key.revision, 0);
  ASSERT_TRUE(a.election->resign(a.key).is_ok());
  EXPECT_EQ(a.election->leader().value(), std::nullopt);
}

TEST_F(LeadershipTest, CancelEndsABlockedCampaign) {
  Leader a = lead("node-a");
  ASSERT_GT(a.key.revision, 0);
  auto lease_b = lease();
  ASSERT_TRUE(lease_b);
  Election b(client_, "managers");
  auto b_wins = std::async(std::launch::async, [&] { return b.campaign(*lease_b, "node-b"); });
  b.cancel();
  ASSERT_EQ(b_wins.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(b_wins.get().status().code(), Code::kUnavailable);
  EXPECT_EQ(a.election->leader().value(), std::optional<std::string>("node-a"));
}

TEST_F(LeadershipTest, AKeptLeaseIsRenewedBeforeItsTtlRunsOut) {
  auto lease = this->lease(3s);
  ASSERT_TRUE(lease);
  // etcd counts the TTL down; a renewal (every second) sets it back to 3 s. Seeing it come
  // back up after having gone down is the renewal, whatever the timing.
  std::chrono::seconds lowest = 3s;
  EXPECT_TRUE(::shoal::testing::eventually(
      [&] {
        auto left = lease->remaining();
        if (!left.is_ok()) return false;
        lowest = std::min(lowest, *left);
        return *left > lowest;
      },
      15s));
  EXPECT_TRUE(lease->alive());
  lease->revoke();
  EXPECT_FALSE(lease->alive());
  EXPECT_EQ(lease->remaining().status().code(), Code::kNotFound);
}

TEST_F(LeadershipTest, ADeposedLeaderCannotCommitEvenBeforeAnotherWrites) {
  Leader a = lead("node-a");
  ASSERT_GT(a.key.revision, 0);

  EtcdDatastoreOptions options = member_.datastore_options();
  EtcdDatastore ds(options);
  ASSERT_TRUE(ds.load([](const store::Record&) { return Status::ok(); }).is_ok());
  ds.fence_on(a.key);
  ASSERT_TRUE(ds.commit(CommitBatch{1, {put("t", "a", "while leading")}}).is_ok());

  a.lease->revoke();  // as an expired lease: the election key is gone
  Status s = ds.commit(CommitBatch{2, {put("t", "b", "after")}});
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("no longer the leader"), std::string::npos) << s.to_string();
  EtcdDatastore reader(options);
  size_t records = 0;
  auto rev = reader.load([&](const store::Record&) {
    ++records;
    return Status::ok();
  });
  ASSERT_TRUE(rev.is_ok());
  EXPECT_EQ(*rev, 1u);
  EXPECT_EQ(records, 1u);
}

}  // namespace
}  // namespace shoal::etcd
