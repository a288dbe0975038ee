// The hollow fleet against a real dispatcher on a MemoryDatastore store: nodes register,
// assigned tasks reach RUNNING, tasks desired to stop reach SHUTDOWN, and failures (no
// node, a stream that cannot signal readiness, a lost report) are retried.
#include "scale/hollow_fleet.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "manager/dispatcher/dispatcher.h"
#include "protocol/local_client.h"
#include "store/datastore/memory.h"
#include "store/store.h"
#include "support/eventually.h"

namespace shoal::scale {
namespace {

using namespace std::chrono_literals;
using api::TaskState;
namespace dispatcher = manager::dispatcher;

using ::shoal::testing::eventually;

// A client over the local one that can refuse readiness or fail reports.
class TestClient final : public protocol::DispatcherClient {
 public:
  TestClient(std::unique_ptr<protocol::DispatcherClient> inner, bool blocking_streams,
             std::atomic<int>* failing_reports)
      : inner_(std::move(inner)), blocking_(blocking_streams), failing_(failing_reports) {}
  Result<protocol::SessionMessage> session(const protocol::SessionRequest& r) override {
    return inner_->session(r);
  }
  Result<protocol::HeartbeatResponse> heartbeat(const protocol::HeartbeatRequest& r) override {
    return inner_->heartbeat(r);
  }
  Status update_task_status(const protocol::UpdateTaskStatusRequest& r) override {
    return inner_->update_task_status(r);
  }
  void update_task_status_async(protocol::UpdateTaskStatusRequest r,
                                std::function<void(Status)> done) override {
    if (failing_ != nullptr && failing_->fetch_sub(1) > 0) {
      done(Status(Code::kInternal, "lost"));
      return;
    }
    inner_->update_task_status_async(std::move(r), std::move(done));
  }
  Result<std::unique_ptr<protocol::AssignmentStream>> assignments(
      const protocol::AssignmentsRequest& r) override {
    auto stream = inner_->assignments(r);
    if (!stream.is_ok() || !blocking_) return stream;
    // A stream that only blocks (the interface's default: no readiness).
    struct Blocking final : protocol::AssignmentStream {
      std::unique_ptr<protocol::AssignmentStream> s;
      Result<std::optional<protocol::AssignmentsMessage>> recv(
          std::chrono::nanoseconds t) override {
        return s->recv(t);
      }
      void cancel() override { s->cancel(); }
    };
    auto wrapped = std::make_unique<Blocking>();
    wrapped->s = std::move(stream).value();
    return std::unique_ptr<protocol::AssignmentStream>(std::move(wrapped));
  }

 private:
  std::unique_ptr<protocol::DispatcherClient> inner_;
  bool blocking_;
  std::atomic<int>* failing_;
};

class HollowFleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ =
        std::move(store::Store::open(std::make_unique<store::MemoryDatastore>(), clock_)).value();
    dispatcher_ = std::make_unique<dispatcher::Dispatcher>(
        *store_, *clock_, ids_, dispatcher::DispatcherOptions{.seed = 1});
  }
  void TearDown() override {
    if (fleet_) fleet_->stop();
    dispatcher_->stop();
  }

  std::vector<FleetNode> add_nodes(int n) {
    std::vector<FleetNode> nodes;
    for (int i = 0; i < n; ++i)
      nodes.push_back({"node" + std::to_string(i), "host" + std::to_string(i)});
    write([&](store::WriteTxn& tx) {
      for (const FleetNode& f : nodes) {
        api::Node node;
        node.ID = f.id;
        node.Spec.Role = api::NodeRole::kWorker;
        node.Spec.Availability = api::NodeAvailability::kActive;
        SHOAL_RETURN_IF_ERROR(tx.create(node));
      }
      return Status::ok();
    });
    return nodes;
  }

  void start_fleet(std::vector<FleetNode> nodes, bool blocking = false,
                   std::atomic<int>* failing = nullptr) {
    ASSERT_TRUE(dispatcher_->start().is_ok());
    FleetOptions options;
    options.reconnect = {5ms, 20ms, 2.0, 0.5};
    auto make = [this, blocking, failing](const std::string& id) {
      return std::unique_ptr<protocol::DispatcherClient>(
          std::make_unique<TestClient>(std::make_unique<protocol::LocalDispatcherClient>(
                                           *dispatcher_, protocol::Peer{id, "10.0.0.1"}),
                                       blocking, failing));
    };
    fleet_ = std::make_unique<HollowFleet>(std::move(nodes), make, *clock_, options);
    fleet_->start();
  }

  void write(const std::function<Status(store::WriteTxn&)>& fn) {
    Status s = store_->update(fn);
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }

