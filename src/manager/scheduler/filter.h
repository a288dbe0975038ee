// The scheduler's filter chain: which nodes can take a task, and why the others cannot.
//
// A Demand is what a group of tasks (one service version: same ServiceID, same shared Spec)
// asks of a node. Each Filter checks one thing on one node; the chain is built, cheap checks
// first, in filter_chain() (filter.cc). A FilterRun runs the chain for one Demand, counting
// for each rejected node the first filter that rejected it, and explains the counts in
// swarmkit's words (manager/scheduler/filter.go, pipeline.go), which Docker users see in
// `docker service ps` as the task's error:
//   "scheduling constraints not satisfied on 3 nodes; insufficient resources on 1 node"
//
// Static filters depend only on the node and the task (ready, constraints, platform);
// dynamic ones also on what is already placed on the node (resources, host ports, max
// replicas), so the planner re-checks them after every placement.
//
// Thread safety: values; a FilterRun belongs to one thread.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/task.h"
#include "manager/constraint.h"
#include "manager/scheduler/cluster_state.h"

namespace shoal::manager::scheduler {

// What a group of tasks asks of a node.
struct Demand {
  uint32_t service = 0;  // ClusterState::service_index
  int64_t nano_cpus = 0;
  int64_t memory_bytes = 0;
  std::vector<std::pair<std::string, int64_t>> generic;  // discrete kind -> units
  std::vector<Constraint> constraints;   // empty when none, or when they do not parse
  std::vector<api::Platform> platforms;  // empty = any
  HostPorts host_ports;                  // null = none
  uint64_t max_replicas = 0;             // 0 = unlimited

  // The demand of `task` (its Spec and its service's host ports, as `state` knows them).
  // Constraints that do not parse are ignored (the control API validated them), as swarmkit
  // does.
  static Demand of(const api::Task& task, ClusterState& state);
};

enum class FilterKind : uint8_t {
  kReady,
  kResources,
  kConstraints,
  kPlatform,
  kHostPorts,
  kMaxReplicas,
};
inline constexpr size_t kFilterCount = 6;

struct Filter {
  FilterKind kind;
  std::string_view name;  // for logs and tests
  bool dynamic;           // depends on what is placed on the node
  // Whether the filter has anything to check for this demand.
  bool (*applies)(const Demand& demand);
  // Whether `node` (a live node) passes.
  bool (*check)(const Demand& demand, const NodeInfo& node);
  // What a rejection of `nodes` nodes means, in swarmkit's words.
  std::string (*explain)(uint32_t nodes);
};

// The chain, in the order filters run.
std::span<const Filter> filter_chain();

// One pass of the chain for one demand, with its rejection counts.
class FilterRun {
 public:
  // `demand` must outlive the run.
  explicit FilterRun(const Demand& demand);

  // Runs the applicable filters in chain order on a live node; on the first that fails,
  // counts a rejection for it and returns false.
  bool passes(const NodeInfo& node);
  // The same with only the dynamic filters (the static ones passed already).
  bool still_passes(const NodeInfo& node);

  uint32_t rejections(FilterKind kind) const { return rejected_[static_cast<size_t>(kind)]; }
  void reset_counts() { rejected_.fill(0); }
  // The counted rejections, most first (chain order among equals), joined with "; ";
  // "" when nothing was rejected.
  std::string explain() const;

 private:
  bool run(const NodeInfo& node, bool dynamic_only);

  const Demand& demand_;
  std::array<bool, kFilterCount> applies_{};
  std::array<uint32_t, kFilterCount> rejected_{};
};

// Docker's pending-task error: "no suitable node (<explanation>)", or "no suitable node"
// when there is no explanation (no nodes at all).
std::string no_suitable_node(const std::string& explanation);

}  // namespace shoal::manager::scheduler
