#include "manager/controlapi/task.h"

#include <gtest/gtest.h>

#include "fixture.h"
#include "manager/controlapi/service.h"

namespace shoal::manager::controlapi {
namespace {

class TaskTest : public testing::ControlApiTest {
 protected:
  void SetUp() override {
    self_ = init();
    web_ = create("web", {{"stack", "a"}});
    db_ = create("db", {});
  }

  std::string create(std::string name, api::StringMap labels) {
    api::ServiceSpec spec;
    spec.Name = std::move(name);
    spec.Labels = std::move(labels);
    spec.TaskTemplate.ContainerSpec.emplace();
    spec.TaskTemplate.ContainerSpec->Image = "nginx";
    auto created = create_service(ctx(), spec);
    EXPECT_TRUE(created.is_ok()) << created.status().to_string();
    return created->ID;
  }

  std::string add_task(const std::string& service_id, int64_t slot, api::TaskState desired,
                       bool current_spec = true) {
    // The stored service, as the orchestrator sees it (answers lack the internal fields).
    auto service = **store_->view().lookup<api::Service>(service_id);
    api::Task task;
    task.ID = ids_.next();
    task.ServiceID = service_id;
    task.Slot = slot;
    task.NodeID = self_;
    api::TaskSpec spec = service.Spec.TaskTemplate;
    if (!current_spec) spec.ContainerSpec->Image = "nginx:old";
    task.Spec = std::make_shared<api::TaskSpec>(spec);
    task.Status.State = api::TaskState::kRunning;
    task.DesiredState = desired;
    EXPECT_TRUE(store_->update([&](store::WriteTxn& tx) { return tx.create(task); }).is_ok());
    return task.ID;
  }

  std::vector<std::string> ids(const TaskFilters& f) {
    std::vector<std::string> out;
    auto listed = list_tasks(ctx(), f);
    EXPECT_TRUE(listed.is_ok()) << listed.status().to_string();
    if (listed.is_ok()) {
      for (const auto& t : *listed) out.push_back(t->ID);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string self_, web_, db_;
};

TEST_F(TaskTest, Filters) {
  std::string w1 = add_task(web_, 1, api::TaskState::kRunning);
  std::string w2 = add_task(web_, 2, api::TaskState::kShutdown, false);
  std::string d1 = add_task(db_, 1, api::TaskState::kRunning);
  using V = std::vector<std::string>;
  auto sorted = [](V v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  TaskFilters f;
  EXPECT_EQ(ids(f), sorted({w1, w2, d1}));
  f.services = {"web"};  // a name resolves to the ID
  EXPECT_EQ(ids(f), sorted({w1, w2}));
  f.up_to_date = true;
  EXPECT_EQ(ids(f), V{w1});
  f = {};
  f.labels = {{"stack", "a"}};  // the service's labels
  EXPECT_EQ(ids(f), sorted({w1, w2}));
  f = {};
  f.desired_states = {api::TaskState::kRunning};
  EXPECT_EQ(ids(f), sorted({w1, d1}));
  f = {};
  f.names = {"web.2"};
  EXPECT_EQ(ids(f), V{w2});
  f = {};
  f.nodes = {"host-1"};
  EXPECT_EQ(ids(f).size(), 3u);
  f = {};
  f.id_prefixes = {d1.substr(0, 8)};
  EXPECT_EQ(ids(f), V{d1});
  f = {};
  f.services = {"nope"};
  EXPECT_ERROR(list_tasks(ctx(), f).status(), Code::kNotFound, "service nope not found");
}

TEST_F(TaskTest, PlacementOnlyChangesKeepFittingTasksUpToDate) {
  std::string w1 = add_task(web_, 1, api::TaskState::kRunning);
  auto update = [&](std::string constraint) {
    auto service = *get_service(ctx(), web_, false);
    api::ServiceSpec spec = service.Spec;
    spec.TaskTemplate.Placement = api::Placement{{std::move(constraint)}, {}, 0, {}};
    ASSERT_TRUE(update_service(ctx(), web_, service.Version.Index, spec, false).is_ok());
  };
  TaskFilters f;
  f.services = {web_};
  f.up_to_date = true;
  update("node.role==manager");  // the task's node still fits: no redeploy, up to date
  EXPECT_EQ(ids(f), std::vector<std::string>{w1});
  update("node.role==worker");  // it does not: the updater replaces it
  EXPECT_EQ(ids(f), std::vector<std::string>{});
}

TEST_F(TaskTest, GetByIdNameOrPrefix) {
  std::string w1 = add_task(web_, 1, api::TaskState::kRunning);
  EXPECT_EQ((*get_task(ctx(), w1))->ID, w1);
  EXPECT_EQ((*get_task(ctx(), "web.1." + w1))->ID, w1);
  EXPECT_EQ((*get_task(ctx(), w1.substr(0, 10)))->ID, w1);
  EXPECT_ERROR(get_task(ctx(), "zzz").status(), Code::kNotFound, "task zzz not found");
}

}  // namespace
}  // namespace shoal::manager::controlapi
