#include "manager/scheduler/cluster_state.h"

#include <algorithm>

namespace shoal::manager::scheduler {

namespace {

bool same_generic(const api::GenericResource& a, const api::GenericResource& b) {
  if (a.NamedResourceSpec.has_value() != b.NamedResourceSpec.has_value()) return false;
  if (a.DiscreteResourceSpec.has_value() != b.DiscreteResourceSpec.has_value()) return false;
  if (a.NamedResourceSpec && (a.NamedResourceSpec->Kind != b.NamedResourceSpec->Kind ||
                              a.NamedResourceSpec->Value != b.NamedResourceSpec->Value)) {
    return false;
  }
  return !a.DiscreteResourceSpec ||
         (a.DiscreteResourceSpec->Kind == b.DiscreteResourceSpec->Kind &&
          a.DiscreteResourceSpec->Value == b.DiscreteResourceSpec->Value);
}

bool same_generic_list(const std::vector<api::GenericResource>& a,
                       const std::vector<api::GenericResource>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), same_generic);
}

// The node fields a filter or a ranker reads.
bool same_for_placement(const api::Node& a, const api::Node& b) {
  const auto& da = a.Description;
  const auto& db = b.Description;
  return a.Status.State == b.Status.State && a.Status.Addr == b.Status.Addr &&
         a.Spec.Availability == b.Spec.Availability && a.Spec.Role == b.Spec.Role &&
         a.Spec.Labels == b.Spec.Labels && da.Hostname == db.Hostname &&
         da.Platform.OS == db.Platform.OS && da.Platform.Architecture == db.Platform.Architecture &&
         da.Resources.NanoCPUs == db.Resources.NanoCPUs &&
         da.Resources.MemoryBytes == db.Resources.MemoryBytes &&
         same_generic_list(da.Resources.GenericResources, db.Resources.GenericResources) &&
         da.Engine.Labels == db.Engine.Labels;
}

bool same_ports(const HostPorts& a, const HostPorts& b) {
  if (a == b) return true;
  if (!a || !b) return false;
  return *a == *b;
}

}  // namespace

std::vector<HostPort> service_host_ports(const api::Service& service) {
  std::vector<HostPort> ports;
  if (!service.Spec.EndpointSpec) return ports;
  for (const api::PortConfig& port : service.Spec.EndpointSpec->Ports) {
    if (port.PublishMode == api::PortConfigPublishMode::kHost && port.PublishedPort != 0) {
      ports.push_back(host_port(port.Protocol, port.PublishedPort));
    }
  }
  return ports;
}

