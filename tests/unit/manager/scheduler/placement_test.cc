#include "manager/scheduler/placement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "fixtures.h"

namespace shoal::manager::scheduler {
namespace {

using namespace testing;

// Where the plan put tasks: node ID -> tasks.
std::map<std::string, int> placed_per_node(const Plan& plan) {
  std::map<std::string, int> out;
  for (const Assignment& a : plan.assigned) ++out[a.node_id];
  return out;
}

std::vector<std::shared_ptr<const api::Task>> pending_tasks(
    int n, const std::string& service, std::shared_ptr<const api::TaskSpec> spec,
    const std::string& prefix = "t") {
  std::vector<std::shared_ptr<const api::Task>> tasks;
  for (int i = 0; i < n; ++i) {
    tasks.push_back(pending_task(prefix + std::to_string(i), service, i + 1, spec));
  }
  return tasks;
}

struct RankCase {
  std::string name;
  std::vector<std::pair<std::string, NodeOptions>> nodes{};
  // Tasks already running: (node, service, how many).
  std::vector<std::tuple<std::string, std::string, int>> running{};
  SpecOptions spec{};
  int tasks = 1;                        // pending tasks of service "svc"
  std::map<std::string, int> placed{};  // node -> tasks the plan puts there
  std::string err{};                    // error of the tasks left over ("" = none left)
};

class RankTableTest : public ::testing::TestWithParam<RankCase> {};

TEST_P(RankTableTest, Places) {
  const RankCase& c = GetParam();
  ClusterState state;
  for (const auto& [id, options] : c.nodes) state.upsert_node(make_node(id, options));
  int n = 0;
  for (const auto& [node, service, count] : c.running) {
    for (int i = 0; i < count; ++i) {
      state.track(running_task("r" + std::to_string(n++), service, node, make_spec()));
    }
  }
  Plan plan = plan_placements(state, pending_tasks(c.tasks, "svc", make_spec(c.spec)));

  EXPECT_EQ(placed_per_node(plan), c.placed);
  size_t left = static_cast<size_t>(c.tasks) - plan.assigned.size();
  ASSERT_EQ(plan.unplaced.size(), left);
  for (const Unplaced& u : plan.unplaced) EXPECT_EQ(u.err, c.err);
  for (const Assignment& a : plan.assigned) EXPECT_FALSE(a.preassigned);
}

NodeOptions zone(const std::string& z) { return {.labels = {{"zone", z}}}; }

INSTANTIATE_TEST_SUITE_P(
    Ranking, RankTableTest,
    ::testing::Values(
        RankCase{"fewest_tasks_of_the_service_first",
                 {{"n1", {}}, {"n2", {}}},
                 {{"n1", "svc", 2}, {"n2", "other", 5}},
                 {},
                 1,
                 {{"n2", 1}}},
        RankCase{"then_fewest_tasks_in_total",
                 {{"n1", {}}, {"n2", {}}, {"n3", {}}},
                 {{"n1", "a", 3}, {"n2", "b", 1}, {"n3", "c", 2}},
                 {},
                 1,
                 {{"n2", 1}}},
        RankCase{"even_spread_over_equal_nodes",
                 {{"n1", {}}, {"n2", {}}, {"n3", {}}},
                 {},
                 {},
                 6,
                 {{"n1", 2}, {"n2", 2}, {"n3", 2}}},
        RankCase{"fills_the_gap_before_spreading",
                 {{"n1", {}}, {"n2", {}}},
                 {{"n1", "svc", 3}},
                 {},
                 5,
                 {{"n1", 1}, {"n2", 4}}},
        RankCase{"spread_over_zones_not_nodes",
                 {{"a1", zone("a")}, {"a2", zone("a")}, {"b1", zone("b")}},
                 {},
                 {.spread = {"node.labels.zone"}},
                 4,
                 {{"a1", 1}, {"a2", 1}, {"b1", 2}}},
        RankCase{"spread_counts_existing_tasks",
                 {{"a1", zone("a")}, {"b1", zone("b")}},
                 {{"a1", "svc", 2}},
                 {.spread = {"node.labels.zone"}},
                 2,
                 {{"b1", 2}}},
        RankCase{"spread_missing_label_is_its_own_branch",
                 {{"a1", zone("a")}, {"x1", {}}, {"x2", {}}},
                 {},
                 {.spread = {"node.labels.zone"}},
                 4,
                 {{"a1", 2}, {"x1", 1}, {"x2", 1}}},
        RankCase{"spread_skips_full_zone",
                 {{"a1", {.cpus = kCpu, .labels = {{"zone", "a"}}}}, {"b1", zone("b")}},
                 {},
                 {.cpus = kCpu, .spread = {"node.labels.zone"}},
                 3,
                 {{"a1", 1}, {"b1", 2}}},
        RankCase{"unknown_spread_descriptor_is_ignored",
                 {{"n1", {}}, {"n2", {}}},
                 {},
                 {.spread = {"node.platform.os"}},
                 2,
                 {{"n1", 1}, {"n2", 1}}},
        RankCase{"resources_fill_a_node",
                 {{"n1", {.cpus = 2 * kCpu}}},
                 {},
                 {.cpus = kCpu},
                 3,
                 {{"n1", 2}},
                 "no suitable node (insufficient resources on 1 node)"},
        RankCase{"max_replicas_per_node",
                 {{"n1", {}}, {"n2", {}}},
                 {},
                 {.max_replicas = 1},
                 3,
                 {{"n1", 1}, {"n2", 1}},
                 "no suitable node (max replicas per node limit exceed)"},
        RankCase{"max_replicas_counts_running_tasks",
                 {{"n1", {}}, {"n2", {}}},
                 {{"n1", "svc", 2}},
                 {.max_replicas = 2},
                 3,
                 {{"n2", 2}},
                 "no suitable node (max replicas per node limit exceed)"},
        RankCase{"mixed_reasons",
                 {{"down", {.state = api::NodeState::kDown}},
                  {"west1", zone("west")},
                  {"west2", zone("west")},
                  {"east", {.cpus = kCpu, .labels = {{"zone", "east"}}}}},
                 {},
                 {.cpus = kCpu, .constraints = {"node.labels.zone==east"}},
                 2,
                 {{"east", 1}},
                 "no suitable node (scheduling constraints not satisfied on 2 nodes; 1 node "
                 "not available for new tasks; insufficient resources on 1 node)"},
        RankCase{"no_nodes", {}, {}, {}, 2, {}, "no suitable node"},
        RankCase{"only_drained_nodes",
                 {{"n1", {.availability = api::NodeAvailability::kDrain}},
                  {"n2", {.availability = api::NodeAvailability::kDrain}}},
                 {},
                 {},
                 1,
                 {},
                 "no suitable node (2 nodes not available for new tasks)"}),
    [](const ::testing::TestParamInfo<RankCase>& info) { return info.param.name; });

TEST(PlacementTest, TiesBreakTheSameWayEveryTimeButDifferPerService) {
  auto plan_one = [](const std::string& service) {
    ClusterState state;
    for (int i = 0; i < 50; ++i) state.upsert_node(make_node("n" + std::to_string(i)));
    Plan plan = plan_placements(state, pending_tasks(1, service, make_spec()));
    return plan.assigned.at(0).node_id;
  };
  EXPECT_EQ(plan_one("svc-a"), plan_one("svc-a"));
  std::set<std::string> firsts;
  for (int s = 0; s < 10; ++s) firsts.insert(plan_one("svc-" + std::to_string(s)));
  EXPECT_GT(firsts.size(), 1u) << "every service starts on the same node";
}

TEST(PlacementTest, PlanDoesNotDependOnInputOrder) {
  auto spec = make_spec({.cpus = kCpu});
  auto tasks = pending_tasks(20, "svc", spec);
  auto place = [&](std::vector<std::shared_ptr<const api::Task>> input) {
    ClusterState state;
    for (int i = 0; i < 7; ++i) state.upsert_node(make_node("n" + std::to_string(i)));
    Plan plan = plan_placements(state, std::move(input));
    std::map<std::string, std::string> where;
    for (const Assignment& a : plan.assigned) where[a.task->ID] = a.node_id;
    return where;
  };
  auto reversed = tasks;
  std::reverse(reversed.begin(), reversed.end());
  EXPECT_EQ(place(tasks), place(reversed));
}

TEST(PlacementTest, PreassignedTaskIsCheckedOnItsNodeOnly) {
  ClusterState state;
  state.upsert_node(make_node("small", {.cpus = kCpu}));
  state.upsert_node(make_node("big", {.cpus = 8 * kCpu}));
  auto spec = make_spec({.cpus = 2 * kCpu});
  api::Task fits = task_value("g1", "global", 0, spec);
  fits.NodeID = "big";
  api::Task too_big = task_value("g2", "global", 0, spec);
  too_big.NodeID = "small";
  api::Task gone = task_value("g3", "global", 0, spec);
  gone.NodeID = "nowhere";
  Plan plan = plan_placements(
      state, {std::make_shared<const api::Task>(fits), std::make_shared<const api::Task>(too_big),
              std::make_shared<const api::Task>(gone)});
  ASSERT_EQ(plan.assigned.size(), 1u);
  EXPECT_EQ(plan.assigned[0].task->ID, "g1");
  EXPECT_EQ(plan.assigned[0].node_id, "big");
  EXPECT_TRUE(plan.assigned[0].preassigned);
  ASSERT_EQ(plan.unplaced.size(), 1u);  // g3's node is unknown: no decision
  EXPECT_EQ(plan.unplaced[0].task->ID, "g2");
  EXPECT_EQ(plan.unplaced[0].err, "insufficient resources on 1 node");
  EXPECT_EQ(state.nodes()[*state.find_node("big")].reserved_nano_cpus, 2 * kCpu);
}

TEST(PlacementTest, TasksDesiredShutdownAreShutDownNotPlaced) {
  ClusterState state;
  state.upsert_node(make_node("n1"));
  api::Task t = task_value("t1", "svc", 1, make_spec());
  t.DesiredState = api::TaskState::kShutdown;
  Plan plan = plan_placements(state, {std::make_shared<const api::Task>(t)});
  EXPECT_TRUE(plan.assigned.empty());
  ASSERT_EQ(plan.shut_down.size(), 1u);
  EXPECT_EQ(plan.shut_down[0]->ID, "t1");
}

TEST(PlacementTest, ClaimsNamedGenericResourcesOnePerTask) {
  ClusterState state;
  state.upsert_node(make_node("n1", {.generic = {named("GPU", "g0"), named("GPU", "g1")}}));
  Plan plan =
      plan_placements(state, pending_tasks(3, "svc", make_spec({.generic = {discrete("GPU", 1)}})));
  ASSERT_EQ(plan.assigned.size(), 2u);
  std::set<std::string> claimed;
  for (const Assignment& a : plan.assigned) {
    ASSERT_EQ(a.generic.size(), 1u);
    ASSERT_TRUE(a.generic[0].NamedResourceSpec);
    claimed.insert(a.generic[0].NamedResourceSpec->Value);
  }
  EXPECT_EQ(claimed, (std::set<std::string>{"g0", "g1"}));
  EXPECT_EQ(plan.unplaced.at(0).err, "no suitable node (insufficient resources on 1 node)");
}

TEST(PlacementTest, HostPortsTakeOneTaskPerNode) {
  ClusterState state;
  for (int i = 0; i < 3; ++i) state.upsert_node(make_node("n" + std::to_string(i)));
  state.upsert_service(service_with_host_port("svc", 8080));
  Plan plan = plan_placements(state, pending_tasks(4, "svc", make_spec()));
  EXPECT_EQ(placed_per_node(plan), (std::map<std::string, int>{{"n0", 1}, {"n1", 1}, {"n2", 1}}));
  ASSERT_EQ(plan.unplaced.size(), 1u);
  EXPECT_EQ(plan.unplaced[0].err, "no suitable node (host-mode port already in use on 3 nodes)");
}

TEST(PlacementTest, GroupsByServiceVersion) {
  ClusterState state;
  state.upsert_node(make_node("n1", {.cpus = 4 * kCpu}));
  auto v1 = make_spec({.cpus = kCpu});
  auto v2 = make_spec({.cpus = 3 * kCpu});
  auto tasks = pending_tasks(1, "svc", v1, "old");
  tasks.push_back(pending_task("new0", "svc", 2, v2));
  tasks.push_back(pending_task("new1", "svc", 3, v2));
  Plan plan = plan_placements(state, tasks);
  // Slot order: old0 (1 CPU) then new0 (3 CPUs) fill the node; new1 waits.
  ASSERT_EQ(plan.assigned.size(), 2u);
  ASSERT_EQ(plan.unplaced.size(), 1u);
  EXPECT_EQ(plan.unplaced[0].task->ID, "new1");
}

}  // namespace
}  // namespace shoal::manager::scheduler
