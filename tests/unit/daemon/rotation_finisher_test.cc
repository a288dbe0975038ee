#include "daemon/rotation_finisher.h"

#include <gtest/gtest.h>

#include "../ca/ca_fixture.h"

namespace shoal::daemon {
namespace {

class RotationFinisherTest : public ca::testing::CATest {
 protected:
  std::string csr() {
    auto made = ca::make_key_and_csr();
    EXPECT_TRUE(made.is_ok());
    return made->csr_pem;
  }
  // A joined worker node, READY.
  std::string ready_worker(ca::NodeCA& node_ca) {
    auto issued = node_ca.issue({csr(), cluster()->JoinTokens.Worker, {}, "10.0.0.7"});
    EXPECT_TRUE(issued.is_ok());
    set_state(issued->node_id, api::NodeState::kReady);
    return issued->node_id;
  }
  void set_state(const std::string& id, api::NodeState state) {
    Status st = store_->update([&](store::WriteTxn& tx) {
      api::Node node = *tx.get<api::Node>(id);
      node.Status.State = state;
      return tx.update(std::move(node));
    });
    ASSERT_TRUE(st.is_ok()) << st.to_string();
  }
  static store::Event node_event() {
    store::Event e;
    e.kind = store::Kind::kNode;
    e.action = store::Action::kUpdate;
    return e;
  }
};

TEST_F(RotationFinisherTest, ANodeGoingDownEndsTheRotationItHeldUp) {
  ca::NodeCA node_ca(*store_, *clock_, ids_);
  std::string a = ready_worker(node_ca);
  std::string b = ready_worker(node_ca);
  auto new_root = ca::make_root_ca(clock_->now());
  ASSERT_TRUE(new_root.is_ok());
  update_cluster(
      [&](api::Swarm& c) { ASSERT_TRUE(ca::install_root(c, *new_root, true, random_).is_ok()); });
  ASSERT_TRUE(node_ca.renew(a, csr()).is_ok());

  RotationFinisher finisher(node_ca);
  finisher.on_snapshot(store_->view());
  EXPECT_EQ(finisher.tick(clock_->now()), std::nullopt);
  EXPECT_TRUE(cluster()->RootRotationInProgress) << "b still holds the old root";

  set_state(b, api::NodeState::kDown);
  finisher.on_event(node_event());
  EXPECT_EQ(finisher.tick(clock_->now()), std::nullopt);
  EXPECT_FALSE(cluster()->RootRotationInProgress);
  EXPECT_EQ(*node_ca.root_ca_pem(), new_root->cert_pem);
}

TEST_F(RotationFinisherTest, NothingToDoWithoutARotation) {
  ca::NodeCA node_ca(*store_, *clock_, ids_);
  RotationFinisher finisher(node_ca);
  finisher.on_snapshot(store_->view());
  finisher.on_event(node_event());
  uint64_t before = store_->view().revision();
  EXPECT_EQ(finisher.tick(clock_->now()), std::nullopt);
  EXPECT_EQ(store_->view().revision(), before);
}

}  // namespace
}  // namespace shoal::daemon
