#include "agent/worker.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>

#include "fake_executor.h"
#include "support/eventually.h"
#include "tasks.h"

namespace shoal::agent {
namespace {

using namespace std::chrono_literals;
using api::TaskState;
using ::shoal::testing::eventually;
using testing::FakeExecutor;
using testing::task;

// Keeps every status the worker reports.
class RecordingSink final : public StatusSink {
 public:
  void task_status_changed(const std::string& id, const api::TaskStatus& status) override {
    std::lock_guard lock(mu_);
    history_[id].push_back(status);
    cv_.notify_all();
  }
  // Waits (≤ 5 s) until task `id` has reported `state`; returns that status.
  std::optional<api::TaskStatus> wait_state(const std::string& id, TaskState state) {
    std::unique_lock lock(mu_);
    std::optional<api::TaskStatus> found;
    cv_.wait_for(lock, 5s, [&] {
      for (const auto& s : history_[id]) {
        if (s.State == state) found = s;
      }
      return found.has_value();
    });
    return found;
  }
  std::vector<TaskState> states(const std::string& id) {
    std::lock_guard lock(mu_);
    std::vector<TaskState> out;
    for (const auto& s : history_[id]) out.push_back(s.State);
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<api::TaskStatus>> history_;
};

protocol::AssignmentChange update(std::shared_ptr<const api::Task> t) {
  return protocol::AssignmentChange{protocol::AssignmentAction::kUpdate, std::move(t)};
}
protocol::AssignmentChange remove(const std::string& id) {
  auto t = std::make_shared<api::Task>();
  t->ID = id;
  return protocol::AssignmentChange{protocol::AssignmentAction::kRemove,
                                    std::shared_ptr<const api::Task>(t)};
}
protocol::AssignmentsMessage complete(std::vector<protocol::AssignmentChange> changes) {
  return protocol::AssignmentsMessage{protocol::AssignmentsType::kComplete, "", "1",
                                      std::move(changes)};
}
protocol::AssignmentsMessage incremental(std::vector<protocol::AssignmentChange> changes) {
  return protocol::AssignmentsMessage{protocol::AssignmentsType::kIncremental, "1", "2",
                                      std::move(changes)};
}

class WorkerTest : public ::testing::Test {
 protected:
  void start() { worker_.start(); }

  // Waits until the worker holds `n` tasks.
  bool wait_count(size_t n) {
    return eventually([&] { return worker_.task_count() == n; });
  }
  // Waits until a pool thread sleeps until `t`: the worker has set a timer for `t` (grace
  // periods and retries are measured on clock_, which moves only when a test says so).
  bool pool_sleeps_until(Timestamp t) {
    return eventually([&] { return clock_.earliest_deadline() == t; });
  }

