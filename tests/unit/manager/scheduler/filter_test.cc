#include "manager/scheduler/filter.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>

#include "fixtures.h"

namespace shoal::manager::scheduler {
namespace {

using namespace testing;

struct FilterCase {
  std::string name;
  NodeOptions node;
  SpecOptions spec;
  // Runs before the check: puts tasks on node "n1", gives service "svc" ports, ...
  std::function<void(ClusterState&)> setup;
  std::optional<FilterKind> rejected_by;  // nullopt: the node passes
  std::string explain;                    // FilterRun::explain() after the check
};

void run_on(ClusterState& state, const api::Task& task) { ASSERT_FALSE(state.track(task)); }

class FilterTableTest : public ::testing::TestWithParam<FilterCase> {};

TEST_P(FilterTableTest, RejectsWithReason) {
  const FilterCase& c = GetParam();
  ClusterState state;
  state.upsert_node(make_node("n1", c.node));
  if (c.setup) c.setup(state);
  auto task = pending_task("t1", "svc", 1, make_spec(c.spec));
  Demand demand = Demand::of(*task, state);
  FilterRun run(demand);
  const NodeInfo& node = state.nodes()[*state.find_node("n1")];

  EXPECT_EQ(run.passes(node), !c.rejected_by.has_value());
  for (const Filter& f : filter_chain()) {
    EXPECT_EQ(run.rejections(f.kind), c.rejected_by == f.kind ? 1u : 0u) << f.name;
  }
  EXPECT_EQ(run.explain(), c.explain);
}

const SpecOptions kPlain{};

INSTANTIATE_TEST_SUITE_P(
    Chain, FilterTableTest,
    ::testing::Values(
        FilterCase{"plain_task_fits", {}, kPlain, nullptr, std::nullopt, ""},
        FilterCase{"node_down", {.state = api::NodeState::kDown}, kPlain, nullptr,
                   FilterKind::kReady, "1 node not available for new tasks"},
        FilterCase{"node_drained", {.availability = api::NodeAvailability::kDrain}, kPlain,
                   nullptr, FilterKind::kReady, "1 node not available for new tasks"},
        FilterCase{"node_paused", {.availability = api::NodeAvailability::kPause}, kPlain,
                   nullptr, FilterKind::kReady, "1 node not available for new tasks"},
        FilterCase{"cpu_too_big", {.cpus = 2 * kCpu}, {.cpus = 3 * kCpu}, nullptr,
                   FilterKind::kResources, "insufficient resources on 1 node"},
        FilterCase{"memory_too_big", {.memory = kGiB}, {.memory = 2 * kGiB}, nullptr,
                   FilterKind::kResources, "insufficient resources on 1 node"},
        FilterCase{"exact_fit", {.cpus = 2 * kCpu, .memory = kGiB},
                   {.cpus = 2 * kCpu, .memory = kGiB}, nullptr, std::nullopt, ""},
        FilterCase{"cpu_taken_by_running_task", {.cpus = 2 * kCpu}, {.cpus = kCpu},
                   [](ClusterState& s) {
                     run_on(s, running_task("r1", "other", "n1", make_spec({.cpus = 3 * kCpu / 2})));
                   },
                   FilterKind::kResources, "insufficient resources on 1 node"},
        FilterCase{"generic_named_free", {.generic = {named("GPU", "g0"), named("GPU", "g1")}},
                   {.generic = {discrete("GPU", 2)}}, nullptr, std::nullopt, ""},
        FilterCase{"generic_named_claimed",
                   {.generic = {named("GPU", "g0"), named("GPU", "g1")}},
                   {.generic = {discrete("GPU", 2)}},
                   [](ClusterState& s) {
                     api::Task r = running_task("r1", "other", "n1", make_spec());
                     r.GenericResources = {named("GPU", "g1")};
                     run_on(s, r);
                   },
                   FilterKind::kResources, "insufficient resources on 1 node"},
        FilterCase{"generic_discrete_short", {.generic = {discrete("SSD", 1)}},
                   {.generic = {discrete("SSD", 2)}}, nullptr, FilterKind::kResources,
                   "insufficient resources on 1 node"},
        FilterCase{"constraint_label_matches", {.labels = {{"zone", "east"}}},
                   {.constraints = {"node.labels.zone==east"}}, nullptr, std::nullopt, ""},
        FilterCase{"constraint_label_differs", {.labels = {{"zone", "west"}}},
                   {.constraints = {"node.labels.zone==east"}}, nullptr,
                   FilterKind::kConstraints, "scheduling constraints not satisfied on 1 node"},
        FilterCase{"constraint_role", {.role = api::NodeRole::kWorker},
                   {.constraints = {"node.role==manager"}}, nullptr, FilterKind::kConstraints,
                   "scheduling constraints not satisfied on 1 node"},
        FilterCase{"constraint_hostname_ne", {}, {.constraints = {"node.hostname!=host-n1"}},
                   nullptr, FilterKind::kConstraints,
                   "scheduling constraints not satisfied on 1 node"},
        FilterCase{"constraint_unparsable_is_ignored", {}, {.constraints = {"node.labels.x"}},
                   nullptr, std::nullopt, ""},
        FilterCase{"platform_x86_64_is_amd64", {.arch = "x86_64"},
                   {.platforms = {{"amd64", "linux"}}}, nullptr, std::nullopt, ""},
        FilterCase{"platform_any_arch", {.arch = "arm64"}, {.platforms = {{"", "linux"}}},
                   nullptr, std::nullopt, ""},
        FilterCase{"platform_wrong_arch", {.arch = "aarch64"},
                   {.platforms = {{"amd64", "linux"}, {"s390x", "linux"}}}, nullptr,
                   FilterKind::kPlatform, "unsupported platform on 1 node"},
        FilterCase{"platform_wrong_os", {}, {.platforms = {{"amd64", "windows"}}}, nullptr,
                   FilterKind::kPlatform, "unsupported platform on 1 node"},
        FilterCase{"host_port_free", {}, kPlain,
                   [](ClusterState& s) { s.upsert_service(service_with_host_port("svc", 8080)); },
                   std::nullopt, ""},
        FilterCase{"host_port_used", {}, kPlain,
                   [](ClusterState& s) {
                     s.upsert_service(service_with_host_port("svc", 8080));
                     s.upsert_service(service_with_host_port("web", 8080));
                     run_on(s, running_task("r1", "web", "n1", make_spec()));
                   },
                   FilterKind::kHostPorts, "host-mode port already in use on 1 node"},
        FilterCase{"max_replicas_reached", {}, {.max_replicas = 1},
                   [](ClusterState& s) {
                     run_on(s, running_task("r1", "svc", "n1", make_spec()));
                   },
                   FilterKind::kMaxReplicas, "max replicas per node limit exceed"},
        FilterCase{"max_replicas_ignores_shutting_down", {}, {.max_replicas = 1},
                   [](ClusterState& s) {
                     api::Task r = running_task("r1", "svc", "n1", make_spec());
                     r.DesiredState = api::TaskState::kShutdown;
                     run_on(s, r);
                   },
                   std::nullopt, ""},
        FilterCase{"first_failing_filter_counts", {.cpus = 0, .state = api::NodeState::kDown},
                   {.cpus = kCpu, .constraints = {"node.labels.a==b"}}, nullptr,
                   FilterKind::kReady, "1 node not available for new tasks"}),
    [](const ::testing::TestParamInfo<FilterCase>& info) { return info.param.name; });

TEST(FilterRunTest, ExplainSortsByCountThenChainOrder) {
  ClusterState state;
  state.upsert_node(make_node("down", {.state = api::NodeState::kDown}));
  state.upsert_node(make_node("small1", {.cpus = kCpu}));
  state.upsert_node(make_node("west1", {.labels = {{"zone", "west"}}}));
  state.upsert_node(make_node("west2", {.labels = {{"zone", "west"}}}));
  state.upsert_node(make_node("west3", {.labels = {{"zone", "west"}}}));
  state.upsert_node(make_node("east", {.labels = {{"zone", "east"}}}));
  auto task = pending_task(
      "t", "svc", 1, make_spec({.cpus = 2 * kCpu, .constraints = {"node.labels.zone==east"}}));
  Demand demand = Demand::of(*task, state);
  FilterRun run(demand);
  int passed = 0;
  for (const NodeInfo& n : state.nodes()) passed += run.passes(n);
  EXPECT_EQ(passed, 1);
  EXPECT_EQ(run.explain(),
            "scheduling constraints not satisfied on 3 nodes; 1 node not available for new "
            "tasks; insufficient resources on 1 node");
  EXPECT_EQ(no_suitable_node(run.explain()),
            "no suitable node (scheduling constraints not satisfied on 3 nodes; 1 node not "
            "available for new tasks; insufficient resources on 1 node)");
  EXPECT_EQ(no_suitable_node(""), "no suitable node");
}

TEST(FilterRunTest, StillPassesChecksOnlyDynamicFilters) {
  ClusterState state;
  state.upsert_node(make_node("n1", {.cpus = kCpu, .state = api::NodeState::kDown}));
  auto task = pending_task("t", "svc", 1, make_spec({.cpus = kCpu}));
  Demand demand = Demand::of(*task, state);
  FilterRun run(demand);
  const NodeInfo& node = state.nodes()[0];
  EXPECT_TRUE(run.still_passes(node));  // readiness is static: not re-checked
  state.charge("other", state.usage_of(*task, 0));
  EXPECT_FALSE(run.still_passes(node));
  EXPECT_EQ(run.rejections(FilterKind::kResources), 1u);
}

TEST(FilterChainTest, StaticFiltersComeFromTheTaskAndNodeOnly) {
  for (const Filter& f : filter_chain()) {
    bool dynamic = f.kind == FilterKind::kResources || f.kind == FilterKind::kHostPorts ||
                   f.kind == FilterKind::kMaxReplicas;
    EXPECT_EQ(f.dynamic, dynamic) << f.name;
  }
}

}  // namespace
}  // namespace shoal::manager::scheduler