uint64_t stable_hash(std::string_view text, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ull ^ seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  // splitmix64 finalizer: FNV's low bits mix poorly.
  h += 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

// NodeInfo ------------------------------------------------------------------------------------

uint32_t NodeInfo::active_of(uint32_t service) const {
  auto it = active_by_service.find(service);
  return it == active_by_service.end() ? 0 : it->second;
}

int64_t NodeInfo::free_nano_cpus() const {
  return (node ? node->Description.Resources.NanoCPUs : 0) - reserved_nano_cpus;
}

int64_t NodeInfo::free_memory_bytes() const {
  return (node ? node->Description.Resources.MemoryBytes : 0) - reserved_memory_bytes;
}

int64_t NodeInfo::free_generic(std::string_view kind) const {
  if (!node) return 0;
  auto used = generic.find(akey(kind));
  const GenericUse* use = used == generic.end() ? nullptr : &used->second;
  int64_t free = 0;
  for (const api::GenericResource& r : node->Description.Resources.GenericResources) {
    if (r.NamedResourceSpec && r.NamedResourceSpec->Kind == kind) {
      if (use == nullptr || !use->named.contains(r.NamedResourceSpec->Value)) ++free;
    } else if (r.DiscreteResourceSpec && r.DiscreteResourceSpec->Kind == kind) {
      free += r.DiscreteResourceSpec->Value;
    }
  }
  return free - (use == nullptr ? 0 : use->discrete);
}

std::vector<api::GenericResource> NodeInfo::pick_generic(std::string_view kind,
                                                         int64_t count) const {
  std::vector<api::GenericResource> picked;
  auto used = generic.find(akey(kind));
  const GenericUse* use = used == generic.end() ? nullptr : &used->second;
  for (const api::GenericResource& r : node->Description.Resources.GenericResources) {
    if (count == 0) break;
    if (r.NamedResourceSpec && r.NamedResourceSpec->Kind == kind &&
        (use == nullptr || !use->named.contains(r.NamedResourceSpec->Value))) {
      picked.push_back(r);
      --count;
    }
  }
  if (count > 0) {
    api::GenericResource discrete;
    discrete.DiscreteResourceSpec = api::DiscreteGenericResource{std::string(kind), count};
    picked.push_back(std::move(discrete));
  }
  return picked;
}

bool Usage::same_as(const Usage& other) const {
  return node == other.node && service == other.service && active == other.active &&
         nano_cpus == other.nano_cpus && memory_bytes == other.memory_bytes &&
         same_ports(host_ports, other.host_ports) && same_generic_list(generic, other.generic);
}

// ClusterState --------------------------------------------------------------------------------

ClusterState::ClusterState() = default;

uint32_t ClusterState::node_slot(std::string_view id) {
  auto [it, inserted] = node_index_.try_emplace(akey(id), static_cast<uint32_t>(nodes_.size()));
  if (inserted) {
    NodeInfo info;
    info.seed = stable_hash(id);
    nodes_.push_back(std::move(info));
  }
  return it->second;
}

bool ClusterState::upsert_node(std::shared_ptr<const api::Node> node) {
  NodeInfo& info = nodes_[node_slot(node->ID)];
  bool changed = !info.node || !same_for_placement(*info.node, *node);
  info.node = std::move(node);
  return changed;
}

bool ClusterState::remove_node(std::string_view id) {
  auto it = node_index_.find(akey(id));
  if (it == node_index_.end() || !nodes_[it->second].node) return false;
  nodes_[it->second].node = nullptr;
  return true;
}

std::optional<uint32_t> ClusterState::find_node(std::string_view id) const {
  auto it = node_index_.find(akey(id));
  if (it == node_index_.end()) return std::nullopt;
  return it->second;
}

uint32_t ClusterState::service_index(std::string_view service_id) {
  auto [it, inserted] =
      service_index_.try_emplace(akey(service_id), static_cast<uint32_t>(services_.size()));
  if (inserted) services_.push_back(ServiceEntry{std::string(service_id), nullptr});
  return it->second;
}

bool ClusterState::upsert_service(const api::Service& service) {
  std::vector<HostPort> ports = service_host_ports(service);
  HostPorts next = ports.empty() ? nullptr : std::make_shared<const std::vector<HostPort>>(ports);
  ServiceEntry& entry = services_[service_index(service.ID)];
  if (same_ports(entry.host_ports, next)) return false;
  entry.host_ports = std::move(next);
  return true;
}

Usage ClusterState::usage_of(const api::Task& task, uint32_t node) {
  Usage usage;
  usage.node = node;
  usage.service = service_index(task.ServiceID);
  usage.active = task.DesiredState <= api::TaskState::kComplete;
  if (task.Spec->Resources && task.Spec->Resources->Reservations) {
    usage.nano_cpus = task.Spec->Resources->Reservations->NanoCPUs;
    usage.memory_bytes = task.Spec->Resources->Reservations->MemoryBytes;
  }
  usage.host_ports = services_[usage.service].host_ports;
  usage.generic = task.GenericResources;
  return usage;
}

bool ClusterState::track(const api::Task& task) {
  bool on_node = !task.NodeID.empty() && task.Status.State >= api::TaskState::kAssigned &&
                 task.Status.State <= api::TaskState::kRunning;
  auto it = tasks_.find(task.ID);
  if (!on_node) {
    if (it == tasks_.end()) return false;
    sub(it->second);
    tasks_.erase(it);
    return true;
  }
  if (it != tasks_.end()) {
    // Keep the host ports the task was counted with: its service may have changed them since,
    // but the task still holds the ones it started with.
    Usage next = usage_of(task, node_slot(task.NodeID));
    next.host_ports = it->second.host_ports;
    if (next.same_as(it->second)) return false;
    sub(it->second);
    it->second = std::move(next);
    add(it->second);
    return true;
  }
  Usage usage = usage_of(task, node_slot(task.NodeID));
  add(usage);
  tasks_.emplace(task.ID, std::move(usage));
  return false;
}

bool ClusterState::untrack(std::string_view task_id) {
  auto it = tasks_.find(akey(task_id));
  if (it == tasks_.end()) return false;
  sub(it->second);
  tasks_.erase(it);
  return true;
}

void ClusterState::charge(std::string_view task_id, Usage usage) {
  auto [it, inserted] = tasks_.try_emplace(akey(task_id));
  if (!inserted) sub(it->second);
  it->second = std::move(usage);
  add(it->second);
}

const Usage* ClusterState::usage(std::string_view task_id) const {
  auto it = tasks_.find(akey(task_id));
  return it == tasks_.end() ? nullptr : &it->second;
}

void ClusterState::add(const Usage& usage) {
  NodeInfo& node = nodes_[usage.node];
  if (usage.active) {
    ++node.active_tasks;
    ++node.active_by_service[usage.service];
  }
  node.reserved_nano_cpus += usage.nano_cpus;
  node.reserved_memory_bytes += usage.memory_bytes;
  if (usage.host_ports) {
    for (HostPort port : *usage.host_ports) ++node.host_ports[port];
  }
  for (const api::GenericResource& r : usage.generic) {
    if (r.NamedResourceSpec) {
      node.generic[r.NamedResourceSpec->Kind].named.insert(r.NamedResourceSpec->Value);
    } else if (r.DiscreteResourceSpec) {
      node.generic[r.DiscreteResourceSpec->Kind].discrete += r.DiscreteResourceSpec->Value;
    }
  }
}

void ClusterState::sub(const Usage& usage) {
  NodeInfo& node = nodes_[usage.node];
  if (usage.active) {
    --node.active_tasks;
    auto it = node.active_by_service.find(usage.service);
    if (--it->second == 0) node.active_by_service.erase(it);
  }
  node.reserved_nano_cpus -= usage.nano_cpus;
  node.reserved_memory_bytes -= usage.memory_bytes;
  if (usage.host_ports) {
    for (HostPort port : *usage.host_ports) {
      auto it = node.host_ports.find(port);
      if (--it->second == 0) node.host_ports.erase(it);
    }
  }
  for (const api::GenericResource& r : usage.generic) {
    if (r.NamedResourceSpec) {
      auto it = node.generic.find(r.NamedResourceSpec->Kind);
      if (it != node.generic.end()) it->second.named.erase(r.NamedResourceSpec->Value);
    } else if (r.DiscreteResourceSpec) {
      auto it = node.generic.find(r.DiscreteResourceSpec->Kind);
      if (it != node.generic.end()) it->second.discrete -= r.DiscreteResourceSpec->Value;
    }
  }
}

}  // namespace shoal::manager::scheduler