  ManualClock clock_{Timestamp::from_unix_nanos(1'700'000'000'000'000'000)};
  FakeExecutor executor_;
  RecordingSink sink_;
  Worker worker_{executor_, clock_, sink_,
                 WorkerOptions{.threads = 2, .retry = {1ms, 5ms, 2.0, 0.0}}};
};

TEST_F(WorkerTest, StartsNewTasksToRunning) {
  start();
  ASSERT_TRUE(worker_.assign(complete({update(task("a")), update(task("b"))})).is_ok());
  for (const char* id : {"a", "b"}) {
    auto running = sink_.wait_state(id, TaskState::kRunning);
    ASSERT_TRUE(running) << id;
    EXPECT_EQ(running->Message, "started");
    ASSERT_TRUE(running->ContainerStatus);
    EXPECT_EQ(running->ContainerStatus->ContainerID, std::string("c-") + id);
    EXPECT_EQ(running->Timestamp, clock_.now());
    ASSERT_TRUE(executor_.wait_call(id, "wait"));
  }
  EXPECT_EQ(sink_.states("a"),
            (std::vector<TaskState>{TaskState::kAccepted, TaskState::kPreparing, TaskState::kReady,
                                    TaskState::kStarting, TaskState::kRunning}));
  EXPECT_EQ(executor_.count("a", "prepare"), 1);
  EXPECT_EQ(executor_.count("a", "start"), 1);
}

TEST_F(WorkerTest, ShutsDownWhenDesiredStateMovesOn) {
  start();
  ASSERT_TRUE(worker_.assign(complete({update(task("a"))})).is_ok());
  ASSERT_TRUE(sink_.wait_state("a", TaskState::kRunning));
  ASSERT_TRUE(executor_.wait_call("a", "wait"));
  ASSERT_TRUE(worker_.assign(incremental({update(task("a", TaskState::kShutdown))})).is_ok());
  auto shutdown = sink_.wait_state("a", TaskState::kShutdown);
  ASSERT_TRUE(shutdown);
  EXPECT_EQ(shutdown->Message, "shutdown");
  EXPECT_EQ(shutdown->Err, "");
  EXPECT_EQ(shutdown->ContainerStatus->ExitCode, 143);
  EXPECT_EQ(executor_.count("a", "terminate"), 0);
  EXPECT_EQ(executor_.count("a", "remove"), 0);  // kept until the task is unassigned
  EXPECT_EQ(worker_.task_count(), 1u);
}

TEST_F(WorkerTest, KillsWhenTheGracePeriodEndsAndNotBefore) {
  executor_.script("a", {.exit_on_shutdown = false});
  start();
  ASSERT_TRUE(
      worker_.assign(complete({update(task("a", TaskState::kRunning, TaskState::kAssigned, 10s))}))
          .is_ok());
  ASSERT_TRUE(executor_.wait_call("a", "wait"));
  const Timestamp stopped = clock_.now();
  ASSERT_TRUE(
      worker_
          .assign(incremental({update(task("a", TaskState::kShutdown, TaskState::kAssigned, 10s))}))
          .is_ok());
  ASSERT_TRUE(executor_.wait_call("a", "shutdown"));
  ASSERT_TRUE(pool_sleeps_until(stopped + 10s));  // the kill timer
  clock_.advance(10s - 1ns);
  EXPECT_EQ(clock_.earliest_deadline(), stopped + 10s);  // nobody woken
  EXPECT_TRUE(worker_.idle());
  EXPECT_EQ(executor_.count("a", "terminate"), 0);
  clock_.advance(1ns);
  ASSERT_TRUE(executor_.wait_call("a", "terminate"));
  auto shutdown = sink_.wait_state("a", TaskState::kShutdown);
  ASSERT_TRUE(shutdown);
  EXPECT_EQ(shutdown->ContainerStatus->ExitCode, 137);
  EXPECT_EQ(executor_.count("a", "shutdown"), 1);
}

TEST_F(WorkerTest, NeverStartedTaskShutsDownAtOnce) {
  start();
  ASSERT_TRUE(worker_.assign(complete({update(task("a", TaskState::kShutdown))})).is_ok());
  ASSERT_TRUE(sink_.wait_state("a", TaskState::kShutdown));
  EXPECT_EQ(executor_.count("a", "start"), 0);
  EXPECT_EQ(executor_.count("a", "shutdown"), 0);
}

TEST_F(WorkerTest, RemovedTasksAreKilledRemovedAndForgotten) {
  start();
  ASSERT_TRUE(
      worker_.assign(complete({update(task("a")), update(task("b")), update(task("c"))})).is_ok());
  for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(executor_.wait_call(id, "wait"));

  ASSERT_TRUE(worker_.assign(incremental({remove("a")})).is_ok());
  ASSERT_TRUE(executor_.wait_call("a", "remove"));
  EXPECT_EQ(executor_.count("a", "terminate"), 1);
  ASSERT_TRUE(wait_count(2));

  // A complete set without "b" drops it as well.
  ASSERT_TRUE(worker_.assign(complete({update(task("c"))})).is_ok());
  ASSERT_TRUE(executor_.wait_call("b", "remove"));
  ASSERT_TRUE(wait_count(1));
  EXPECT_EQ(executor_.count("c", "terminate"), 0);
  EXPECT_EQ(sink_.states("a").back(), TaskState::kRunning);  // no report after removal
}

TEST_F(WorkerTest, ReportsFailures) {
  executor_.script("rejected", {.prepare_error = Status(Code::kInvalidArgument, "no such image")});
  executor_.script("nostart", {.start_error = Status(Code::kInternal, "runc: exec failed")});
  start();
  ASSERT_TRUE(worker_
                  .assign(complete({update(task("rejected")), update(task("nostart")),
                                    update(task("exits")), update(task("done"))}))
                  .is_ok());
  auto rejected = sink_.wait_state("rejected", TaskState::kRejected);
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->Err, "no such image");
  EXPECT_EQ(rejected->Message, "preparing");
  auto nostart = sink_.wait_state("nostart", TaskState::kFailed);
  ASSERT_TRUE(nostart);
  EXPECT_EQ(nostart->Err, "runc: exec failed");

