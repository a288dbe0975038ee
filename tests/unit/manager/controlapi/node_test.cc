#include "manager/controlapi/node.h"

#include <gtest/gtest.h>

#include "fixture.h"

namespace shoal::manager::controlapi {
namespace {

class NodeTest : public testing::ControlApiTest {
 protected:
  void SetUp() override { self_ = init(); }

  // A worker node as a join would make it.
  std::string add_worker(std::string hostname, api::NodeState state) {
    api::Node node;
    node.ID = ids_.next();
    node.Spec.Role = api::NodeRole::kWorker;
    node.Spec.Availability = api::NodeAvailability::kActive;
    node.Description.Hostname = std::move(hostname);
    node.Status.State = state;
    EXPECT_TRUE(store_->update([&](store::WriteTxn& tx) { return tx.create(node); }).is_ok());
    return node.ID;
  }

  std::string self_;
};

TEST_F(NodeTest, GetByIdNameAndPrefix) {
  EXPECT_EQ((*get_node(ctx(), self_))->ID, self_);
  EXPECT_EQ((*get_node(ctx(), "host-1"))->ID, self_);
  EXPECT_EQ((*get_node(ctx(), self_.substr(0, 4)))->ID, self_);
  EXPECT_ERROR(get_node(ctx(), "self").status(), Code::kNotFound, "node self not found");
  add_worker("host-1", api::NodeState::kReady);
  EXPECT_ERROR(get_node(ctx(), "host-1").status(), Code::kInvalidArgument,
               "node host-1 is ambiguous (2 matches found)");
}

TEST_F(NodeTest, ListFilters) {
  std::string worker = add_worker("worker-1", api::NodeState::kDown);
  auto ids = [&](auto edit) {
    NodeFilters f;
    edit(f);
    std::vector<std::string> out;
    auto listed = list_nodes(ctx(), f);
    EXPECT_TRUE(listed.is_ok());
    for (const auto& n : *listed) out.push_back(n->ID);
    std::sort(out.begin(), out.end());
    return out;
  };
  using V = std::vector<std::string>;
  V both{self_, worker};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(ids([](NodeFilters&) {}), both);
  EXPECT_EQ(ids([](NodeFilters& f) { f.roles = {api::NodeRole::kManager}; }), V{self_});
  EXPECT_EQ(ids([](NodeFilters& f) { f.names = {"work"}; }), V{worker});
  EXPECT_EQ(ids([&](NodeFilters& f) { f.id_prefixes = {worker.substr(0, 3)}; }), V{worker});
  EXPECT_EQ(ids([](NodeFilters& f) { f.memberships = {"pending"}; }), V{});
  EXPECT_EQ(ids([](NodeFilters& f) { f.node_labels = {{"zone", ""}}; }), V{});
}

TEST_F(NodeTest, UpdateReplacesTheSpec) {
  auto node = *get_node(ctx(), self_);
  api::NodeSpec spec = node->Spec;
  spec.Availability = api::NodeAvailability::kDrain;
  spec.Labels = {{"zone", "a"}};
  uint64_t before = revision();
  EXPECT_ERROR(update_node(ctx(), self_, node->Version.Index + 1, spec), Code::kOutOfSequence,
               "rpc error: code = Unknown desc = update out of sequence");
  EXPECT_EQ(revision(), before);
  ASSERT_TRUE(update_node(ctx(), "host-1", node->Version.Index, spec).is_ok());
  auto after = *get_node(ctx(), self_);
  EXPECT_EQ(after->Spec.Availability, api::NodeAvailability::kDrain);
  EXPECT_EQ(after->Spec.Labels.at("zone"), "a");
}

TEST_F(NodeTest, RoleRules) {
  auto node = *get_node(ctx(), self_);
  api::NodeSpec demote = node->Spec;
  demote.Role = api::NodeRole::kWorker;
  EXPECT_ERROR(update_node(ctx(), self_, node->Version.Index, demote), Code::kFailedPrecondition,
               "rpc error: code = FailedPrecondition desc = attempting to demote the last manager "
               "of the swarm");
  std::string worker = add_worker("worker-1", api::NodeState::kReady);
  auto w = *get_node(ctx(), worker);
  api::NodeSpec promote = w->Spec;
  promote.Role = api::NodeRole::kManager;
  EXPECT_EQ(update_node(ctx(), worker, w->Version.Index, promote).code(), Code::kUnimplemented);
  api::NodeSpec unset = w->Spec;
  unset.Role = api::NodeRole::kUnset;
  EXPECT_ERROR(update_node(ctx(), worker, w->Version.Index, unset), Code::kInvalidArgument,
               "invalid Role: \"\"");
}

TEST_F(NodeTest, RemoveRules) {
  EXPECT_ERROR(remove_node(ctx(), self_, true), Code::kFailedPrecondition,
               "rpc error: code = FailedPrecondition desc = node " + self_ +
                   " is a cluster manager and is a member of the raft cluster. It must be demoted "
                   "to worker before removal");
  std::string ready = add_worker("worker-1", api::NodeState::kReady);
  EXPECT_ERROR(remove_node(ctx(), "worker-1", false), Code::kFailedPrecondition,
               "rpc error: code = FailedPrecondition desc = node " + ready +
                   " is not down and can't be removed");

  api::Task task;
  task.ID = ids_.next();
  task.NodeID = ready;
  task.Status.State = api::TaskState::kRunning;
  task.DesiredState = api::TaskState::kRunning;
  ASSERT_TRUE(store_->update([&](store::WriteTxn& tx) { return tx.create(task); }).is_ok());
  ASSERT_TRUE(remove_node(ctx(), "worker-1", true).is_ok());
  auto view = store_->view();
  EXPECT_FALSE(view.get<api::Node>(ready));
  EXPECT_EQ(view.get<api::Task>(task.ID)->Status.State, api::TaskState::kOrphaned);
  EXPECT_EQ(view.get<api::Task>(task.ID)->Status.Message,
            "Task belonged to a node that has been deleted");
}

}  // namespace
}  // namespace shoal::manager::controlapi
