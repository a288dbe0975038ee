// Properties of plan_placements over random clusters (seeded, so a failure replays):
// resources are never overcommitted, MaxReplicas holds, tasks land only on nodes that pass
// the filters, a task is left over only when no node can take it, the incremental counters
// equal counters rebuilt from scratch, and equal nodes get an even spread.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "fixtures.h"
#include "manager/scheduler/filter.h"
#include "manager/scheduler/placement.h"

namespace shoal::manager::scheduler {
namespace {

using namespace testing;
using TaskPtr = std::shared_ptr<const api::Task>;

struct World {
  std::vector<std::shared_ptr<const api::Node>> nodes;
  std::vector<api::Task> running;
  std::vector<TaskPtr> pending;
};

World random_world(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  World w;
  int nodes = pick(1, 40);
  for (int i = 0; i < nodes; ++i) {
    NodeOptions o;
    o.cpus = pick(1, 8) * kCpu;
    o.memory = pick(1, 16) * kGiB;
    o.labels["zone"] = std::string(1, static_cast<char>('a' + pick(0, 2)));
    int health = pick(0, 9);
    if (health == 0) o.state = api::NodeState::kDown;
    if (health == 1) o.availability = api::NodeAvailability::kDrain;
    w.nodes.push_back(make_node("n" + std::to_string(i), o));
  }
  int services = pick(1, 6);
  for (int s = 0; s < services; ++s) {
    std::string service = "svc" + std::to_string(s);
    SpecOptions o;
    o.cpus = pick(0, 4) * kCpu / 2;
    o.memory = pick(0, 4) * kGiB;
    o.max_replicas = static_cast<uint64_t>(pick(0, 3));
    if (pick(0, 2) == 0) o.spread = {"node.labels.zone"};
    if (pick(0, 3) == 0) o.constraints = {"node.labels.zone!=c"};
    auto spec = make_spec(o);
    for (int r = pick(0, 3); r > 0; --r) {  // running tasks without reservations
      w.running.push_back(running_task(service + "-r" + std::to_string(r), service,
                                       w.nodes[pick(0, nodes - 1)]->ID, make_spec()));
    }
    for (int t = pick(0, 60); t > 0; --t) {
      w.pending.push_back(pending_task(service + "-t" + std::to_string(t), service, t, spec));
    }
  }
  return w;
}

// Interns the services in one order, so service indexes agree between states.
void intern_services(ClusterState& state) {
  for (int s = 0; s < 6; ++s) state.service_index("svc" + std::to_string(s));
}

ClusterState state_of(const World& w) {
  ClusterState state;
  intern_services(state);
  for (const auto& n : w.nodes) state.upsert_node(n);
  for (const api::Task& t : w.running) state.track(t);
  return state;
}

// Every task of the world and of the plan as the store would hold them after the commit.
std::vector<api::Task> after_commit(const World& w, const Plan& plan) {
  std::vector<api::Task> tasks = w.running;
  for (const Assignment& a : plan.assigned) {
    api::Task t = *a.task;
    t.NodeID = a.node_id;
    t.GenericResources = a.generic;
    t.Status.State = api::TaskState::kAssigned;
    tasks.push_back(std::move(t));
  }
  return tasks;
}

class PlacementPropertyTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(PlacementPropertyTest, InvariantsHold) {
  World w = random_world(GetParam());
  ClusterState state = state_of(w);
  Plan plan = plan_placements(state, w.pending);
  ASSERT_EQ(plan.assigned.size() + plan.unplaced.size(), w.pending.size());

  // Counters kept incrementally equal counters rebuilt from the committed tasks.
  ClusterState rebuilt;
  intern_services(rebuilt);
  for (const auto& n : w.nodes) rebuilt.upsert_node(n);
  for (const api::Task& t : after_commit(w, plan)) rebuilt.track(t);
  for (const auto& n : w.nodes) {
    const NodeInfo& a = state.nodes()[*state.find_node(n->ID)];
    const NodeInfo& b = rebuilt.nodes()[*rebuilt.find_node(n->ID)];
    EXPECT_EQ(a.active_tasks, b.active_tasks) << n->ID;
    EXPECT_EQ(a.reserved_nano_cpus, b.reserved_nano_cpus) << n->ID;
    EXPECT_EQ(a.reserved_memory_bytes, b.reserved_memory_bytes) << n->ID;
    EXPECT_EQ(a.active_by_service, b.active_by_service) << n->ID;

    // Resources are never overcommitted.
    EXPECT_GE(a.free_nano_cpus(), 0) << n->ID;
    EXPECT_GE(a.free_memory_bytes(), 0) << n->ID;
  }

