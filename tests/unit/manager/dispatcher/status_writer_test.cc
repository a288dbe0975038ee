#include "manager/dispatcher/status_writer.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "fixture.h"

namespace shoal::manager::dispatcher {
namespace {

using namespace std::chrono_literals;

using api::TaskState;
using testing::kStartNanos;

Timestamp at(int64_t seconds) {
  return Timestamp::from_unix_nanos(kStartNanos + seconds * 1'000'000'000);
}

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
        PlanCase{"forward", status(TaskState::kAssigned), status(TaskState::kRunning, "started"),
                 true, TaskState::kRunning},
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
    for (int i = 0; i < 500; ++i)
      SHOAL_RETURN_IF_ERROR(tx.create(make_task("t" + std::to_string(i), "n1")));
    return Status::ok();
  });
  int commits_before = ds_->commits();
  StatusWriter writer(*store_, *clock_);
  std::vector<protocol::TaskStatusUpdate> updates;
  for (int i = 0; i < 500; ++i)
    updates.push_back({"t" + std::to_string(i), status(TaskState::kRunning, "started")});
  ASSERT_TRUE(writer.apply("n1", updates).is_ok());
  EXPECT_EQ(ds_->commits() - commits_before, 1);
  EXPECT_EQ(writer.commits(), 1u);
  for (int i = 0; i < 500; ++i)
    EXPECT_EQ(get<api::Task>("t" + std::to_string(i))->Status.State, TaskState::kRunning);
}

TEST_F(StatusWriterTest, IgnoresStaleUnknownAndForeignTasksKeepsDesiredState) {
  add_node("n1");
  add_node("n2");
  add_task(make_task("mine", "n1", TaskState::kRunning));
  add_task(make_task("theirs", "n2", TaskState::kAssigned));
  change_task("mine", [](api::Task& t) { t.DesiredState = TaskState::kShutdown; });
  StatusWriter writer(*store_, *clock_);
  ASSERT_TRUE(writer
                  .apply("n1", {{"mine", status(TaskState::kPreparing, "preparing")},
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
    for (int i = 0; i < 64; ++i)
      SHOAL_RETURN_IF_ERROR(tx.create(make_task("t" + std::to_string(i), "n1")));
    return Status::ok();
  });
  StatusWriter writer(*store_, *clock_);
  std::vector<std::thread> threads;
  for (int i = 0; i < 64; ++i) {
    threads.emplace_back([&, i] {
      EXPECT_TRUE(
          writer.apply("n1", {{"t" + std::to_string(i), status(TaskState::kRunning, "started")}})
              .is_ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(writer.commits(), 64u);
  for (int i = 0; i < 64; ++i)
    EXPECT_EQ(get<api::Task>("t" + std::to_string(i))->Status.State, TaskState::kRunning);
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

// Waits (at most 10 s) until `n` callbacks arrived; returns their results.
class Results {
 public:
  std::function<void(Status)> callback() {
    return [this](Status s) {
      std::lock_guard lock(mu_);
      results_.push_back(std::move(s));
      cv_.notify_all();
    };
  }
  std::vector<Status> wait(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return results_.size() >= n; });
    return results_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Status> results_;
};

TEST_F(StatusWriterTest, AsyncReportsAreDurableWhenDoneIsCalled) {
  add_node("n1");
  add_task(make_task("t1", "n1"));
  StatusWriter writer(*store_, *clock_);
  bool applied = false;
  writer.apply_async("n1", {{"t1", status(TaskState::kRunning, "started")}}, [&](Status s) {
    EXPECT_TRUE(s.is_ok());
    applied = get<api::Task>("t1")->Status.State == TaskState::kRunning;
  });
  // No commit was in flight: this thread committed, and `done` ran before the return.
  EXPECT_TRUE(applied);
  EXPECT_EQ(writer.commits(), 1u);
}

TEST_F(StatusWriterTest, AsyncCallersArrivingDuringACommitShareTheNext) {
  add_node("n1");
  write([&](store::WriteTxn& tx) {
    for (int i = 0; i < 100; ++i)
      SHOAL_RETURN_IF_ERROR(tx.create(make_task("t" + std::to_string(i), "n1")));
    return Status::ok();
  });
  StatusWriter writer(*store_, *clock_);
  Results results;
  // The first call's `done` queues 99 more while its thread is still the committer: they
  // all go in one further commit.
  writer.apply_async("n1", {{"t0", status(TaskState::kRunning, "started")}}, [&](Status s) {
    EXPECT_TRUE(s.is_ok());
    for (int i = 1; i < 100; ++i) {
      writer.apply_async("n1", {{"t" + std::to_string(i), status(TaskState::kRunning, "started")}},
                         results.callback());
    }
  });
  auto done = results.wait(99);
  ASSERT_EQ(done.size(), 99u);
  for (const Status& s : done) EXPECT_TRUE(s.is_ok());
  EXPECT_EQ(writer.commits(), 2u);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(get<api::Task>("t" + std::to_string(i))->Status.State, TaskState::kRunning);
}

TEST_F(StatusWriterTest, AsyncAndBlockingCallersFromManyThreads) {
  add_node("n1");
  write([&](store::WriteTxn& tx) {
    for (int i = 0; i < 64; ++i)
      SHOAL_RETURN_IF_ERROR(tx.create(make_task("t" + std::to_string(i), "n1")));
    return Status::ok();
  });
  StatusWriter writer(*store_, *clock_);
  Results results;
  std::vector<std::thread> threads;
  for (int i = 0; i < 64; ++i) {
    threads.emplace_back([&, i] {
      std::vector<protocol::TaskStatusUpdate> u{
          {"t" + std::to_string(i), status(TaskState::kRunning, "started")}};
      if (i % 2 == 0) {
        writer.apply_async("n1", u, results.callback());
      } else {
        EXPECT_TRUE(writer.apply("n1", u).is_ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto done = results.wait(32);
  EXPECT_EQ(done.size(), 32u);
  for (int i = 0; i < 64; ++i)
    EXPECT_EQ(get<api::Task>("t" + std::to_string(i))->Status.State, TaskState::kRunning);
}

TEST_F(StatusWriterTest, AsyncCommitErrorsReachDone) {
  add_node("n1");
  add_task(make_task("t", "n1"));
  StatusWriter writer(*store_, *clock_);
  ds_->fail_commit(Status(Code::kInternal, "disk full"));
  Results results;
  writer.apply_async("n1", {{"t", status(TaskState::kRunning, "started")}}, results.callback());
  auto done = results.wait(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].code(), Code::kInternal);
  EXPECT_EQ(get<api::Task>("t")->Status.State, TaskState::kAssigned);
}

}  // namespace
}  // namespace shoal::manager::dispatcher
