#include "manager/dispatcher/status_writer.h"

#include <gtest/gtest.h>

#include <thread>

#include "fixture.h"

namespace shoal::manager::dispatcher {
namespace {

using namespace std::chrono_literals;

using api::TaskState;
using testing::kStartNanos;

Timestamp at(int64_t seconds) { return Timestamp::from_unix_nanos(kStartNanos + seconds * 1'000'000'000); }

api::TaskStatus status(TaskState state, std::string message = "", int64_t seconds = 1,
                       std::string err = "") {
  api::TaskStatus s;
  s.State = state;
  s.Message = std::move(message);
  s.Timestamp = at(seconds);
  s.Err = std::move(err);
  return s;
}

struct PlanCase {
  const char* name;
  api::TaskStatus current;
  api::TaskStatus report;
  bool applied;
  TaskState expect_state = TaskState::kUnset;
};

class PlanStatusUpdateTest : public ::testing::TestWithParam<PlanCase> {};

TEST_P(PlanStatusUpdateTest, Decides) {
  const PlanCase& c = GetParam();
  api::Task task;
  task.ID = "t";
  task.DesiredState = TaskState::kRunning;
  task.Status = c.current;
  auto next = plan_status_update(task, c.report, at(100));
  ASSERT_EQ(next.has_value(), c.applied) << c.name;
  if (!next) return;
  EXPECT_EQ(next->Status.State, c.expect_state) << c.name;
  EXPECT_EQ(next->Status.Message, c.report.Message) << c.name;
  EXPECT_EQ(next->Status.Err, c.report.Err) << c.name;
  EXPECT_EQ(next->DesiredState, TaskState::kRunning) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, PlanStatusUpdateTest,
    ::testing::Values(
        PlanCase{"forward", status(TaskState::kAssigned), status(TaskState::kRunning, "started"), true,
                 TaskState::kRunning},
        PlanCase{"jump to failed", status(TaskState::kAssigned),
                 status(TaskState::kFailed, "started", 2, "task: non-zero exit (1)"), true,
                 TaskState::kFailed},
        PlanCase{"backwards is stale", status(TaskState::kRunning, "started"),
                 status(TaskState::kPreparing, "preparing"), false},
        PlanCase{"after the end is stale", status(TaskState::kComplete, "finished"),
                 status(TaskState::kRunning, "started"), false},
        PlanCase{"identical is ignored", status(TaskState::kRunning, "started", 5),
                 status(TaskState::kRunning, "started", 5), false},
        PlanCase{"same state, new message", status(TaskState::kRunning, "started", 5),
                 status(TaskState::kRunning, "healthy", 6), true, TaskState::kRunning},
        PlanCase{"shutdown after failed is stale", status(TaskState::kFailed, "started"),
                 status(TaskState::kShutdown, "shutdown"), false},
        PlanCase{"failed after shutdown moves on", status(TaskState::kShutdown, "shutdown"),
                 status(TaskState::kFailed, "started", 3, "boom"), true, TaskState::kFailed}));

TEST(PlanStatusUpdateStampTest, UsesTheAgentsTimestampElseNow) {
  api::Task task;
  task.ID = "t";
  task.Status = status(TaskState::kAssigned);
  auto stamped = plan_status_update(task, status(TaskState::kRunning, "started", 7), at(100));
  ASSERT_TRUE(stamped);
  EXPECT_EQ(stamped->Status.Timestamp, at(7));
  api::TaskStatus unstamped = status(TaskState::kRunning, "started");
  unstamped.Timestamp = Timestamp();
  auto now = plan_status_update(task, unstamped, at(100));
  ASSERT_TRUE(now);
  EXPECT_EQ(now->Status.Timestamp, at(100));
}

TEST(PlanStatusUpdateStampTest, TakesContainerStatus) {
  api::Task task;
  task.ID = "t";
  task.Status = status(TaskState::kRunning);
  api::TaskStatus report = status(TaskState::kFailed, "started", 9, "task: non-zero exit (3)");
  report.ContainerStatus = api::ContainerStatus{"c1", 0, 3};
  auto next = plan_status_update(task, report, at(100));
  ASSERT_TRUE(next && next->Status.ContainerStatus);
  EXPECT_EQ(next->Status.ContainerStatus->ExitCode, 3);
  EXPECT_EQ(next->Status.ContainerStatus->ContainerID, "c1");
}

class StatusWriterTest : public testing::StoreFixture {};

TEST_F(StatusWriterTest, ManyReportsOneCommit) {
  add_node("n1");
  write([&](store::WriteTxn& tx) {
    for (int i = 0; i < 500; ++i) SHOAL_RETURN_IF_ERROR(tx.create(make_task("t" + std::to_string(i), "n1")));
    return Status::ok();
  });
  int commits_before = ds_->commits();
  StatusWriter writer(*store_, *clock_);
  std::vector<agent::TaskStatusUpdate> updates;
  for (int i = 0; i < 500; ++i) updates.push_back({"t" + std::to_string(i), status(TaskState::kRunning, "started")});
  ASSERT_TRUE(writer.apply("n1", updates).is_ok());
  EXPECT_EQ(ds_->commits() - commits_before, 1);
  EXPECT_EQ(writer.commits(), 1u);
  for (int i = 0; i < 500; ++i) EXPECT_EQ(get<api::Task>("t" + std::to_string(i))->Status.State, TaskState::kRunning);
}

TEST_F(StatusWriterTest, IgnoresStaleUnknownAndForeignTasksKeepsDesiredState) {
  add_node("n1");
  add_node("n2");
  add_task(make_task("mine", "n1", TaskState::kRunning));
  add_task(make_task("theirs", "n2", TaskState::kAssigned));
  change_task("mine", [](api::Task& t) { t.DesiredState = TaskState::kShutdown; });
  StatusWriter writer(*store_, *clock_);
  ASSERT_TRUE(writer.apply("n1", {{"mine", status(TaskState::kPreparing, "preparing")},
                                  {"ghost", status(TaskState::kRunning, "started")},
                                  {"theirs", status(TaskState::kRunning, "started")}})
                  .is_ok());
  EXPECT_EQ(get<api::Task>("mine")->Status.State, TaskState::kRunning);
  EXPECT_EQ(get<api::Task>("theirs")->Status.State, TaskState::kAssigned);

  ASSERT_TRUE(writer.apply("n1", {{"mine", status(TaskState::kShutdown, "shutdown")}}).is_ok());
  auto mine = get<api::Task>("mine");
  EXPECT_EQ(mine->Status.State, TaskState::kShutdown);
  EXPECT_EQ(mine->DesiredState, TaskState::kShutdown);
}

TEST_F(StatusWriterTest, ConcurrentCallersShareCommits) {
  add_node("n1");
  write([&](store::WriteTxn& tx) {
    for (int i = 0; i < 64; ++i) SHOAL_RETURN_IF_ERROR(tx.create(make_task("t" + std::to_string(i), "n1")));
    return Status::ok();
  });
  StatusWriter writer(*store_, *clock_);
  std::vector<std::thread> threads;
  for (int i = 0; i < 64; ++i) {
    threads.emplace_back([&, i] {
      EXPECT_TRUE(writer.apply("n1", {{"t" + std::to_string(i), status(TaskState::kRunning, "started")}}).is_ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(writer.commits(), 64u);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(get<api::Task>("t" + std::to_string(i))->Status.State, TaskState::kRunning);
}

TEST_F(StatusWriterTest, CommitErrorsReachTheCaller) {
  add_node("n1");
  add_task(make_task("t", "n1"));
  StatusWriter writer(*store_, *clock_);
  ds_->fail_commit(Status(Code::kInternal, "disk full"));
  Status failed = writer.apply("n1", {{"t", status(TaskState::kRunning, "started")}});
  EXPECT_EQ(failed.code(), Code::kInternal);
  EXPECT_EQ(get<api::Task>("t")->Status.State, TaskState::kAssigned);
  ASSERT_TRUE(writer.apply("n1", {{"t", status(TaskState::kRunning, "started")}}).is_ok());
  EXPECT_EQ(get<api::Task>("t")->Status.State, TaskState::kRunning);
}

}  // namespace
}  // namespace shoal::manager::dispatcher
