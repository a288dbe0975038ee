#include "manager/allocator/allocator.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "fixtures.h"
#include "manager/scheduler/scheduler.h"
#include "store/datastore/memory.h"
#include "support/eventually.h"

namespace shoal::manager::allocator {
namespace {

using namespace testing;
using namespace std::chrono_literals;

constexpr int64_t kStart = 1'700'000'000'000'000'000;

// A store on a MemoryDatastore and an Allocator driven by hand.
class AllocatorTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  void open() {
    allocator_.reset();
    watch_ = store::Watch();
    store_.reset();
    auto ds = std::make_unique<store::MemoryDatastore>(disk_);
    ds_ = ds.get();
    auto opened = store::Store::open(std::move(ds), clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
    allocator_ = std::make_unique<Allocator>(*store_);
  }

  void start() {
    auto watch = store_->view_and_watch(
        [&](const store::ReadTxn& snapshot) {
          allocator_->on_snapshot(snapshot);
          return Status::ok();
        },
        allocator_->filter());
    ASSERT_TRUE(watch.is_ok());
    watch_ = std::move(watch).value();
  }

  void deliver() {
    while (auto changes = watch_.try_next()) {
      for (const store::Event& e : changes->events) allocator_->on_event(e);
    }
  }

  std::optional<Timestamp> tick() {
    deliver();
    auto next = allocator_->tick(clock_->now());
    deliver();
    return next;
  }

  void write(const std::function<Status(store::WriteTxn&)>& fn) {
    Status s = store_->update(fn);
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }
  template <typename T>
  void create(const T& object) {
    write([&](store::WriteTxn& tx) { return tx.create(object); });
  }
  template <typename T>
  std::shared_ptr<const T> get(const std::string& id) {
    return store_->view().get<T>(id);
  }
  template <typename T, typename Fn>
  void change(const std::string& id, Fn fn) {
    write([&](store::WriteTxn& tx) {
      T object = *tx.get<T>(id);
      fn(object);
      return tx.update(std::move(object));
    });
  }

  void add_tasks(const api::Service& s, int n, const std::string& prefix = "t") {
    for (int i = 0; i < n; ++i) create(new_task(prefix + std::to_string(i), s, i + 1));
  }

