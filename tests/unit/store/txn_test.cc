// Write transactions: versions, timestamps, optimistic concurrency, conflicts, atomicity.
#include <gtest/gtest.h>

#include "store_fixture.h"

namespace shoal::store {
namespace {

using testing::make_node;
using testing::make_service;
using testing::make_task;

class TxnTest : public testing::StoreTest {};

TEST_F(TxnTest, CreateStampsRevisionAndTimes) {
  EXPECT_EQ(store_->revision(), 0u);
  create(make_service("s1", "web"));
  clock_->advance(std::chrono::seconds(1));
  create(make_service("s2", "db"));
  EXPECT_EQ(store_->revision(), 2u);
  auto s1 = get<api::Service>("s1");
  auto s2 = get<api::Service>("s2");
  ASSERT_TRUE(s1 && s2);
  EXPECT_EQ(s1->Version.Index, 1u);
  EXPECT_EQ(s2->Version.Index, 2u);
  EXPECT_EQ(s1->CreatedAt.unix_nanos(), testing::kStartNanos);
  EXPECT_EQ(s1->UpdatedAt, s1->CreatedAt);
  EXPECT_EQ(s2->CreatedAt.unix_nanos(), testing::kStartNanos + 1'000'000'000);
}

TEST_F(TxnTest, EmptyTransactionCommitsNothing) {
  write([](WriteTxn&) { return Status::ok(); });
  EXPECT_EQ(store_->revision(), 0u);
  EXPECT_EQ(ds_->commits(), 0);
}

TEST_F(TxnTest, UpdateChecksVersionAndKeepsCreatedAt) {
  create(make_service("s1", "web"));
  clock_->advance(std::chrono::seconds(5));
  auto current = get<api::Service>("s1");

  api::Service stale = *current;
  stale.Version.Index = 0;
  Status s = store_->update([&](WriteTxn& tx) { return tx.update(stale); });
  EXPECT_EQ(s.code(), Code::kOutOfSequence);
  EXPECT_EQ(s.message(), "update out of sequence");

  api::Service next = *current;
  next.Spec.Labels["v"] = "2";
  next.CreatedAt = Timestamp::from_unix_nanos(1);  // ignored: the store keeps CreatedAt
  write([&](WriteTxn& tx) { return tx.update(next); });
  auto updated = get<api::Service>("s1");
  EXPECT_EQ(updated->Version.Index, 2u);
  EXPECT_EQ(updated->CreatedAt, current->CreatedAt);
  EXPECT_EQ(updated->UpdatedAt.unix_nanos(), testing::kStartNanos + 5'000'000'000);
  EXPECT_EQ(updated->Spec.Labels.at("v"), "2");
  // The reader's old pointer is unchanged.
  EXPECT_EQ(current->Version.Index, 1u);
  EXPECT_EQ(current->Spec.Labels.count("v"), 0u);

  // The same stale write again: the version moved on.
  s = store_->update([&](WriteTxn& tx) { return tx.update(next); });
  EXPECT_EQ(s.code(), Code::kOutOfSequence);
}

TEST_F(TxnTest, WriteErrorsTable) {
  create(make_service("s1", "web"));
  create(make_node("n1", "host-a"));
  struct Case {
    const char* name;
    std::function<Status(WriteTxn&)> fn;
    Code code;
    std::string message;
  };
  std::vector<Case> cases = {
      {"create without ID", [](WriteTxn& tx) { return tx.create(make_service("", "x")); },
       Code::kInvalidArgument, "service has no ID"},
      {"create existing ID", [](WriteTxn& tx) { return tx.create(make_service("s1", "other")); },
       Code::kAlreadyExists, "service s1 already exists"},
      {"create taken name, other case",
       [](WriteTxn& tx) { return tx.create(make_service("s2", "WEB")); }, Code::kAlreadyExists,
       "name conflicts with an existing object: service WEB already exists"},
      {"create taken secret name",
       [](WriteTxn& tx) {
         SHOAL_RETURN_IF_ERROR(tx.create(testing::make_secret("x1", "pw")));
         return tx.create(testing::make_secret("x2", "pw"));
       },
       Code::kAlreadyExists, "secret pw already exists"},
      {"create taken network name",
       [](WriteTxn& tx) {
         SHOAL_RETURN_IF_ERROR(tx.create(testing::make_network("x1", "net")));
         return tx.create(testing::make_network("x2", "net"));
       },
       Code::kAlreadyExists, "network with name net already exists"},
      {"create taken config name",
       [](WriteTxn& tx) {
         SHOAL_RETURN_IF_ERROR(tx.create(testing::make_config("x1", "c")));
         return tx.create(testing::make_config("x2", "c"));
       },
       Code::kAlreadyExists, "config c already exists"},
      {"update missing", [](WriteTxn& tx) { return tx.update(make_service("s9", "x")); },
       Code::kNotFound, "service s9 not found"},
      {"rename onto a taken name",
       [](WriteTxn& tx) {
         SHOAL_RETURN_IF_ERROR(tx.create(make_service("s2", "db")));
         api::Service s2 = *tx.get<api::Service>("s2");
         s2.Spec.Name = "Web";
         return tx.update(s2);
       },
       Code::kAlreadyExists, "name conflicts with an existing object: service Web already exists"},
      {"remove missing", [](WriteTxn& tx) { return tx.remove<api::Task>("t9"); }, Code::kNotFound,
       "task t9 not found"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Status s = store_->update(c.fn);
    EXPECT_EQ(s.code(), c.code) << s.to_string();
    EXPECT_EQ(s.message(), c.message);
    EXPECT_EQ(store_->revision(), 2u) << "nothing committed";
  }
}

TEST_F(TxnTest, NamesAreFreeAfterDeleteOrRename) {
  create(make_service("s1", "web"));
  write([](WriteTxn& tx) {
    api::Service s1 = *tx.get<api::Service>("s1");
    s1.Spec.Name = "WEB";  // a case-only rename keeps its own name
    SHOAL_RETURN_IF_ERROR(tx.update(s1));
    SHOAL_RETURN_IF_ERROR(tx.remove<api::Service>("s1"));
    return tx.create(make_service("s2", "web"));
  });
  EXPECT_FALSE(get<api::Service>("s1"));
  EXPECT_TRUE(get<api::Service>("s2"));
  // Nodes may share a hostname.
  create(make_node("n1", "host"));
  create(make_node("n2", "host"));
}

TEST_F(TxnTest, WriteTxnSeesItsOwnChanges) {
  create(make_task("t1", "s1", 1, "n1"));
  create(make_task("t2", "s1", 2, "n1"));
  write([](WriteTxn& tx) -> Status {
    EXPECT_EQ(tx.revision(), 3u);
    EXPECT_TRUE(tx.create(make_task("t3", "s1", 3, "n2")).is_ok());
    api::Task t1 = *tx.get<api::Task>("t1");
    t1.NodeID = "n2";
    EXPECT_TRUE(tx.update(t1).is_ok());
    EXPECT_TRUE(tx.remove<api::Task>("t2").is_ok());

    EXPECT_EQ(tx.get<api::Task>("t1")->NodeID, "n2");
    EXPECT_EQ(tx.get<api::Task>("t1")->Version.Index, 3u);
    EXPECT_FALSE(tx.get<api::Task>("t2"));
    EXPECT_EQ(tx.count<api::Task>(), 2u);
    EXPECT_EQ(tx.count<api::Task>(by::Node{"n1"}), 0u);
    auto on_n2 = tx.find<api::Task>(by::Node{"n2"});
    EXPECT_EQ(on_n2.size(), 2u);
    if (on_n2.size() == 2) {
      EXPECT_EQ(on_n2[0]->ID, "t1");
      EXPECT_EQ(on_n2[1]->ID, "t3");
    }
    EXPECT_EQ(tx.count<api::Task>(by::Service{"s1"}), 2u);
    // An update after an update in the same transaction needs the new version.
    api::Task again = *tx.get<api::Task>("t1");
    again.Slot = 7;
    EXPECT_TRUE(tx.update(again).is_ok());
    // Others do not see any of it yet.
    return Status::ok();
  });
  auto view = store_->view();
  EXPECT_EQ(view.revision(), 3u);
  EXPECT_EQ(view.get<api::Task>("t1")->Slot, 7);
  EXPECT_EQ(view.count<api::Task>(by::Node{"n2"}), 2u);
}

TEST_F(TxnTest, FailedCallbackLeavesNothing) {
  create(make_service("s1", "web"));
  int commits = ds_->commits();
  Status s = store_->update([](WriteTxn& tx) {
    EXPECT_TRUE(tx.create(make_service("s2", "db")).is_ok());
    EXPECT_TRUE(tx.remove<api::Service>("s1").is_ok());
    EXPECT_TRUE(tx.create(make_task("t1", "s2", 1, "", testing::make_spec("x"))).is_ok());
    return error(Code::kInternal, "changed my mind");
  });
  EXPECT_EQ(s.message(), "changed my mind");
  EXPECT_EQ(ds_->commits(), commits) << "nothing persisted";
  EXPECT_TRUE(get<api::Service>("s1"));
  EXPECT_FALSE(get<api::Service>("s2"));
  EXPECT_FALSE(get<api::Task>("t1"));
  EXPECT_EQ(store_->revision(), 1u);
}

TEST_F(TxnTest, FailedDatastoreCommitLeavesNothing) {
  create(make_service("s1", "web"));
  ds_->fail_commit(error(Code::kUnavailable, "disk full"));
  auto w = store_->watch();
  Status s = store_->update([](WriteTxn& tx) {
    SHOAL_RETURN_IF_ERROR(tx.create(make_task("t1", "s1", 1, "", testing::make_spec("x"))));
    return tx.remove<api::Service>("s1");
  });
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(store_->revision(), 1u);
  EXPECT_TRUE(get<api::Service>("s1"));
  EXPECT_FALSE(get<api::Task>("t1"));
  EXPECT_EQ(w.try_next(), nullptr) << "nothing published";
  // The store goes on; and after a reopen the disk shows the same.
  create(make_task("t2", "s1", 1, "", testing::make_spec("x")));
  EXPECT_EQ(store_->revision(), 2u);
  reopen();
  EXPECT_EQ(store_->revision(), 2u);
  EXPECT_TRUE(get<api::Service>("s1"));
  EXPECT_FALSE(get<api::Task>("t1"));
  EXPECT_TRUE(get<api::Task>("t2"));
}

TEST_F(TxnTest, CreatedThenDeletedInOneTransactionLeavesNoTrace) {
  write([](WriteTxn& tx) {
    SHOAL_RETURN_IF_ERROR(tx.create(make_service("s1", "web")));
    return tx.remove<api::Service>("s1");
  });
  EXPECT_EQ(store_->revision(), 0u);
  EXPECT_EQ(ds_->commits(), 0);
}

TEST_F(TxnTest, WriteWhileHoldingAReadIsRefused) {
  auto view = store_->view();
  Status s = store_->update([](WriteTxn&) { return Status::ok(); });
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
}

TEST_F(TxnTest, NestedWriteIsRefused) {
  Status inner;
  write([&](WriteTxn&) {
    inner = store_->update([](WriteTxn&) { return Status::ok(); });
    return Status::ok();
  });
  EXPECT_EQ(inner.code(), Code::kFailedPrecondition);
}

TEST_F(TxnTest, ClosedStoreRefusesWrites) {
  store_->close();
  store_->close();
  EXPECT_EQ(store_->update([](WriteTxn&) { return Status::ok(); }).code(), Code::kUnavailable);
}

}  // namespace
}  // namespace shoal::store
