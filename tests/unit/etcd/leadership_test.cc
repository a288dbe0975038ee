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

std::unique_ptr<Lease> lease_of(std::shared_ptr<Client> client, std::chrono::seconds ttl = 10s) {
  auto lease = Lease::grant(std::move(client), ttl);
  EXPECT_TRUE(lease.is_ok()) << lease.status().to_string();
  return lease.is_ok() ? std::move(lease).value() : nullptr;
}

TEST(LeadershipTest, TheNextCandidateLeadsOnceTheLeadersLeaseIsRevoked) {
  TestMember member;
  auto client = member.client();
  auto lease_a = lease_of(client);
  auto lease_b = lease_of(client);
  ASSERT_TRUE(lease_a && lease_b);
  Election a(client, "managers"), b(client, "managers");

  auto won = a.campaign(*lease_a, "node-a");
  ASSERT_TRUE(won.is_ok()) << won.status().to_string();
  EXPECT_EQ(a.leader().value(), std::optional<std::string>("node-a"));

  auto b_wins = std::async(std::launch::async, [&] { return b.campaign(*lease_b, "node-b"); });
  EXPECT_EQ(b.leader().value(), std::optional<std::string>("node-a"));
  lease_a->revoke();
  ASSERT_EQ(b_wins.wait_for(10s), std::future_status::ready);
  auto b_won = b_wins.get();
  ASSERT_TRUE(b_won.is_ok()) << b_won.status().to_string();
  EXPECT_GT(b_won->revision, won->revision);
  EXPECT_EQ(a.leader().value(), std::optional<std::string>("node-b"));
}

TEST(LeadershipTest, AResignedLeaderLeavesNoLeader) {
  TestMember member;
  auto client = member.client();
  auto lease = lease_of(client);
  ASSERT_TRUE(lease);
  Election e(client, "managers");
  auto won = e.campaign(*lease, "node-a");
  ASSERT_TRUE(won.is_ok()) << won.status().to_string();
  ASSERT_TRUE(e.resign(*won).is_ok());
  EXPECT_EQ(e.leader().value(), std::nullopt);
}

TEST(LeadershipTest, CancelEndsABlockedCampaign) {
  TestMember member;
  auto client = member.client();
  auto lease_a = lease_of(client);
  auto lease_b = lease_of(client);
  ASSERT_TRUE(lease_a && lease_b);
  Election a(client, "managers"), b(client, "managers");
  ASSERT_TRUE(a.campaign(*lease_a, "node-a").is_ok());
  auto b_wins = std::async(std::launch::async, [&] { return b.campaign(*lease_b, "node-b"); });
  b.cancel();
  ASSERT_EQ(b_wins.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(b_wins.get().status().code(), Code::kUnavailable);
  EXPECT_EQ(a.leader().value(), std::optional<std::string>("node-a"));
}

TEST(LeadershipTest, AKeptLeaseIsRenewedBeforeItsTtlRunsOut) {
  TestMember member;
  auto client = member.client();
  auto lease = lease_of(client, 3s);
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

TEST(LeadershipTest, ADeposedLeaderCannotCommitEvenBeforeAnotherWrites) {
  TestMember member;
  auto client = member.client();
  auto lease = lease_of(client);
  ASSERT_TRUE(lease);
  Election e(client, "managers");
  auto won = e.campaign(*lease, "node-a");
  ASSERT_TRUE(won.is_ok()) << won.status().to_string();

  EtcdDatastoreOptions options = member.datastore_options();
  EtcdDatastore ds(options);
  ASSERT_TRUE(ds.load([](const store::Record&) { return Status::ok(); }).is_ok());
  ds.fence_on(*won);
  ASSERT_TRUE(ds.commit(CommitBatch{1, {put("t", "a", "while leading")}}).is_ok());

  lease->revoke();  // as an expired lease: the election key is gone
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
