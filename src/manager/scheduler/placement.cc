#include "manager/scheduler/placement.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <map>
#include <optional>
#include <span>
#include <tuple>

#include "manager/scheduler/filter.h"
#include "manager/task_order.h"

namespace shoal::manager::scheduler {

namespace {

using TaskPtr = std::shared_ptr<const api::Task>;

constexpr std::string_view kNodeLabelPrefix = "node.labels.";
constexpr std::string_view kEngineLabelPrefix = "engine.labels.";

bool has_prefix_fold(std::string_view s, std::string_view prefix) {
  if (s.size() <= prefix.size()) return false;  // a label name must follow
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string_view label_or_empty(const api::StringMap& labels, std::string_view name) {
  auto it = labels.find(std::string(name));
  return it == labels.end() ? std::string_view() : std::string_view(it->second);
}

// The node's value for a spread descriptor, or nullopt for a descriptor the scheduler does not
// spread over (swarmkit ignores those).
std::optional<std::string_view> spread_value(std::string_view descriptor, const api::Node& node) {
  if (has_prefix_fold(descriptor, kNodeLabelPrefix)) {
    return label_or_empty(node.Spec.Labels, descriptor.substr(kNodeLabelPrefix.size()));
  }
  if (has_prefix_fold(descriptor, kEngineLabelPrefix)) {
    return label_or_empty(node.Description.Engine.Labels,
                          descriptor.substr(kEngineLabelPrefix.size()));
  }
  return std::nullopt;
}

uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// A node in a leaf's heap, with the keys it ranks by.
struct Candidate {
  uint32_t service_tasks;
  uint32_t total_tasks;
  uint64_t tiebreak;
  uint32_t node;
  auto key() const { return std::tie(service_tasks, total_tasks, tiebreak, node); }
};
// std heaps keep the greatest on top; the best candidate is the least.
bool worse(const Candidate& a, const Candidate& b) { return a.key() > b.key(); }

// One level of the spread tree.
struct Branch {
  int64_t tasks = 0;                       // the service's active tasks on every node below
  bool room = false;                       // some node below may still take a task
  std::map<std::string, Branch> children;  // by label value; empty at a leaf
  std::vector<Candidate> heap;             // leaf only
};

// Places the tasks of one service version.
class GroupPlacer {
 public:
  GroupPlacer(ClusterState& state, std::span<const TaskPtr> tasks, Plan& plan)
      : state_(state),
        tasks_(tasks),
        plan_(plan),
        demand_(Demand::of(*tasks.front(), state)),
        run_(demand_),
        seed_(stable_hash(tasks.front()->ServiceID)) {
    if (const auto& placement = tasks.front()->Spec->Placement) {
      for (const api::PlacementPreference& p : placement->Preferences) {
        if (p.Spread) descriptors_.push_back(p.Spread->SpreadDescriptor);
      }
    }
  }

  void run() {
    build_tree();
    size_t next = 0;
    for (; next < tasks_.size(); ++next) {
      std::vector<Branch*> path{&root_};
      std::optional<Candidate> chosen = choose(root_, path);
      if (!chosen) break;
      place(tasks_[next], *chosen, path);
    }
    if (next == tasks_.size()) return;
    // What every node says now, for the tasks left over.
    run_.reset_counts();
    for (const NodeInfo& node : state_.nodes()) {
      if (node.node) run_.passes(node);
    }
    std::string err = no_suitable_node(run_.explain());
    for (; next < tasks_.size(); ++next) plan_.unplaced.push_back({tasks_[next], err});
  }

 private:
  Candidate candidate(uint32_t index) const {
    const NodeInfo& node = state_.nodes()[index];
    return {node.active_of(demand_.service), node.active_tasks, mix(seed_ ^ node.seed), index};
  }

  void build_tree() {
    std::span<NodeInfo> nodes = state_.nodes();
    for (uint32_t i = 0; i < nodes.size(); ++i) {
      const NodeInfo& node = nodes[i];
      if (!node.node) continue;
      uint32_t service_tasks = node.active_of(demand_.service);
      Branch* branch = &root_;
      for (const std::string& descriptor : descriptors_) {
        std::optional<std::string_view> value = spread_value(descriptor, *node.node);
        if (!value) continue;
        branch->tasks += service_tasks;
        branch = &branch->children[std::string(*value)];
      }
      branch->tasks += service_tasks;
      if (run_.passes(node)) {
        branch->heap.push_back(candidate(i));
        branch->room = true;
      }
    }
    settle(root_);
  }

  // Makes heaps of the leaves and room flags of inner branches agree with their contents.
  static bool settle(Branch& branch) {
    if (branch.children.empty()) {
      std::make_heap(branch.heap.begin(), branch.heap.end(), worse);
      branch.room = !branch.heap.empty();
      return branch.room;
    }
    branch.room = false;
    for (auto& [value, child] : branch.children) branch.room |= settle(child);
    return branch.room;
  }

  // The best node under `branch` that still fits, taken out of its heap; `path` gets the
  // branches walked below `branch`. nullopt (and branch.room = false) when none fits.
  std::optional<Candidate> choose(Branch& branch, std::vector<Branch*>& path) {
    if (branch.children.empty()) {
      while (!branch.heap.empty()) {
        std::pop_heap(branch.heap.begin(), branch.heap.end(), worse);
        Candidate c = branch.heap.back();
        branch.heap.pop_back();
        if (run_.still_passes(state_.nodes()[c.node])) return c;
      }
      branch.room = false;
      return std::nullopt;
    }
    for (;;) {
      Branch* best = nullptr;
      for (auto& [value, child] : branch.children) {
        if (child.room && (best == nullptr || child.tasks < best->tasks)) best = &child;
      }
      if (best == nullptr) {
        branch.room = false;
        return std::nullopt;
      }
      path.push_back(best);
      if (auto c = choose(*best, path)) return c;
      path.pop_back();
    }
  }

  void place(const TaskPtr& task, Candidate c, const std::vector<Branch*>& path) {
    NodeInfo& node = state_.nodes()[c.node];
    Assignment a{task, node.node->ID, {}, false};
    for (const auto& [kind, units] : demand_.generic) {
      auto picked = node.pick_generic(kind, units);
      a.generic.insert(a.generic.end(), picked.begin(), picked.end());
    }
    Usage usage = state_.usage_of(*task, c.node);
    usage.generic = a.generic;
    state_.charge(task->ID, std::move(usage));
    plan_.assigned.push_back(std::move(a));
    for (Branch* b : path) ++b->tasks;
    Branch& leaf = *path.back();
    leaf.heap.push_back(candidate(c.node));
    std::push_heap(leaf.heap.begin(), leaf.heap.end(), worse);
  }

  ClusterState& state_;
  std::span<const TaskPtr> tasks_;
  Plan& plan_;
  Demand demand_;
  FilterRun run_;
  uint64_t seed_;
  std::vector<std::string> descriptors_;
  Branch root_;
};

// A task that came with its node (global services): that node or nothing.
void place_preassigned(ClusterState& state, const TaskPtr& task, Plan& plan) {
  std::optional<uint32_t> index = state.find_node(task->NodeID);
  if (!index || !state.nodes()[*index].node) return;  // the orchestrator will move it
  NodeInfo& node = state.nodes()[*index];
  Demand demand = Demand::of(*task, state);
  FilterRun run(demand);
  if (!run.passes(node)) {
    plan.unplaced.push_back({task, run.explain()});
    return;
  }
  Assignment a{task, task->NodeID, {}, true};
  for (const auto& [kind, units] : demand.generic) {
    auto picked = node.pick_generic(kind, units);
    a.generic.insert(a.generic.end(), picked.begin(), picked.end());
  }
  Usage usage = state.usage_of(*task, *index);
  usage.generic = a.generic;
  state.charge(task->ID, std::move(usage));
  plan.assigned.push_back(std::move(a));
}

}  // namespace

Plan plan_placements(ClusterState& state, std::vector<TaskPtr> tasks) {
  sort_by_service_slot_id(tasks);
  Plan plan;
  // Groups in order of their first task, so the plan does not depend on pointer values.
  std::vector<std::vector<TaskPtr>> groups;
  absl::flat_hash_map<std::pair<std::string_view, const api::TaskSpec*>, size_t> group_of;
  for (TaskPtr& task : tasks) {
    if (task->DesiredState > api::TaskState::kComplete) {
      plan.shut_down.push_back(std::move(task));
    } else if (!task->NodeID.empty()) {
      place_preassigned(state, task, plan);
    } else {
      auto [it, inserted] =
          group_of.try_emplace({task->ServiceID, task->Spec.get()}, groups.size());
      if (inserted) groups.emplace_back();
      groups[it->second].push_back(std::move(task));
    }
  }
  for (const auto& group : groups) GroupPlacer(state, group, plan).run();
  return plan;
}

}  // namespace shoal::manager::scheduler