  // Creates `n` tasks assigned round-robin to `nodes`, in one commit.
  void assign(const std::vector<FleetNode>& nodes, int n) {
    write([&](store::WriteTxn& tx) {
      for (int i = 0; i < n; ++i) {
        api::Task t;
        t.ID = "task" + std::to_string(i);
        t.ServiceID = "svc";
        t.Slot = i + 1;
        t.NodeID = nodes[i % nodes.size()].id;
        t.DesiredState = TaskState::kRunning;
        t.Status.State = TaskState::kAssigned;
        SHOAL_RETURN_IF_ERROR(tx.create(t));
      }
      return Status::ok();
    });
  }

  size_t count(std::function<bool(const api::Task&)> pred) {
    size_t n = 0;
    store_->view().for_each<api::Task>(
        store::by::All{},
        [&](const std::shared_ptr<const api::Task>& t) { n += pred(*t) ? 1 : 0; });
    return n;
  }
  size_t ready_nodes() {
    size_t n = 0;
    store_->view().for_each<api::Node>(store::by::All{},
                                       [&](const std::shared_ptr<const api::Node>& node) {
                                         n += node->Status.State == api::NodeState::kReady ? 1 : 0;
                                       });
    return n;
  }

  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(Timestamp::from_unix_nanos(1'700'000'000'000'000'000));
  IdGenerator ids_{7};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<dispatcher::Dispatcher> dispatcher_;
  std::unique_ptr<HollowFleet> fleet_;
};

TEST_F(HollowFleetTest, NodesRegisterTasksRunThenShutDown) {
  auto nodes = add_nodes(50);
  start_fleet(nodes);
  ASSERT_TRUE(eventually([&] { return ready_nodes() == 50; }));
  auto node = store_->view().get<api::Node>("node7");
  EXPECT_EQ(node->Description.Hostname, "host7");
  EXPECT_EQ(node->Status.Addr, "10.0.0.1");

  assign(nodes, 500);
  ASSERT_TRUE(eventually([&] {
    return count([](const api::Task& t) { return t.Status.State == TaskState::kRunning; }) == 500;
  }));
  write([&](store::WriteTxn& tx) {
    for (const auto& t : tx.find<api::Task>()) {
      api::Task stopped = *t;
      stopped.DesiredState = TaskState::kShutdown;
      SHOAL_RETURN_IF_ERROR(tx.update(stopped));
    }
    return Status::ok();
  });
  ASSERT_TRUE(eventually([&] {
    return count([](const api::Task& t) { return t.Status.State == TaskState::kShutdown; }) == 500;
  }));
  FleetStats stats = fleet_->stats();
  EXPECT_EQ(stats.sessions, 50u);
  EXPECT_EQ(stats.connected, 50u);
  EXPECT_EQ(stats.failures, 0u);
  EXPECT_EQ(stats.reports, 1000u);  // each task reported once running, once shut down
  EXPECT_EQ(dispatcher_->session_count(), 50u);
}

TEST_F(HollowFleetTest, AMissingNodeRetriesUntilItExists) {
  std::vector<FleetNode> nodes{{"late", "late-host"}};
  start_fleet(nodes);
  ASSERT_TRUE(eventually([&] { return fleet_->stats().failures >= 2; }));
  EXPECT_EQ(fleet_->stats().connected, 0u);
  write([&](store::WriteTxn& tx) {
    api::Node node;
    node.ID = "late";
    node.Spec.Availability = api::NodeAvailability::kActive;
    return tx.create(node);
  });
  ASSERT_TRUE(eventually([&] { return ready_nodes() == 1; }));
  EXPECT_TRUE(eventually([&] { return fleet_->stats().connected == 1; }));
}

TEST_F(HollowFleetTest, StreamsThatCannotSignalReadinessAreRefused) {
  auto nodes = add_nodes(2);
  start_fleet(nodes, /*blocking=*/true);
  ASSERT_TRUE(eventually([&] { return fleet_->stats().failures >= 4; }));
  EXPECT_EQ(fleet_->stats().connected, 0u);
}

TEST_F(HollowFleetTest, ALostReportIsDerivedAgainFromANewStream) {
  auto nodes = add_nodes(3);
  std::atomic<int> failing{2};
  start_fleet(nodes, false, &failing);
  ASSERT_TRUE(eventually([&] { return ready_nodes() == 3; }));
  assign(nodes, 30);
  ASSERT_TRUE(eventually([&] {
    return count([](const api::Task& t) { return t.Status.State == TaskState::kRunning; }) == 30;
  }));
  EXPECT_GE(fleet_->stats().failures, 2u);
}

TEST_F(HollowFleetTest, StopIsIdempotentAndEndsTheStreams) {
  auto nodes = add_nodes(5);
  start_fleet(nodes);
  ASSERT_TRUE(eventually([&] { return fleet_->stats().connected == 5; }));
  fleet_->stop();
  fleet_->stop();
  EXPECT_EQ(fleet_->stats().connected, 0u);
}

}  // namespace
}  // namespace shoal::scale