  // Tasks land only on nodes that take tasks and satisfy the constraints; MaxReplicas holds.
  std::map<std::string, std::shared_ptr<const api::Node>> nodes;
  for (const auto& n : w.nodes) nodes[n->ID] = n;
  std::map<std::pair<std::string, std::string>, uint64_t> per_node_service;
  for (const api::Task& t : after_commit(w, plan)) ++per_node_service[{t.NodeID, t.ServiceID}];
  for (const Assignment& a : plan.assigned) {
    const api::Node& node = *nodes.at(a.node_id);
    EXPECT_EQ(node.Status.State, api::NodeState::kReady);
    EXPECT_EQ(node.Spec.Availability, api::NodeAvailability::kActive);
    const auto& placement = a.task->Spec->Placement;
    if (placement && !placement->Constraints.empty()) {
      EXPECT_NE(node.Spec.Labels.at("zone"), "c");
    }
    if (placement && placement->MaxReplicas > 0) {
      auto key = std::make_pair(a.node_id, a.task->ServiceID);
      EXPECT_LE(per_node_service[key], placement->MaxReplicas);
    }
  }

  // A task is left over only when no node can take it now.
  for (const Unplaced& u : plan.unplaced) {
    Demand demand = Demand::of(*u.task, state);
    FilterRun run(demand);
    for (const NodeInfo& n : state.nodes()) EXPECT_FALSE(run.passes(n)) << n.node->ID;
    // (The text itself was taken when its group finished; later groups may since have used
    // up resources on nodes it counted under another filter.)
    EXPECT_EQ(u.err.rfind("no suitable node", 0), 0u) << u.err;
  }
}

TEST_P(PlacementPropertyTest, SameInputSamePlan) {
  World w = random_world(GetParam());
  ClusterState a = state_of(w);
  ClusterState b = state_of(w);
  Plan pa = plan_placements(a, w.pending);
  auto shuffled = w.pending;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937_64(GetParam() + 1));
  Plan pb = plan_placements(b, shuffled);
  std::map<std::string, std::string> wa, wb;
  for (const Assignment& x : pa.assigned) wa[x.task->ID] = x.node_id;
  for (const Assignment& x : pb.assigned) wb[x.task->ID] = x.node_id;
  EXPECT_EQ(wa, wb);
}

TEST_P(PlacementPropertyTest, EqualNodesGetAnEvenSpread) {
  std::mt19937_64 rng(GetParam());
  int nodes = std::uniform_int_distribution<int>(1, 30)(rng);
  int tasks = std::uniform_int_distribution<int>(0, 200)(rng);
  ClusterState state;
  for (int i = 0; i < nodes; ++i) state.upsert_node(make_node("n" + std::to_string(i)));
  std::vector<TaskPtr> pending;
  auto spec = make_spec();
  for (int t = 0; t < tasks; ++t)
    pending.push_back(pending_task("t" + std::to_string(t), "svc", t + 1, spec));
  Plan plan = plan_placements(state, pending);
  ASSERT_EQ(plan.assigned.size(), static_cast<size_t>(tasks));
  std::map<std::string, int> per_node;
  for (int i = 0; i < nodes; ++i) per_node["n" + std::to_string(i)] = 0;
  for (const Assignment& a : plan.assigned) ++per_node[a.node_id];
  auto [lo, hi] =
      std::minmax_element(per_node.begin(), per_node.end(),
                          [](const auto& x, const auto& y) { return x.second < y.second; });
  EXPECT_LE(hi->second - lo->second, 1);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PlacementPropertyTest, ::testing::Range<uint64_t>(1, 201));

}  // namespace
}  // namespace shoal::manager::scheduler
