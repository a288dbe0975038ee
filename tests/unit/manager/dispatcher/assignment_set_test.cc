#include "manager/dispatcher/assignment_set.h"

#include <gtest/gtest.h>

#include "fixture.h"

namespace shoal::manager::dispatcher {
namespace {

using namespace std::chrono_literals;

using api::TaskState;

// "update task a", "remove secret s1", ... in message order.
std::vector<std::string> describe(const ChangeMap& changes) {
  std::vector<std::string> out;
  for (const auto& [key, change] : changes) {
    std::string action = change.Action == protocol::AssignmentAction::kUpdate ? "update" : "remove";
    const char* kind = key.first == ItemKind::kTask     ? "task"
                       : key.first == ItemKind::kSecret ? "secret"
                                                        : "config";
    out.push_back(action + " " + kind + " " + key.second);
  }
  return out;
}

using Strings = std::vector<std::string>;

class AssignmentSetTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    add_node("n1");
    add_node("n2");
    add_secret("s1");
    add_secret("s2");
    add_secret("unused");
    add_config("c1");
  }

  ChangeMap build() {
    ChangeMap out;
    set_.build(store_->view(), out);
    return out;
  }
  ChangeMap sync(const std::string& id) {
    ChangeMap out;
    set_.sync_task(store_->view(), id, out);
    return out;
  }

  AssignmentSet set_{"n1"};
};

TEST_F(AssignmentSetTest, CompleteSetHasAssignedTasksAndOnlyTheirDependencies) {
  add_task(make_task("a", "n1", TaskState::kAssigned, spec({"s1"}, {"c1"})));
  add_task(make_task("b", "n1", TaskState::kRunning, spec({"s1"})));
  add_task(make_task("old", "n1", TaskState::kFailed, spec({"s2"})));  // ended: no secret
  add_task(make_task("pending", "n1", TaskState::kPending));           // not assigned yet
  add_task(make_task("other", "n2", TaskState::kAssigned, spec({"s2"})));
  EXPECT_EQ(describe(build()), (Strings{"update secret s1", "update config c1", "update task a",
                                        "update task b", "update task old"}));
  EXPECT_EQ(set_.task_count(), 3u);
  EXPECT_EQ(set_.dependency_count(), 2u);
}

TEST_F(AssignmentSetTest, SecretsGoWhenTheLastTaskUsingThemEnds) {
  add_task(make_task("a", "n1", TaskState::kRunning, spec({"s1"})));
  add_task(make_task("b", "n1", TaskState::kRunning, spec({"s1"})));
  build();
  change_task("a", [](api::Task& t) { t.Status.State = TaskState::kComplete; });
  EXPECT_TRUE(sync("a").empty());  // the agent reported it; b still uses s1
  change_task("b", [](api::Task& t) { t.Status.State = TaskState::kFailed; });
  EXPECT_EQ(describe(sync("b")), (Strings{"remove secret s1"}));
  EXPECT_EQ(set_.dependency_count(), 0u);
}

TEST_F(AssignmentSetTest, AgentReportsAreNotEchoedButDesiredChangesAre) {
  add_task(make_task("a", "n1"));
  build();
  change_task("a", [](api::Task& t) { t.Status.State = TaskState::kRunning; });
  EXPECT_TRUE(sync("a").empty());
  change_task("a", [](api::Task& t) { t.DesiredState = TaskState::kShutdown; });
  EXPECT_EQ(describe(sync("a")), (Strings{"update task a"}));
}

TEST_F(AssignmentSetTest, NewlyAssignedTasksAreAddedDeletedOnesRemoved) {
  build();
  add_task(make_task("p", "n1", TaskState::kPending, spec({"s1"})));
  EXPECT_TRUE(sync("p").empty());
  change_task("p", [](api::Task& t) { t.Status.State = TaskState::kAssigned; });
  EXPECT_EQ(describe(sync("p")), (Strings{"update secret s1", "update task p"}));
  write([](store::WriteTxn& tx) { return tx.remove<api::Task>("p"); });
  EXPECT_EQ(describe(sync("p")), (Strings{"remove secret s1", "remove task p"}));
  EXPECT_TRUE(sync("p").empty());
}

TEST_F(AssignmentSetTest, ResyncFindsWhatWasMissed) {
  add_task(make_task("a", "n1"));
  add_task(make_task("b", "n1"));
  build();
  write([](store::WriteTxn& tx) { return tx.remove<api::Task>("a"); });
  add_task(make_task("c", "n1"));
  ChangeMap out;
  EXPECT_TRUE(set_.resync(store_->view(), out));
  EXPECT_EQ(describe(out), (Strings{"remove task a", "update task c"}));
}

TEST_F(AssignmentSetTest, MissingSecretIsNotSent) {
  add_task(make_task("a", "n1", TaskState::kAssigned, spec({"ghost", "s1"})));
  EXPECT_EQ(describe(build()), (Strings{"update secret s1", "update task a"}));
}

}  // namespace
}  // namespace shoal::manager::dispatcher
