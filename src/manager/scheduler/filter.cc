#include "manager/scheduler/filter.h"

#include <fmt/format.h>

#include <algorithm>

namespace shoal::manager::scheduler {

namespace {

// "<n> <noun>s <rest>" with swarmkit's singular for one node.
std::string nodes_phrase(uint32_t nodes, std::string_view before, std::string_view after) {
  return fmt::format("{}{} node{}{}", before, nodes, nodes == 1 ? "" : "s", after);
}

// --- ready: the node is up and takes new tasks ----------------------------------------------
bool ready_applies(const Demand&) { return true; }
bool ready_check(const Demand&, const NodeInfo& n) {
  return n.node->Status.State == api::NodeState::kReady &&
         n.node->Spec.Availability == api::NodeAvailability::kActive;
}
std::string ready_explain(uint32_t nodes) {
  return nodes_phrase(nodes, "", " not available for new tasks");
}

// --- resources: reservations fit in what the node has left -----------------------------------
bool resources_applies(const Demand& d) {
  return d.nano_cpus > 0 || d.memory_bytes > 0 || !d.generic.empty();
}
bool resources_check(const Demand& d, const NodeInfo& n) {
  if (d.nano_cpus > n.free_nano_cpus() || d.memory_bytes > n.free_memory_bytes()) return false;
  return std::all_of(d.generic.begin(), d.generic.end(),
                     [&](const auto& g) { return n.free_generic(g.first) >= g.second; });
}
std::string resources_explain(uint32_t nodes) {
  return nodes_phrase(nodes, "insufficient resources on ", "");
}

// --- constraints: node.labels.zone==east and the like ----------------------------------------
bool constraints_applies(const Demand& d) { return !d.constraints.empty(); }
bool constraints_check(const Demand& d, const NodeInfo& n) {
  return node_matches(d.constraints, *n.node);
}
std::string constraints_explain(uint32_t nodes) {
  return nodes_phrase(nodes, "scheduling constraints not satisfied on ", "");
}

// --- platform: the image runs on the node's OS and architecture ------------------------------
std::string_view normalized_arch(std::string_view arch) {
  if (arch == "x86_64") return "amd64";
  if (arch == "aarch64") return "arm64";
  return arch;
}
bool platform_applies(const Demand& d) { return !d.platforms.empty(); }
bool platform_check(const Demand& d, const NodeInfo& n) {
  const api::Platform& node = n.node->Description.Platform;
  return std::any_of(d.platforms.begin(), d.platforms.end(), [&](const api::Platform& p) {
    return (p.Architecture.empty() ||
            normalized_arch(p.Architecture) == normalized_arch(node.Architecture)) &&
           (p.OS.empty() || p.OS == node.OS);
  });
}
std::string platform_explain(uint32_t nodes) {
  return nodes_phrase(nodes, "unsupported platform on ", "");
}

// --- host ports: host-mode published ports still free on the node ----------------------------
bool host_ports_applies(const Demand& d) { return d.host_ports && !d.host_ports->empty(); }
bool host_ports_check(const Demand& d, const NodeInfo& n) {
  return std::none_of(d.host_ports->begin(), d.host_ports->end(),
                      [&](HostPort p) { return n.host_ports.contains(p); });
}
std::string host_ports_explain(uint32_t nodes) {
  return nodes_phrase(nodes, "host-mode port already in use on ", "");
}

// --- max replicas: Placement.MaxReplicas tasks of the service per node -----------------------
bool max_replicas_applies(const Demand& d) { return d.max_replicas > 0; }
bool max_replicas_check(const Demand& d, const NodeInfo& n) {
  return n.active_of(d.service) < d.max_replicas;
}
std::string max_replicas_explain(uint32_t) { return "max replicas per node limit exceed"; }

// The chain. Order decides which filter a node that fails several is counted against, so it
// is swarmkit's (its texts are what Docker users know); it is also cheapest first: enum
// compares, then integer compares, then string matching, then hash lookups.
constexpr std::array<Filter, kFilterCount> kChain{{
    {FilterKind::kReady, "ready", false, ready_applies, ready_check, ready_explain},
    {FilterKind::kResources, "resources", true, resources_applies, resources_check,
     resources_explain},
    {FilterKind::kConstraints, "constraints", false, constraints_applies, constraints_check,
     constraints_explain},
    {FilterKind::kPlatform, "platform", false, platform_applies, platform_check, platform_explain},
    {FilterKind::kHostPorts, "host ports", true, host_ports_applies, host_ports_check,
     host_ports_explain},
    {FilterKind::kMaxReplicas, "max replicas", true, max_replicas_applies, max_replicas_check,
     max_replicas_explain},
}};

}  // namespace

std::span<const Filter> filter_chain() { return kChain; }

Demand Demand::of(const api::Task& task, ClusterState& state) {
  Demand d;
  d.service = state.service_index(task.ServiceID);
  const api::TaskSpec& spec = *task.Spec;
  if (spec.Resources && spec.Resources->Reservations) {
    const api::Resources& r = *spec.Resources->Reservations;
    d.nano_cpus = r.NanoCPUs;
    d.memory_bytes = r.MemoryBytes;
    for (const api::GenericResource& g : r.GenericResources) {
      if (g.DiscreteResourceSpec && g.DiscreteResourceSpec->Value > 0) {
        d.generic.emplace_back(g.DiscreteResourceSpec->Kind, g.DiscreteResourceSpec->Value);
      }
    }
  }
  if (spec.Placement) {
    auto parsed = parse_constraints(spec.Placement->Constraints);
    if (parsed.is_ok()) d.constraints = std::move(parsed).value();
    d.platforms = spec.Placement->Platforms;
    d.max_replicas = spec.Placement->MaxReplicas;
  }
  d.host_ports = state.host_ports(d.service);
  return d;
}

FilterRun::FilterRun(const Demand& demand) : demand_(demand) {
  for (const Filter& f : kChain) applies_[static_cast<size_t>(f.kind)] = f.applies(demand);
}

bool FilterRun::run(const NodeInfo& node, bool dynamic_only) {
  for (const Filter& f : kChain) {
    size_t i = static_cast<size_t>(f.kind);
    if (!applies_[i] || (dynamic_only && !f.dynamic)) continue;
    if (!f.check(demand_, node)) {
      ++rejected_[i];
      return false;
    }
  }
  return true;
}

bool FilterRun::passes(const NodeInfo& node) { return run(node, false); }

bool FilterRun::still_passes(const NodeInfo& node) { return run(node, true); }

std::string FilterRun::explain() const {
  std::array<size_t, kFilterCount> order;
  for (size_t i = 0; i < kFilterCount; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rejected_[a] > rejected_[b]; });
  std::string out;
  for (size_t i : order) {
    if (rejected_[i] == 0) break;
    if (!out.empty()) out += "; ";
    out += kChain[i].explain(rejected_[i]);
  }
  return out;
}

std::string no_suitable_node(const std::string& explanation) {
  if (explanation.empty()) return "no suitable node";
  return "no suitable node (" + explanation + ")";
}

}  // namespace shoal::manager::scheduler
