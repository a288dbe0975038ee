// The orchestrator loops against a real store (MemoryDatastore) and a fake agent that the
// test thread drives: it assigns tasks (the scheduler is not ours), runs them, completes job
// tasks and stops what is desired to stop.
#include "manager/orchestrator/orchestrator.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "api/task_lifecycle.h"
#include "store/datastore/memory.h"
#include "support/eventually.h"
#include "world.h"

namespace shoal::manager::orchestrator {
namespace {

using namespace testing;
using api::TaskState;

class OrchestratorStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Store::open(std::make_unique<store::MemoryDatastore>(disk_), clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    if (orchestrators_) orchestrators_->stop();
  }

  void start() {
    orchestrators_ = std::make_unique<Orchestrators>(OrchestratorDeps{*store_, *clock_, ids_});
    orchestrators_->start();
  }

  void write(const std::function<Status(store::WriteTxn&)>& fn) {
    Status s = store_->update(fn);
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }

  void put_node(std::shared_ptr<const api::Node> node) {
    write([&](store::WriteTxn& tx) {
      api::Node n = *node;
      if (auto current = tx.get<api::Node>(n.ID)) {
        n.Version = current->Version;
        return tx.update(n);
      }
      return tx.create(n);
    });
  }

  void edit_service(const std::string& id, const std::function<void(api::Service&)>& fn) {
    write([&](store::WriteTxn& tx) {
      api::Service s = *tx.get<api::Service>(id);
      fn(s);
      return tx.update(s);
    });
  }

  // One round of the fake agent. Conflicts with the orchestrators are retried next round.
  void agent_round() {
    (void)store_->update([&](store::WriteTxn& tx) {
      Timestamp now = clock_->now();
      for (const TaskPtr& p : tx.find<api::Task>()) {
        api::Task t = *p;
        TaskState before = t.Status.State;
        if (api::is_terminal(t.Status.State)) continue;
        if (fail_next_ == t.ID) {
          (void)api::advance_task(t, TaskState::kFailed, "exited", now, "task: non-zero exit (1)");
          fail_next_.clear();
        } else if (t.DesiredState > TaskState::kComplete) {
          if (t.Status.State >= TaskState::kAssigned)
            (void)api::advance_task(t, TaskState::kShutdown, "shutdown", now);
        } else if (t.Status.State < TaskState::kAssigned) {
          if (t.NodeID.empty()) t.NodeID = "n1";
          (void)api::advance_task(t, TaskState::kAssigned, "assigned", now);
        } else if (t.DesiredState >= TaskState::kRunning && t.Status.State < TaskState::kRunning) {
          (void)api::advance_task(t, TaskState::kRunning, "started", now);
        } else if (t.DesiredState == TaskState::kComplete &&
                   t.Status.State == TaskState::kRunning) {
          (void)api::advance_task(t, TaskState::kComplete, "finished", now);
        }
        if (t.Status.State != before) SHOAL_RETURN_IF_ERROR(tx.update(t));
      }
      return Status::ok();
    });
  }

  // Runs the agent and moves the clock on (100 ms a round) until pred() holds; at most
  // testing::kEventuallyLimit of real time.
  template <typename Pred>
  bool eventually(Pred pred) {
    return ::shoal::testing::eventually([&] {
      agent_round();
      if (pred()) return true;
      clock_->advance(100ms);
      return false;
    });
  }

  std::vector<TaskPtr> tasks_of(const std::string& service_id) {
    return store_->view().find<api::Task>(store::by::Service{service_id});
  }

  std::vector<TaskPtr> wanted(const std::string& service_id,
                              TaskState limit = TaskState::kRunning) {
    std::vector<TaskPtr> out;
    for (const TaskPtr& t : tasks_of(service_id)) {
      if (t->DesiredState <= limit) out.push_back(t);
    }
    return out;
  }

  size_t running(const std::string& service_id) {
    size_t n = 0;
    for (const TaskPtr& t : wanted(service_id)) n += t->Status.State == TaskState::kRunning ? 1 : 0;
    return n;
  }