  // Every address held by a task, service VIP or gateway in the store, with its holder.
  std::multiset<std::string> addresses_in_store() {
    std::multiset<std::string> out;
    auto view = store_->view();
    view.for_each<api::Task>(store::by::All{}, [&](const std::shared_ptr<const api::Task>& t) {
      if (t->Status.State > api::TaskState::kRunning) return;
      for (const auto& a : t->NetworksAttachments) {
        for (const auto& addr : a.Addresses) out.insert(a.Network.ID + "/" + addr);
      }
    });
    view.for_each<api::Service>(store::by::All{},
                                [&](const std::shared_ptr<const api::Service>& s) {
                                  for (const auto& v : s->Endpoint.VirtualIPs)
                                    out.insert(v.NetworkID + "/" + v.Addr);
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
  std::unique_ptr<Allocator> allocator_;
};

TEST_F(AllocatorTest, NetworksThenServicesThenTasksInOneTick) {
  create(network("ing", "ingress", "", true));
  create(network("back", "backend"));
  api::Service s = service("web", {port(80)}, {"backend"});
  create(s);
  add_tasks(s, 3);
  start();
  EXPECT_EQ(tick(), std::nullopt);

  auto ingress = get<api::Network>("ing");
  EXPECT_EQ(ingress->IPAMOptions->Configs.at(0).Subnet, "10.0.0.0/24");
  EXPECT_EQ(get<api::Network>("back")->IPAMOptions->Configs.at(0).Subnet, "10.0.1.0/24");

  auto web = get<api::Service>("web");
  ASSERT_EQ(web->Endpoint.Ports.size(), 1u);
  EXPECT_EQ(web->Endpoint.Ports[0].PublishedPort, 30000u);
  EXPECT_EQ(web->Endpoint.Spec.Mode, api::ResolutionMode::kVIP);
  ASSERT_EQ(web->Endpoint.VirtualIPs.size(), 2u);
  EXPECT_EQ(web->Endpoint.VirtualIPs[0].NetworkID, "ing");
  EXPECT_EQ(web->Endpoint.VirtualIPs[1].NetworkID, "back");

  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    auto t = get<api::Task>("t" + std::to_string(i));
    EXPECT_EQ(t->Status.State, api::TaskState::kPending);
    EXPECT_EQ(t->Status.Message, "pending task scheduling");
    ASSERT_EQ(t->NetworksAttachments.size(), 2u);
    EXPECT_EQ(t->NetworksAttachments[0].Network.ID, "ing");
    EXPECT_TRUE(is_allocated(t->NetworksAttachments[0].Network));  // the allocated copy
    // The service's endpoint as planned in the same tick (what the node publishes).
    ASSERT_NE(t->Endpoint, nullptr);
    ASSERT_EQ(t->Endpoint->Ports.size(), 1u);
    EXPECT_EQ(t->Endpoint->Ports[0].PublishedPort, 30000u);
    for (const auto& a : t->NetworksAttachments) seen.insert(a.Addresses.at(0));
  }
  EXPECT_EQ(seen.size(), 6u);

  // Its own writes' events changed nothing; nothing more to do.
  EXPECT_EQ(allocator_->state().space("ing")->used(), 5u);  // gateway, VIP, 3 tasks
  uint64_t revision = store_->revision();
  tick();
  tick();
  EXPECT_EQ(store_->revision(), revision);
}

TEST_F(AllocatorTest, PortsOfDeletedServicesAreReleased) {
  create(network("ing", "ingress", "", true));
  create(service("a", {port(80)}));
  create(service("b", {port(80)}));
  start();
  tick();
  EXPECT_EQ(get<api::Service>("a")->Endpoint.Ports[0].PublishedPort, 30000u);
  EXPECT_EQ(get<api::Service>("b")->Endpoint.Ports[0].PublishedPort, 30001u);
  write([&](store::WriteTxn& tx) { return tx.remove<api::Service>("a"); });
  create(service("c", {port(80), port(81, 8081)}));
  tick();
  auto c = get<api::Service>("c");
  EXPECT_EQ(c->Endpoint.Ports[0].PublishedPort, 30000u);
  EXPECT_EQ(c->Endpoint.Ports[1].PublishedPort, 8081u);
  EXPECT_EQ(allocator_->state().ports().owner(api::PortConfigProtocol::kTCP, 30000), "c");
}

TEST_F(AllocatorTest, ChangedPublishedPortIsReallocated) {
  create(network("ing", "ingress", "", true));
  create(service("a", {port(80, 8080)}));
  start();
  tick();
  change<api::Service>("a",
                       [](api::Service& s) { s.Spec.EndpointSpec->Ports[0].PublishedPort = 9090; });
  tick();
  EXPECT_EQ(get<api::Service>("a")->Endpoint.Ports[0].PublishedPort, 9090u);
  EXPECT_EQ(allocator_->state().ports().owner(api::PortConfigProtocol::kTCP, 8080), "");
  create(service("b", {port(80, 8080)}));
  tick();
  EXPECT_EQ(get<api::Service>("b")->Endpoint.Ports[0].PublishedPort, 8080u);
}

TEST_F(AllocatorTest, ExhaustedNetworkWaitsUntilATaskEnds) {
  create(network("tiny", "tiny", "10.9.0.0/29"));  // .2 - .6 after the gateway
  api::Service s = service("s", {}, {"tiny"});     // its VIP takes .2
  create(s);
  add_tasks(s, 5);
  start();
  tick();
  int pending = 0;
  std::string waiting;
  for (int i = 0; i < 5; ++i) {
    auto t = get<api::Task>("t" + std::to_string(i));
    if (t->Status.State == api::TaskState::kPending) {
      ++pending;
    } else {
      waiting = t->ID;
      EXPECT_EQ(t->Status.State, api::TaskState::kNew);
      EXPECT_EQ(t->Status.Err,
                "could not allocate IP from IPAM: no available addresses on this pool");
    }
  }
  EXPECT_EQ(pending, 4);
  ASSERT_EQ(waiting, "t4");
  uint64_t version = get<api::Task>("t4")->Version.Index;
  tick();
  EXPECT_EQ(get<api::Task>("t4")->Version.Index, version);  // the error is written once

  change<api::Task>("t0", [](api::Task& t) { t.Status.State = api::TaskState::kFailed; });
  tick();
  auto t4 = get<api::Task>("t4");
  EXPECT_EQ(t4->Status.State, api::TaskState::kPending);
  EXPECT_EQ(t4->Status.Err, "");
  EXPECT_EQ(t4->NetworksAttachments.at(0).Addresses.at(0),
            get<api::Task>("t0")->NetworksAttachments.at(0).Addresses.at(0));
}

TEST_F(AllocatorTest, StateIsDerivedFromTheStoreAfterARestart) {
  create(network("ing", "ingress", "", true));
  create(network("back", "backend"));
  api::Service s = service("web", {port(80), port(81, 8081)}, {"backend"});
  create(s);
  add_tasks(s, 4);
  start();
  tick();
  size_t ing_used = allocator_->state().space("ing")->used();
  size_t back_used = allocator_->state().space("back")->used();

  open();  // a new store on the same disk and a new allocator
  start();
  EXPECT_EQ(allocator_->state().space("ing")->used(), ing_used);
  EXPECT_EQ(allocator_->state().space("back")->used(), back_used);
  EXPECT_EQ(allocator_->state().ports().owner(api::PortConfigProtocol::kTCP, 30000), "web");
  EXPECT_EQ(allocator_->state().ports().owner(api::PortConfigProtocol::kTCP, 8081), "web");
  uint64_t revision = store_->revision();
  tick();
  EXPECT_EQ(store_->revision(), revision);  // nothing to redo

  // New allocations do not collide with the old ones.
  create(network("more", "more"));
  api::Service other = service("other", {port(90)}, {"backend", "more"});
  create(other);
  add_tasks(other, 3, "o");
  tick();
  EXPECT_EQ(get<api::Network>("more")->IPAMOptions->Configs.at(0).Subnet, "10.0.2.0/24");
  EXPECT_EQ(get<api::Network>("more")->DriverState.Options.at(std::string(kVxlanOption)), "4098");
  EXPECT_EQ(get<api::Service>("other")->Endpoint.Ports[0].PublishedPort, 30001u);
  auto all = addresses_in_store();
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), all.size());
  // web: 2 VIPs + 4 tasks x 2; other: 3 VIPs (ingress, backend, more) + 3 tasks x 3.
  EXPECT_EQ(all.size(), 2u + 4 * 2 + 3 + 3 * 3);
}

TEST_F(AllocatorTest, ClusterAddressPoolIsUsed) {
  api::Swarm cluster;
  cluster.ID = "cluster";
  cluster.Spec.Name = "default";
  cluster.DefaultAddrPool = {"192.168.0.0/16"};
  cluster.SubnetSize = 28;
  create(cluster);
  create(network("a", "a"));
  start();
  tick();
  EXPECT_EQ(get<api::Network>("a")->IPAMOptions->Configs.at(0).Subnet, "192.168.0.0/28");
  EXPECT_EQ(get<api::Network>("a")->IPAMOptions->Configs.at(0).Gateway, "192.168.0.1");

  change<api::Swarm>("cluster", [](api::Swarm& c) { c.DefaultAddrPool = {"172.20.0.0/16"}; });
  create(network("b", "b"));
  tick();
  EXPECT_EQ(get<api::Network>("b")->IPAMOptions->Configs.at(0).Subnet, "172.20.0.0/28");
}

TEST_F(AllocatorTest, NetworkDeletionFreesItsSubnet) {
  create(network("a", "a"));
  start();
  tick();
  write([&](store::WriteTxn& tx) { return tx.remove<api::Network>("a"); });
  create(network("b", "b"));
  tick();
  EXPECT_EQ(get<api::Network>("b")->IPAMOptions->Configs.at(0).Subnet, "10.0.0.0/24");
}

TEST_F(AllocatorTest, FailedCommitIsUndoneAndRetried) {
  create(network("ing", "ingress", "", true));
  start();
  tick();
  api::Service s = service("web", {port(80)});
  create(s);
  add_tasks(s, 2);
  deliver();
  ds_->fail_commit(Status(Code::kInternal, "disk on fire"));
  auto follow_up = allocator_->tick(clock_->now());
  ASSERT_TRUE(follow_up.has_value());
  EXPECT_EQ(*follow_up, clock_->now() + kRetryDelay);
  EXPECT_EQ(allocator_->state().ports().size(), 0u);
  EXPECT_EQ(allocator_->state().space("ing")->used(), 1u);  // the gateway only
  EXPECT_EQ(tick(), std::nullopt);
  EXPECT_EQ(get<api::Service>("web")->Endpoint.Ports.at(0).PublishedPort, 30000u);
  EXPECT_EQ(get<api::Task>("t1")->Status.State, api::TaskState::kPending);
  EXPECT_EQ(allocator_->state().space("ing")->used(), 4u);
}

TEST_F(AllocatorTest, TaskChangedAfterPlanningIsPlannedAgain) {
  create(network("back", "backend"));
  api::Service s = service("web", {}, {"backend"});
  create(s);
  start();
  tick();
  add_tasks(s, 1);
  deliver();
  // The orchestrator changes the task before the allocator's write: the write is skipped
  // and its address given back.
  change<api::Task>("t0", [](api::Task& t) { t.Status.Message = "changed"; });
  allocator_->tick(clock_->now());
  EXPECT_EQ(get<api::Task>("t0")->Status.State, api::TaskState::kNew);
  EXPECT_EQ(allocator_->state().space("back")->used(), 2u);  // gateway and VIP
  tick();
  auto t = get<api::Task>("t0");
  EXPECT_EQ(t->Status.State, api::TaskState::kPending);
  EXPECT_EQ(allocator_->state().space("back")->used(), 3u);
}

TEST_F(AllocatorTest, WithTheSchedulerTasksGoFromNewToAssigned) {
  api::Node node;
  node.ID = "n1";
  node.Spec.Availability = api::NodeAvailability::kActive;
  node.Status.State = api::NodeState::kReady;
  create(node);
  create(network("ing", "ingress", "", true));
  scheduler::Scheduler sched(*store_);
  ReconcileLoop alloc_loop(*store_, *clock_, *allocator_);
  ReconcileLoop sched_loop(*store_, *clock_, sched);
  alloc_loop.start();
  sched_loop.start();
  api::Service s = service("web", {port(80)});
  create(s);
  add_tasks(s, 5);
  bool assigned = ::shoal::testing::eventually(
      [&] { return store_->view().count<api::Task>(store::by::Node{"n1"}) == 5; });
  sched_loop.stop();
  alloc_loop.stop();
  EXPECT_TRUE(assigned);
  auto t = get<api::Task>("t3");
  EXPECT_EQ(t->Status.State, api::TaskState::kAssigned);
  EXPECT_EQ(t->NetworksAttachments.size(), 1u);
}

}  // namespace
}  // namespace shoal::manager::allocator
