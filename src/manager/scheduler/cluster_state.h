// ClusterState: what the scheduler knows of the cluster, kept up to date incrementally from
// store events so that a placement never rescans tasks (DESIGN.md "How it gets fast"):
//   - every node, with counters of what the tasks assigned to it use: active tasks in total
//     and per service, reserved NanoCPUs and MemoryBytes, claimed generic resources, used
//     host-mode published ports;
//   - every service's host-mode published ports (a task occupies its service's ports);
//   - every task counted on a node, with the usage it was counted with (so a later event
//     for the same task changes the counters by the difference, and a repeated event changes
//     nothing).
//
// A task is counted on its node while it has a NodeID and Status.State is assigned..running;
// it counts as *active* (for spreading and MaxReplicas) while DesiredState <= complete, as in
// swarmkit's NodeInfo. A task the scheduler has just placed is counted by charge() before its
// commit, so the rest of the tick sees it; the commit's own event then changes nothing.
//
// Nodes keep their slot (index) for the life of the state, even once deleted from the store
// (NodeInfo::node is null then), so usage records never dangle. Services are interned to dense
// indexes the same way.
//
// Thread safety: none; the scheduler's loop thread owns it.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/node.h"
#include "api/service.h"
#include "api/task.h"

namespace shoal::manager::scheduler {

// absl's hash containers take absl::string_view (a distinct type in this abseil build).
inline absl::string_view akey(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A published host port: protocol in the high 16 bits, port number in the low 16.
using HostPort = uint32_t;
inline HostPort host_port(api::PortConfigProtocol protocol, uint32_t port) {
  // An unset protocol means tcp (Docker's default).
  if (protocol == api::PortConfigProtocol::kUnset) protocol = api::PortConfigProtocol::kTCP;
  return (static_cast<uint32_t>(protocol) << 16) | (port & 0xffff);
}
using HostPorts = std::shared_ptr<const std::vector<HostPort>>;

// The host-mode ports with a PublishedPort that `service` publishes (empty when none).
std::vector<HostPort> service_host_ports(const api::Service& service);

// A stable 64-bit hash (FNV-1a then a mixer): the same on every run and machine, so ties
// broken with it replay.
uint64_t stable_hash(std::string_view text, uint64_t seed = 0);

// What one generic resource kind ("GPU") a node has handed out.
struct GenericUse {
  absl::flat_hash_set<std::string> named;  // named values claimed
  int64_t discrete = 0;                    // discrete units claimed
};

struct NodeInfo {
  std::shared_ptr<const api::Node> node;  // null once the node left the store
  uint64_t seed = 0;                      // stable_hash(node ID)

  uint32_t active_tasks = 0;
  absl::flat_hash_map<uint32_t, uint32_t> active_by_service;  // service index -> tasks
  int64_t reserved_nano_cpus = 0;
  int64_t reserved_memory_bytes = 0;
  absl::flat_hash_map<HostPort, uint32_t> host_ports;    // port -> tasks using it
  absl::flat_hash_map<std::string, GenericUse> generic;  // kind -> claimed

  uint32_t active_of(uint32_t service) const;
  // Capacity the node reports minus what its tasks reserve (may be negative).
  int64_t free_nano_cpus() const;
  int64_t free_memory_bytes() const;
  // Units of `kind` not yet claimed: free named values plus free discrete units.
  int64_t free_generic(std::string_view kind) const;
  // Picks `count` units of `kind` for a task: free named values first, in the order the node
  // lists them, then discrete units. REQUIRES: free_generic(kind) >= count.
  std::vector<api::GenericResource> pick_generic(std::string_view kind, int64_t count) const;
};

// What one task counted on a node uses there.
struct Usage {
  uint32_t node = 0;
  uint32_t service = 0;
  bool active = false;
  int64_t nano_cpus = 0;
  int64_t memory_bytes = 0;
  HostPorts host_ports;                       // null = none
  std::vector<api::GenericResource> generic;  // the task's assigned generic resources

  bool same_as(const Usage& other) const;
};

class ClusterState {
 public:
  ClusterState();

  // Nodes ------------------------------------------------------------------------------------
  // Adds or replaces a node. Returns true when something placement looks at changed (status,
  // availability, role, labels, description, address), i.e. pending tasks deserve a retry.
  bool upsert_node(std::shared_ptr<const api::Node> node);
  // Marks the node gone; its slot and counters stay. Returns whether it was known and live.
  bool remove_node(std::string_view id);
  // The slot of a node (live or not), if it was ever seen.
  std::optional<uint32_t> find_node(std::string_view id) const;
  // Every slot; skip those whose `node` is null.
  std::span<NodeInfo> nodes() { return nodes_; }
  std::span<const NodeInfo> nodes() const { return nodes_; }

  // Services ---------------------------------------------------------------------------------
  // The dense index of a service ID (interned on first use; never reused).
  uint32_t service_index(std::string_view service_id);
  // Records the service's host ports. Returns true when they changed.
  bool upsert_service(const api::Service& service);
  // Host ports of the service (null = none).
  const HostPorts& host_ports(uint32_t service) const { return services_[service].host_ports; }

  // Tasks ------------------------------------------------------------------------------------
  // Makes what is counted for `task` match what it uses now (nothing unless it is on a node in
  // state assigned..running). Returns true when capacity was released or moved (a task left a
  // node, stopped being active, or changed what it holds): pending tasks deserve a retry.
  bool track(const api::Task& task);
  // Forgets a task (deleted). Returns true when it was counted on a node.
  bool untrack(std::string_view task_id);
  // Counts `usage` for `task_id`, replacing what was counted for it (a planned placement).
  void charge(std::string_view task_id, Usage usage);
  // What is counted for a task, or null.
  const Usage* usage(std::string_view task_id) const;
  size_t tracked_tasks() const { return tasks_.size(); }

  // The usage `task` would have on node `node` (its reservations, its service's host ports,
  // its assigned generic resources).
  Usage usage_of(const api::Task& task, uint32_t node);

 private:
  struct ServiceEntry {
    std::string id;
    HostPorts host_ports;
  };

  uint32_t node_slot(std::string_view id);
  void add(const Usage& usage);
  void sub(const Usage& usage);

  std::vector<NodeInfo> nodes_;
  absl::flat_hash_map<std::string, uint32_t> node_index_;
  std::vector<ServiceEntry> services_;
  absl::flat_hash_map<std::string, uint32_t> service_index_;
  absl::flat_hash_map<std::string, Usage> tasks_;
};

}  // namespace shoal::manager::scheduler
