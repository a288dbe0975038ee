// Builders for the allocator's tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/model.h"

namespace shoal::manager::allocator::testing {

inline api::Network network(const std::string& id, const std::string& name,
                            const std::string& subnet = "", bool ingress = false) {
  api::Network n;
  n.ID = id;
  n.Spec.Name = name;
  n.Spec.DriverConfiguration = api::Driver{"overlay", {}};
  n.Spec.Ingress = ingress;
  n.Spec.Scope = "swarm";
  if (!subnet.empty()) {
    n.Spec.IPAMOptions = api::IPAMOptions{api::Driver{"default", {}}, {{subnet, "", ""}}};
  }
  return n;
}

inline api::PortConfig port(
    uint32_t target, uint32_t published = 0,
    api::PortConfigPublishMode mode = api::PortConfigPublishMode::kIngress) {
  api::PortConfig p;
  p.Protocol = api::PortConfigProtocol::kTCP;
  p.TargetPort = target;
  p.PublishedPort = published;
  p.PublishMode = mode;
  return p;
}

inline api::Service service(const std::string& id, std::vector<api::PortConfig> ports = {},
                            std::vector<std::string> networks = {},
                            api::ResolutionMode mode = api::ResolutionMode::kVIP) {
  api::Service s;
  s.ID = id;
  s.Spec.Name = "svc-" + id;
  s.Spec.TaskTemplate.ContainerSpec.emplace();
  s.Spec.TaskTemplate.ContainerSpec->Image = "busybox";
  for (auto& n : networks) s.Spec.TaskTemplate.Networks.push_back({n, {}, {}});
  s.Spec.EndpointSpec = api::EndpointSpec{mode, std::move(ports)};
  return s;
}

inline api::Task new_task(const std::string& id, const api::Service& s, int64_t slot = 1) {
  api::Task t;
  t.ID = id;
  t.ServiceID = s.ID;
  t.Slot = slot;
  t.Spec = std::make_shared<const api::TaskSpec>(s.Spec.TaskTemplate);
  t.DesiredState = api::TaskState::kRunning;
  t.Status.State = api::TaskState::kNew;
  t.Status.Message = "created";
  return t;
}

}  // namespace shoal::manager::allocator::testing
