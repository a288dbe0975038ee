#include "manager/scheduler/scheduler.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "fixtures.h"
#include "store/datastore/memory.h"
#include "support/eventually.h"

namespace shoal::manager::scheduler {
namespace {

using namespace testing;
using namespace std::chrono_literals;

constexpr int64_t kStart = 1'700'000'000'000'000'000;

// A store on a MemoryDatastore and a Scheduler driven by hand: the test decides when events
// are delivered and when ticks run.
class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  void open() {
    scheduler_.reset();
    watch_ = store::Watch();
    store_.reset();
    auto ds = std::make_unique<store::MemoryDatastore>(disk_);
    ds_ = ds.get();
    auto opened = store::Store::open(std::move(ds), clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
    scheduler_ = std::make_unique<Scheduler>(*store_);
  }

  void start() {
    auto watch = store_->view_and_watch(
        [&](const store::ReadTxn& snapshot) {
          scheduler_->on_snapshot(snapshot);
          return Status::ok();
        },
        scheduler_->filter());
    ASSERT_TRUE(watch.is_ok());
    watch_ = std::move(watch).value();
  }

  void deliver() {
    while (auto changes = watch_.try_next()) {
      for (const store::Event& e : changes->events) scheduler_->on_event(e);
    }
  }

  std::optional<Timestamp> tick() {
    deliver();
    return scheduler_->tick(clock_->now());
  }

  void write(const std::function<Status(store::WriteTxn&)>& fn) {
    Status s = store_->update(fn);
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }

  void add_node(const std::string& id, NodeOptions o = {}) {
    write([&](store::WriteTxn& tx) { return tx.create(api::Node(*make_node(id, o))); });
  }

  void add_pending(int n, const std::string& service, std::shared_ptr<const api::TaskSpec> spec,
                   const std::string& prefix = "t") {
    Status s = store_->batch([&](store::Batch& batch) {
      for (int i = 0; i < n; ++i) {
        SHOAL_RETURN_IF_ERROR(batch.update([&](store::WriteTxn& tx) {
          return tx.create(task_value(prefix + std::to_string(i), service, i + 1, spec));
        }));
      }
      return Status::ok();
    });
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }

  std::shared_ptr<const api::Task> task(const std::string& id) {
    return store_->view().get<api::Task>(id);
  }

  template <typename Fn>
  void update_task(const std::string& id, Fn fn) {
    write([&](store::WriteTxn& tx) {
      api::Task t = *tx.get<api::Task>(id);
      fn(t);
      return tx.update(std::move(t));
    });
  }

  std::map<std::string, int> tasks_per_node() {
    std::map<std::string, int> out;
    auto view = store_->view();
    view.for_each<api::Task>(store::by::All{}, [&](const std::shared_ptr<const api::Task>& t) {
      if (t->Status.State == api::TaskState::kAssigned) ++out[t->NodeID];
    });
    return out;
  }

