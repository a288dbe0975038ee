// Builders for the scheduler's tests: nodes, specs and tasks with only what a test sets.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/model.h"
#include "manager/scheduler/cluster_state.h"

namespace shoal::manager::scheduler::testing {

inline constexpr int64_t kCpu = 1'000'000'000;  // one CPU in NanoCPUs
inline constexpr int64_t kGiB = int64_t{1} << 30;

struct NodeOptions {
  int64_t cpus = 4 * kCpu;
  int64_t memory = 8 * kGiB;
  api::NodeState state = api::NodeState::kReady;
  api::NodeAvailability availability = api::NodeAvailability::kActive;
  api::NodeRole role = api::NodeRole::kWorker;
  api::StringMap labels{};
  std::string os = "linux";
  std::string arch = "x86_64";
  std::vector<api::GenericResource> generic{};
};

inline std::shared_ptr<const api::Node> make_node(const std::string& id, NodeOptions o = {}) {
  api::Node n;
  n.ID = id;
  n.Spec.Role = o.role;
  n.Spec.Availability = o.availability;
  n.Spec.Labels = std::move(o.labels);
  n.Description.Hostname = "host-" + id;
  n.Description.Platform = {o.arch, o.os};
  n.Description.Resources.NanoCPUs = o.cpus;
  n.Description.Resources.MemoryBytes = o.memory;
  n.Description.Resources.GenericResources = std::move(o.generic);
  n.Status.State = o.state;
  n.Status.Addr = "10.1.0.1";
  return std::make_shared<const api::Node>(std::move(n));
}

inline api::GenericResource named(std::string kind, std::string value) {
  api::GenericResource r;
  r.NamedResourceSpec = api::NamedGenericResource{std::move(kind), std::move(value)};
  return r;
}

inline api::GenericResource discrete(std::string kind, int64_t value) {
  api::GenericResource r;
  r.DiscreteResourceSpec = api::DiscreteGenericResource{std::move(kind), value};
  return r;
}

struct SpecOptions {
  int64_t cpus = 0;
  int64_t memory = 0;
  std::vector<api::GenericResource> generic{};
  std::vector<std::string> constraints{};
  std::vector<std::string> spread{};  // descriptors
  uint64_t max_replicas = 0;
  std::vector<api::Platform> platforms{};
};

inline std::shared_ptr<const api::TaskSpec> make_spec(SpecOptions o = {}) {
  api::TaskSpec spec;
  spec.ContainerSpec.emplace();
  spec.ContainerSpec->Image = "busybox";
  if (o.cpus || o.memory || !o.generic.empty()) {
    spec.Resources.emplace();
    spec.Resources->Reservations = api::Resources{o.cpus, o.memory, std::move(o.generic)};
  }
  if (!o.constraints.empty() || !o.spread.empty() || o.max_replicas || !o.platforms.empty()) {
    spec.Placement.emplace();
    spec.Placement->Constraints = std::move(o.constraints);
    for (auto& d : o.spread) {
      api::PlacementPreference p;
      p.Spread = api::SpreadOver{std::move(d)};
      spec.Placement->Preferences.push_back(std::move(p));
    }
    spec.Placement->MaxReplicas = o.max_replicas;
    spec.Placement->Platforms = std::move(o.platforms);
  }
  return std::make_shared<const api::TaskSpec>(std::move(spec));
}

inline api::Task task_value(const std::string& id, const std::string& service, int64_t slot,
                            std::shared_ptr<const api::TaskSpec> spec) {
  api::Task t;
  t.ID = id;
  t.ServiceID = service;
  t.Slot = slot;
  t.Spec = std::move(spec);
  t.DesiredState = api::TaskState::kRunning;
  t.Status.State = api::TaskState::kPending;
  t.Status.Message = "pending task scheduling";
  return t;
}

inline std::shared_ptr<const api::Task> pending_task(const std::string& id,
                                                     const std::string& service, int64_t slot,
                                                     std::shared_ptr<const api::TaskSpec> spec) {
  return std::make_shared<const api::Task>(task_value(id, service, slot, std::move(spec)));
}

// A task running on `node`.
inline api::Task running_task(const std::string& id, const std::string& service,
                              const std::string& node, std::shared_ptr<const api::TaskSpec> spec) {
  api::Task t = task_value(id, service, 1, std::move(spec));
  t.NodeID = node;
  t.Status.State = api::TaskState::kRunning;
  return t;
}

inline api::Service service_with_host_port(const std::string& id, uint32_t port) {
  api::Service s;
  s.ID = id;
  s.Spec.Name = id;
  s.Spec.EndpointSpec.emplace();
  api::PortConfig p;
  p.Protocol = api::PortConfigProtocol::kTCP;
  p.TargetPort = 80;
  p.PublishedPort = port;
  p.PublishMode = api::PortConfigPublishMode::kHost;
  s.Spec.EndpointSpec->Ports.push_back(p);
  return s;
}

}  // namespace shoal::manager::scheduler::testing