  std::optional<api::UpdateState> update_state(const std::string& id) {
    auto s = store_->view().get<api::Service>(id);
    if (!s || !s->UpdateStatus) return std::nullopt;
    return s->UpdateStatus->State;
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(t0());
  std::shared_ptr<store::MemoryDatastore::Disk> disk_ =
      std::make_shared<store::MemoryDatastore::Disk>();
  std::unique_ptr<store::Store> store_;
  IdGenerator ids_{7};
  std::unique_ptr<Orchestrators> orchestrators_;
  std::string fail_next_;
};

TEST_F(OrchestratorStoreTest, ReplicatedServiceLifecycle) {
  put_node(make_node("n1"));
  start();
  write([](store::WriteTxn& tx) { return tx.create(replicated_service(3, "busybox:1")); });
  ASSERT_TRUE(eventually([&] { return running("svc1") == 3; }));
  std::set<int64_t> slots;
  for (const TaskPtr& t : wanted("svc1")) slots.insert(t->Slot);
  EXPECT_EQ(slots, (std::set<int64_t>{1, 2, 3}));
  EXPECT_FALSE(update_state("svc1")) << "creating a service starts no update";

  // docker service update --image busybox:2
  edit_service("svc1", [](api::Service& s) {
    s.PreviousSpec = s.Spec;
    s.Spec.TaskTemplate.ContainerSpec->Image = "busybox:2";
    s.UpdateStatus.reset();
  });
  ASSERT_TRUE(eventually([&] { return update_state("svc1") == api::UpdateState::kCompleted; }));
  ASSERT_EQ(wanted("svc1").size(), 3u);
  const api::TaskSpec* shared = wanted("svc1")[0]->Spec.get();
  for (const TaskPtr& t : wanted("svc1")) {
    EXPECT_EQ(t->Spec->ContainerSpec->Image, "busybox:2");
    EXPECT_EQ(t->Spec.get(), shared);
    EXPECT_EQ(t->Status.State, TaskState::kRunning);
  }

  // docker service scale svc1=1
  edit_service("svc1", [](api::Service& s) { s.Spec.Mode.Replicated->Replicas = 1; });
  ASSERT_TRUE(eventually([&] { return wanted("svc1").size() == 1 && running("svc1") == 1; }));

  // The task fails: a replacement runs in its slot after the restart delay.
  TaskPtr victim = wanted("svc1").at(0);
  fail_next_ = victim->ID;
  ASSERT_TRUE(eventually([&] {
    auto w = wanted("svc1");
    return w.size() == 1 && w[0]->ID != victim->ID && w[0]->Status.State == TaskState::kRunning;
  }));
  EXPECT_EQ(wanted("svc1")[0]->Slot, victim->Slot);

  // docker service rm: every task is stopped and, once stopped, deleted.
  write([](store::WriteTxn& tx) { return tx.remove<api::Service>("svc1"); });
  ASSERT_TRUE(eventually([&] { return tasks_of("svc1").empty(); }));
}

TEST_F(OrchestratorStoreTest, GlobalServiceFollowsNodes) {
  put_node(make_node("n1"));
  start();
  write([](store::WriteTxn& tx) { return tx.create(global_service()); });
  ASSERT_TRUE(eventually([&] { return running("svc1") == 1; }));
  put_node(make_node("n2"));
  ASSERT_TRUE(eventually([&] { return running("svc1") == 2; }));
  put_node(make_node("n1", api::NodeState::kReady, api::NodeAvailability::kDrain));
  ASSERT_TRUE(eventually([&] {
    auto w = wanted("svc1");
    return w.size() == 1 && w[0]->NodeID == "n2" && running("svc1") == 1;
  }));
}

TEST_F(OrchestratorStoreTest, ReplicatedJobRunsToCompletion) {
  put_node(make_node("n1"));
  start();
  api::Service job = replicated_service(0);
  job.Spec.Mode = {};
  job.Spec.Mode.ReplicatedJob = api::ReplicatedJob{2, 5};
  job.JobStatus.emplace().JobIteration.Index = 1;
  write([&](store::WriteTxn& tx) { return tx.create(job); });
  auto completed = [&] {
    size_t n = 0;
    for (const TaskPtr& t : tasks_of("svc1")) n += t->Status.State == TaskState::kComplete ? 1 : 0;
    return n;
  };
  ASSERT_TRUE(eventually([&] { return completed() == 5; }));
  for (int i = 0; i < 20; ++i) agent_round();
  EXPECT_EQ(tasks_of("svc1").size(), 5u) << "no task beyond TotalCompletions";
}

TEST_F(OrchestratorStoreTest, LeaderStartUpConvergesFromWhatTheStoreHolds) {
  put_node(make_node("n1"));
  api::Service s = replicated_service(2);
  s.Spec.TaskTemplate.RestartPolicy.emplace().Delay = std::chrono::nanoseconds(0);
  auto spec = std::make_shared<const api::TaskSpec>(s.Spec.TaskTemplate);
  auto task = [&](const std::string& id, int64_t slot, TaskState state, TaskState desired,
                  const std::string& service = "svc1") {
    api::Task t;
    t.ID = id;
    t.ServiceID = service;
    t.Slot = slot;
    t.NodeID = state >= TaskState::kAssigned ? "n1" : "";
    t.Spec = spec;
    t.Status.State = state;
    t.Status.Timestamp = clock_->now();
    t.DesiredState = desired;
    return t;
  };
  // The previous leader died mid-restart (slot 1) and mid-delete (a gone service's task).
  write([&](store::WriteTxn& tx) {
    SHOAL_RETURN_IF_ERROR(tx.create(s));
    SHOAL_RETURN_IF_ERROR(tx.create(task("old1", 1, TaskState::kFailed, TaskState::kShutdown)));
    SHOAL_RETURN_IF_ERROR(tx.create(task("new1", 1, TaskState::kNew, TaskState::kReady)));
    SHOAL_RETURN_IF_ERROR(tx.create(task("run2", 2, TaskState::kRunning, TaskState::kRunning)));
    return tx.create(task("orphan", 1, TaskState::kRunning, TaskState::kRunning, "gone"));
  });
  start();
  ASSERT_TRUE(eventually([&] { return running("svc1") == 2 && tasks_of("gone").empty(); }));
  for (int i = 0; i < 20; ++i) agent_round();
  std::map<int64_t, int> per_slot;
  for (const TaskPtr& t : wanted("svc1")) per_slot[t->Slot]++;
  EXPECT_EQ(per_slot, (std::map<int64_t, int>{{1, 1}, {2, 1}}));
  EXPECT_EQ(store_->view().get<api::Task>("new1")->DesiredState, TaskState::kRunning)
      << "the ready replacement was started, not duplicated";
}

}  // namespace
}  // namespace shoal::manager::orchestrator
