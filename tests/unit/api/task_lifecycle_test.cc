#include "api/task_lifecycle.h"

#include <gtest/gtest.h>

namespace shoal::api {
namespace {

TEST(TaskLifecycleTest, MovesForwardAndStamps) {
  Task task;
  task.ID = "t1";
  Timestamp t1 = Timestamp::from_unix_nanos(1000);
  ASSERT_TRUE(advance_task(task, TaskState::kNew, "created", t1).is_ok());
  Timestamp t2 = Timestamp::from_unix_nanos(2000);
  ASSERT_TRUE(advance_task(task, TaskState::kFailed, "failed", t2, "exit 1").is_ok());
  EXPECT_EQ(task.Status.State, TaskState::kFailed);
  EXPECT_EQ(task.Status.Err, "exit 1");
  EXPECT_EQ(task.Status.Timestamp, t2);
}

TEST(TaskLifecycleTest, RefusesBackwardMoves) {
  Task task;
  task.ID = "t1";
  Timestamp t = Timestamp::from_unix_nanos(5);
  ASSERT_TRUE(advance_task(task, TaskState::kRunning, "started", t).is_ok());
  Status s = advance_task(task, TaskState::kStarting, "late report", t);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(), "task t1: cannot move from running to starting");
  EXPECT_EQ(task.Status.State, TaskState::kRunning);
  EXPECT_EQ(task.Status.Message, "started");
}

TEST(TaskLifecycleTest, SameStateKeepsTimestampUnlessTextChanges) {
  Task task;
  Timestamp t1 = Timestamp::from_unix_nanos(1);
  ASSERT_TRUE(advance_task(task, TaskState::kPending, "waiting", t1).is_ok());
  ASSERT_TRUE(
      advance_task(task, TaskState::kPending, "waiting", Timestamp::from_unix_nanos(9)).is_ok());
  EXPECT_EQ(task.Status.Timestamp, t1);
  ASSERT_TRUE(
      advance_task(task, TaskState::kPending, "", Timestamp::from_unix_nanos(9), "no suitable node")
          .is_ok());
  EXPECT_EQ(task.Status.Timestamp, Timestamp::from_unix_nanos(9));
}

TEST(TaskLifecycleTest, Terminal) {
  EXPECT_FALSE(is_terminal(TaskState::kRunning));
  EXPECT_TRUE(is_terminal(TaskState::kComplete));
  EXPECT_TRUE(is_terminal(TaskState::kRejected));
}

}  // namespace
}  // namespace shoal::api