  ASSERT_TRUE(executor_.wait_call("exits", "wait"));
  ASSERT_TRUE(executor_.exit("exits", 3));
  auto failed = sink_.wait_state("exits", TaskState::kFailed);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->Err, "task: non-zero exit (3)");
  EXPECT_EQ(failed->ContainerStatus->ExitCode, 3);

  ASSERT_TRUE(executor_.wait_call("done", "wait"));
  ASSERT_TRUE(executor_.exit("done", 0));
  auto done = sink_.wait_state("done", TaskState::kComplete);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->Message, "finished");
}

TEST_F(WorkerTest, RetriesTemporaryFailuresWhenTheirBackoffEnds) {
  executor_.script("a", {.prepare_unavailable = 2});
  start();
  const Timestamp t0 = clock_.now();
  ASSERT_TRUE(worker_.assign(complete({update(task("a"))})).is_ok());
  // The first failure is retried after 1 ms, the second after 2 ms (no jitter).
  ASSERT_TRUE(pool_sleeps_until(t0 + 1ms));
  EXPECT_EQ(executor_.count("a", "prepare"), 1);
  clock_.advance(1ms - 1ns);
  EXPECT_EQ(clock_.earliest_deadline(), t0 + 1ms);
  EXPECT_EQ(executor_.count("a", "prepare"), 1);
  clock_.advance(1ns);
  ASSERT_TRUE(pool_sleeps_until(t0 + 3ms));
  EXPECT_EQ(executor_.count("a", "prepare"), 2);
  clock_.advance(2ms - 1ns);
  EXPECT_EQ(executor_.count("a", "prepare"), 2);
  clock_.advance(1ns);
  ASSERT_TRUE(sink_.wait_state("a", TaskState::kRunning));
  EXPECT_EQ(executor_.count("a", "prepare"), 3);
}

TEST_F(WorkerTest, PausesAtReadyUntilDesiredRunning) {
  start();
  ASSERT_TRUE(worker_.assign(complete({update(task("a", TaskState::kReady))})).is_ok());
  ASSERT_TRUE(sink_.wait_state("a", TaskState::kReady));
  EXPECT_EQ(executor_.count("a", "start"), 0);
  ASSERT_TRUE(worker_.assign(incremental({update(task("a", TaskState::kRunning))})).is_ok());
  ASSERT_TRUE(sink_.wait_state("a", TaskState::kRunning));
}

TEST_F(WorkerTest, DesiredStateNeverMovesBack) {
  start();
  ASSERT_TRUE(worker_.assign(complete({update(task("a", TaskState::kShutdown))})).is_ok());
  ASSERT_TRUE(sink_.wait_state("a", TaskState::kShutdown));
  const size_t reports = sink_.states("a").size();
  ASSERT_TRUE(worker_.assign(incremental({update(task("a", TaskState::kRunning))})).is_ok());
  ASSERT_TRUE(worker_.assign(complete({update(task("a", TaskState::kRunning))})).is_ok());
  // Idle: whatever the assignments queued has run its course.
  ASSERT_TRUE(eventually([&] { return worker_.idle(); }));
  EXPECT_EQ(executor_.count("a", "start"), 0);
  EXPECT_EQ(sink_.states("a").size(), reports);
  EXPECT_EQ(sink_.states("a").back(), TaskState::kShutdown);
}

TEST_F(WorkerTest, TerminalTasksAreNotRun) {
  start();
  ASSERT_TRUE(
      worker_.assign(complete({update(task("old", TaskState::kShutdown, TaskState::kFailed))}))
          .is_ok());
  ASSERT_TRUE(worker_.assign(incremental({update(task("new"))})).is_ok());
  ASSERT_TRUE(sink_.wait_state("new", TaskState::kRunning));
  EXPECT_EQ(executor_.count("old", "resolve"), 0);
  EXPECT_TRUE(sink_.states("old").empty());
}