  std::shared_ptr<store::MemoryDatastore::Disk> disk_ =
      std::make_shared<store::MemoryDatastore::Disk>();
  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(Timestamp::from_unix_nanos(kStart));
  store::MemoryDatastore* ds_ = nullptr;
  std::unique_ptr<store::Store> store_;
  store::Watch watch_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(SchedulerTest, Places10000TasksOn100NodesInFewCommits) {
  for (int i = 0; i < 100; ++i) add_node("n" + std::to_string(i));
  add_pending(10000, "svc", make_spec({.cpus = kCpu / 100}));
  start();
  int commits_before = ds_->commits();
  EXPECT_EQ(tick(), std::nullopt);
  EXPECT_LE(ds_->commits() - commits_before, 2);  // 10,000 writes per datastore commit

  auto per_node = tasks_per_node();
  ASSERT_EQ(per_node.size(), 100u);
  for (const auto& [node, n] : per_node) EXPECT_EQ(n, 100) << node;
  auto t = task("t42");
  EXPECT_EQ(t->Status.State, api::TaskState::kAssigned);
  EXPECT_EQ(t->Status.Message, "scheduler assigned task to node");
  EXPECT_EQ(t->Status.Timestamp, clock_->now());

  // The commit's own events change nothing, and nothing is left to do.
  deliver();
  EXPECT_EQ(scheduler_->pending_tasks(), 0u);
  EXPECT_EQ(scheduler_->state().tracked_tasks(), 10000u);
  uint64_t revision = store_->revision();
  tick();
  EXPECT_EQ(store_->revision(), revision);
}

TEST_F(SchedulerTest, UnschedulableTaskSaysWhyOnceThenRetriesWhenANodeArrives) {
  for (int i = 0; i < 3; ++i) add_node("w" + std::to_string(i), {.labels = {{"zone", "west"}}});
  add_node("e0", {.cpus = kCpu, .labels = {{"zone", "east"}}});
  add_pending(1, "svc", make_spec({.cpus = 2 * kCpu, .constraints = {"node.labels.zone==east"}}));
  start();
  tick();
  auto t = task("t0");
  EXPECT_EQ(t->Status.State, api::TaskState::kPending);
  EXPECT_EQ(t->Status.Err,
            "no suitable node (scheduling constraints not satisfied on 3 nodes; insufficient "
            "resources on 1 node)");
  EXPECT_EQ(t->Status.Message, "pending task scheduling");

  // Nothing changed: the task is not rewritten, however often the scheduler ticks.
  uint64_t version = t->Version.Index;
  clock_->advance(1s);
  tick();
  EXPECT_EQ(task("t0")->Version.Index, version);
  add_node("w3", {.labels = {{"zone", "west"}}});  // a retry, with the same verdict + 1
  tick();
  EXPECT_EQ(task("t0")->Status.Err,
            "no suitable node (scheduling constraints not satisfied on 4 nodes; insufficient "
            "resources on 1 node)");
  version = task("t0")->Version.Index;
  tick();
  EXPECT_EQ(task("t0")->Version.Index, version);

  add_node("e1", {.cpus = 4 * kCpu, .labels = {{"zone", "east"}}});
  tick();
  EXPECT_EQ(task("t0")->Status.State, api::TaskState::kAssigned);
  EXPECT_EQ(task("t0")->NodeID, "e1");
}

TEST_F(SchedulerTest, RetriesWhenATaskLeavesItsNode) {
  add_node("n1", {.cpus = kCpu});
  auto spec = make_spec({.cpus = kCpu});
  write([&](store::WriteTxn& tx) { return tx.create(running_task("old", "svc", "n1", spec)); });
  add_pending(1, "svc", spec);
  start();
  tick();
  EXPECT_EQ(task("t0")->Status.Err, "no suitable node (insufficient resources on 1 node)");

  update_task("old", [](api::Task& t) { t.Status.State = api::TaskState::kComplete; });
  tick();
  EXPECT_EQ(task("t0")->Status.State, api::TaskState::kAssigned);
  EXPECT_EQ(task("t0")->NodeID, "n1");
}

TEST_F(SchedulerTest, GlobalTaskIsConfirmedOnItsNode) {
  add_node("n1");
  write([&](store::WriteTxn& tx) {
    api::Task t = task_value("g", "global", 0, make_spec());
    t.NodeID = "n1";
    return tx.create(t);
  });
  start();
  tick();
  EXPECT_EQ(task("g")->Status.State, api::TaskState::kAssigned);
  EXPECT_EQ(task("g")->NodeID, "n1");
  EXPECT_EQ(task("g")->Status.Message, "scheduler confirmed task can run on preassigned node");
}

TEST_F(SchedulerTest, PendingTaskDesiredShutdownIsShutDown) {
  add_pending(1, "svc", make_spec());
  start();
  tick();  // no nodes: stays pending
  EXPECT_EQ(task("t0")->Status.Err, "no suitable node");
  update_task("t0", [](api::Task& t) { t.DesiredState = api::TaskState::kShutdown; });
  tick();
  EXPECT_EQ(task("t0")->Status.State, api::TaskState::kShutdown);
  EXPECT_EQ(scheduler_->pending_tasks(), 0u);
}

TEST_F(SchedulerTest, TaskChangedAfterPlanningIsNotAssigned) {
  add_node("n1");
  add_pending(1, "svc", make_spec({.cpus = kCpu}));
  start();
  deliver();
  // The orchestrator shuts the task down; the scheduler has not seen that event yet.
  update_task("t0", [](api::Task& t) { t.DesiredState = api::TaskState::kShutdown; });
  EXPECT_EQ(scheduler_->tick(clock_->now()), std::nullopt);
  EXPECT_EQ(task("t0")->Status.State, api::TaskState::kPending);
  EXPECT_TRUE(task("t0")->NodeID.empty());
  EXPECT_EQ(scheduler_->state().nodes()[0].reserved_nano_cpus, 0);  // the charge was undone
  tick();
  EXPECT_EQ(task("t0")->Status.State, api::TaskState::kShutdown);
}

TEST_F(SchedulerTest, FailedCommitIsUndoneAndRetried) {
  add_node("n1", {.cpus = 10 * kCpu});
  add_pending(5, "svc", make_spec({.cpus = kCpu}));
  start();
  ds_->fail_commit(Status(Code::kInternal, "disk on fire"));
  auto follow_up = tick();
  ASSERT_TRUE(follow_up.has_value());
  EXPECT_EQ(*follow_up, clock_->now() + kRetryDelay);
  EXPECT_TRUE(tasks_per_node().empty());
  EXPECT_EQ(scheduler_->state().nodes()[0].reserved_nano_cpus, 0);

  clock_->advance(kRetryDelay);
  EXPECT_EQ(tick(), std::nullopt);
  EXPECT_EQ(tasks_per_node(), (std::map<std::string, int>{{"n1", 5}}));
  deliver();
  EXPECT_EQ(scheduler_->state().nodes()[0].reserved_nano_cpus, 5 * kCpu);
}

TEST_F(SchedulerTest, RestartCountsWhatIsAlreadyPlaced) {
  for (int i = 0; i < 4; ++i) add_node("n" + std::to_string(i), {.cpus = 2 * kCpu});
  auto spec = make_spec({.cpus = kCpu});
  add_pending(6, "svc", spec);
  start();
  tick();
  open();  // a new store on the same disk, a new scheduler
  add_pending(4, "svc", spec, "more");
  start();
  tick();
  auto per_node = tasks_per_node();
  for (const auto& [node, n] : per_node) EXPECT_EQ(n, 2) << node;
  EXPECT_EQ(task("more3")->Status.Err, "no suitable node (insufficient resources on 4 nodes)");
}

TEST_F(SchedulerTest, RunsInAReconcileLoop) {
  add_node("n1");
  ReconcileLoop loop(*store_, *clock_, *scheduler_);
  loop.start();
  add_pending(3, "svc", make_spec());
  bool placed = ::shoal::testing::eventually([&] { return tasks_per_node()["n1"] == 3; });
  loop.stop();
  EXPECT_TRUE(placed);
}

}  // namespace
}  // namespace shoal::manager::scheduler
