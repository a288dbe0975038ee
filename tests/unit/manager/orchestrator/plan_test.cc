#include "manager/orchestrator/plan.h"

#include <gtest/gtest.h>

#include "manager/orchestrator/commit.h"
#include "store/datastore/memory.h"
#include "world.h"

namespace shoal::manager::orchestrator {
namespace {

using namespace testing;
using api::TaskState;

TaskPtr make_task(const std::string& id, TaskState desired = TaskState::kRunning,
                  uint64_t version = 1) {
  api::Task t;
  t.ID = id;
  t.ServiceID = "svc1";
  t.DesiredState = desired;
  t.Version.Index = version;
  return std::make_shared<const api::Task>(std::move(t));
}

TEST(Plan, ViewReflectsChangesAndDesiredStateOnlyRises) {
  Plan plan("svc1", 7, {make_task("a"), make_task("b", TaskState::kShutdown)});
  EXPECT_TRUE(plan.empty());
  EXPECT_TRUE(plan.set_desired("a", TaskState::kShutdown));
  EXPECT_FALSE(plan.set_desired("a", TaskState::kRunning)) << "never lowered";
  EXPECT_FALSE(plan.set_desired("b", TaskState::kShutdown)) << "already there";
  EXPECT_EQ(plan.get("a")->DesiredState, TaskState::kShutdown);
  api::Task c;
  c.ID = "c";
  plan.create(c);
  plan.remove("b");
  ASSERT_EQ(plan.tasks().size(), 2u);
  EXPECT_EQ(plan.get("b"), nullptr);
  EXPECT_EQ(plan.creates(), 1u);
  EXPECT_EQ(plan.updates(), 1u);
  EXPECT_EQ(plan.deletes(), 1u);
  EXPECT_EQ(plan.service_version(), 7u);
}

TEST(Plan, UnitsGroupChangesAndMergeWhenTheyShareATask) {
  Plan plan("svc1", 7, {make_task("a"), make_task("b"), make_task("c")});
  plan.begin_unit();
  plan.set_desired("a", TaskState::kShutdown);
  api::Task r;
  r.ID = "r";
  plan.create(r);
  plan.begin_unit();
  plan.set_desired("b", TaskState::kShutdown);
  plan.begin_unit();
  plan.set_desired("c", TaskState::kShutdown);
  plan.set_desired("a", TaskState::kRemove);  // joins the first unit
  std::vector<Unit> units = plan.units();
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0].updates.size(), 2u);  // a and c
  EXPECT_EQ(units[0].creates.size(), 1u);
  EXPECT_EQ(units[1].updates.size(), 1u);  // b
  for (const TaskPtr& t : units[0].updates) {
    EXPECT_EQ(t->Version.Index, 1u) << "updates carry the snapshot's version";
    if (t->ID == "a") {
      EXPECT_EQ(t->DesiredState, TaskState::kRemove);
    }
  }
}

TEST(Plan, CreatedThenRemovedLeavesNothing) {
  Plan plan("svc1", 7, {});
  api::Task t;
  t.ID = "x";
  plan.create(t);
  plan.remove("x");
  EXPECT_TRUE(plan.units().empty());
}

TEST(Plan, FollowUpKeepsTheEarliest) {
  Plan plan("svc1", 7, {});
  plan.follow_up(t0() + 5s);
  plan.follow_up(t0() + 2s);
  plan.follow_up(t0() + 9s);
  EXPECT_EQ(plan.next_follow_up(), t0() + 2s);
}

class CommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Store::open(std::make_unique<store::MemoryDatastore>(), clock_);
    ASSERT_TRUE(opened.is_ok());
    store_ = std::move(opened).value();
    ASSERT_TRUE(store_
                    ->update([](store::WriteTxn& tx) {
                      SHOAL_RETURN_IF_ERROR(tx.create(replicated_service(2)));
                      api::Task a;
                      a.ID = "a";
                      a.ServiceID = "svc1";
                      a.DesiredState = TaskState::kRunning;
                      SHOAL_RETURN_IF_ERROR(tx.create(a));
                      a.ID = "b";
                      return tx.create(a);
                    })
                    .is_ok());
  }

  Plan fresh_plan() {
    store::ReadTxn view = store_->view();
    return Plan("svc1", view.get<api::Service>("svc1")->Version.Index,
                view.find<api::Task>(store::by::Service{"svc1"}));
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(t0());
  std::unique_ptr<store::Store> store_;
};