TEST_F(WorkerTest, KeepsSecretsAndConfigsForTheExecutor) {
  start();
  auto secret = std::make_shared<api::Secret>();
  secret->ID = "s1";
  auto config = std::make_shared<api::Config>();
  config->ID = "c1";
  ASSERT_TRUE(
      worker_
          .assign(complete({protocol::AssignmentChange{protocol::AssignmentAction::kUpdate,
                                                       std::shared_ptr<const api::Secret>(secret)},
                            protocol::AssignmentChange{protocol::AssignmentAction::kUpdate,
                                                       std::shared_ptr<const api::Config>(config)},
                            update(task("a"))}))
          .is_ok());
  ASSERT_TRUE(executor_.wait_call("a", "resolve"));
  const DependencyGetter* deps = executor_.deps();
  ASSERT_NE(deps, nullptr);
  EXPECT_NE(deps->secret("s1"), nullptr);
  EXPECT_NE(deps->config("c1"), nullptr);
  auto gone = std::make_shared<api::Secret>();
  gone->ID = "s1";
  ASSERT_TRUE(
      worker_
          .assign(incremental({protocol::AssignmentChange{
              protocol::AssignmentAction::kRemove, std::shared_ptr<const api::Secret>(gone)}}))
          .is_ok());
  EXPECT_EQ(deps->secret("s1"), nullptr);
  EXPECT_NE(deps->config("c1"), nullptr);
}

TEST_F(WorkerTest, RecoversTasksAfterRestart) {
  // A previous daemon left: "kept" running (still assigned), "orphan" running (no longer
  // assigned), "ended" exited with 0 while the daemon was down.
  std::vector<RecoveredTask> recovered;
  recovered.push_back(
      {"kept", RecoveredTask::State::kRunning, std::nullopt, executor_.make_controller("kept")});
  recovered.push_back({"orphan", RecoveredTask::State::kRunning, std::nullopt,
                       executor_.make_controller("orphan")});
  recovered.push_back({"ended", RecoveredTask::State::kExited, ExitStatus{0, {}},
                       executor_.make_controller("ended")});
  executor_.mark_running("kept");
  executor_.mark_running("orphan");
  executor_.set_recovered(std::move(recovered));
  start();

  ASSERT_TRUE(
      worker_
          .assign(complete({update(task("kept", TaskState::kRunning, TaskState::kRunning)),
                            update(task("ended", TaskState::kRunning, TaskState::kRunning)),
                            update(task("lost", TaskState::kRunning, TaskState::kRunning))}))
          .is_ok());
  ASSERT_TRUE(sink_.wait_state("ended", TaskState::kComplete));
  ASSERT_TRUE(executor_.wait_call("orphan", "remove"));
  EXPECT_EQ(executor_.count("orphan", "terminate"), 1);
  ASSERT_TRUE(executor_.wait_call("kept", "wait"));
  EXPECT_EQ(executor_.count("kept", "prepare"), 0);
  EXPECT_EQ(executor_.count("kept", "start"), 0);
  EXPECT_EQ(executor_.count("kept", "resolve"), 0);
  // "lost" was running for the manager but the executor does not have it: it failed.
  auto lost = sink_.wait_state("lost", TaskState::kFailed);
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->Err, "task lost is not running");

  // The adopted task still ends normally.
  ASSERT_TRUE(executor_.exit("kept", 0));
  ASSERT_TRUE(sink_.wait_state("kept", TaskState::kComplete));
}

TEST_F(WorkerTest, StatusesListsEveryAssignedTask) {
  start();
  ASSERT_TRUE(worker_.assign(complete({update(task("a")), update(task("b"))})).is_ok());
  ASSERT_TRUE(sink_.wait_state("a", TaskState::kRunning));
  ASSERT_TRUE(sink_.wait_state("b", TaskState::kRunning));
  auto statuses = worker_.statuses();
  ASSERT_EQ(statuses.size(), 2u);
  for (const auto& u : statuses) EXPECT_EQ(u.Status.State, TaskState::kRunning);
}

TEST_F(WorkerTest, StopLeavesTasksRunningAndRefusesAssignments) {
  start();
  ASSERT_TRUE(worker_.assign(complete({update(task("a"))})).is_ok());
  ASSERT_TRUE(executor_.wait_call("a", "wait"));
  worker_.stop();
  worker_.stop();
  EXPECT_EQ(executor_.count("a", "shutdown"), 0);
  EXPECT_EQ(executor_.count("a", "terminate"), 0);
  EXPECT_EQ(worker_.assign(complete({})).code(), Code::kFailedPrecondition);
  EXPECT_TRUE(executor_.exit("a", 0));  // a late exit after stop is ignored
}

}  // namespace
}  // namespace shoal::agent