TEST_F(CommitTest, AppliesEveryUnit) {
  Plan plan = fresh_plan();
  plan.begin_unit();
  plan.set_desired("a", TaskState::kShutdown);
  plan.begin_unit();
  plan.remove("b");
  api::Task c;
  c.ID = "c";
  c.ServiceID = "svc1";
  plan.create(c);
  CommitOutcome out = commit_plan(*store_, plan);
  EXPECT_TRUE(out.complete());
  EXPECT_EQ(out.committed, 2u);
  store::ReadTxn view = store_->view();
  EXPECT_EQ(view.get<api::Task>("a")->DesiredState, TaskState::kShutdown);
  EXPECT_EQ(view.get<api::Task>("b"), nullptr);
  EXPECT_NE(view.get<api::Task>("c"), nullptr);
}

TEST_F(CommitTest, AUnitWhoseTaskChangedIsRefusedTheOthersCommit) {
  Plan plan = fresh_plan();
  plan.begin_unit();
  plan.set_desired("a", TaskState::kShutdown);
  plan.begin_unit();
  plan.set_desired("b", TaskState::kShutdown);
  // The agent reports on "a" meanwhile.
  ASSERT_TRUE(store_
                  ->update([](store::WriteTxn& tx) {
                    api::Task a = *tx.get<api::Task>("a");
                    a.Status.State = TaskState::kRunning;
                    return tx.update(a);
                  })
                  .is_ok());
  CommitOutcome out = commit_plan(*store_, plan);
  EXPECT_FALSE(out.complete());
  EXPECT_EQ(out.conflicts, 1u);
  EXPECT_EQ(out.committed, 1u);
  EXPECT_TRUE(out.error.is_ok());
  store::ReadTxn view = store_->view();
  EXPECT_EQ(view.get<api::Task>("a")->DesiredState, TaskState::kRunning);
  EXPECT_EQ(view.get<api::Task>("b")->DesiredState, TaskState::kShutdown);
}

TEST_F(CommitTest, NothingIsCreatedFromAStaleServiceVersion) {
  Plan plan = fresh_plan();
  api::Task c;
  c.ID = "c";
  c.ServiceID = "svc1";
  plan.create(c);
  ASSERT_TRUE(store_
                  ->update([](store::WriteTxn& tx) {
                    api::Service s = *tx.get<api::Service>("svc1");
                    s.Spec.TaskTemplate.ContainerSpec->Image = "other";
                    return tx.update(s);
                  })
                  .is_ok());
  CommitOutcome out = commit_plan(*store_, plan);
  EXPECT_EQ(out.conflicts, 1u);
  EXPECT_EQ(store_->view().get<api::Task>("c"), nullptr);
}

TEST_F(CommitTest, ServiceUpdateThenTasksInTheSamePlan) {
  Plan plan = fresh_plan();
  api::Service s = *store_->view().get<api::Service>("svc1");
  s.UpdateStatus =
      api::UpdateStatus{api::UpdateState::kUpdating, t0(), std::nullopt, "update in progress"};
  plan.update_service(s);
  plan.begin_unit();
  plan.set_desired("a", TaskState::kShutdown);
  CommitOutcome out = commit_plan(*store_, plan);
  EXPECT_TRUE(out.complete()) << out.error.to_string();
  EXPECT_EQ(out.committed, 2u);
  EXPECT_EQ(store_->view().get<api::Service>("svc1")->UpdateStatus->State,
            api::UpdateState::kUpdating);
}

}  // namespace
}  // namespace shoal::manager::orchestrator
