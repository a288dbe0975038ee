#include "manager/orchestrator/spec.h"

#include <gtest/gtest.h>

#include "world.h"

namespace shoal::manager::orchestrator {
namespace {

using namespace testing;

// A task of `service`'s current template, allocated with `endpoint` (null: unallocated).
api::Task task_of(const ServiceTemplate& tmpl, std::shared_ptr<const api::Endpoint> endpoint) {
  api::Task t;
  t.ID = "t1";
  t.Spec = tmpl.spec();
  t.Endpoint = std::move(endpoint);
  return t;
}

api::PortConfig port(uint32_t target, uint32_t published) {
  api::PortConfig p;
  p.Protocol = api::PortConfigProtocol::kTCP;
  p.TargetPort = target;
  p.PublishedPort = published;
  return p;
}

TEST(ServiceTemplate, EndpointSpecChangeMakesAllocatedTasksDirty) {
  api::Service service = replicated_service(1);
  api::EndpointSpec before;
  before.Ports = {port(80, 8080)};
  service.Spec.EndpointSpec = before;
  ServiceTemplate same(service);
  auto allocated = std::make_shared<api::Endpoint>();
  allocated->Spec = before;
  EXPECT_FALSE(same.is_dirty(task_of(same, allocated), nullptr));

  // --publish-add: the service's spec has one more port than the task was allocated with.
  service.Spec.EndpointSpec->Ports.push_back(port(80, 8081));
  service.Version.Index++;
  ServiceTemplate added(service);
  EXPECT_TRUE(added.is_dirty(task_of(added, allocated), nullptr));
  // Not yet allocated: nothing to compare (swarmkit's rule).
  EXPECT_FALSE(added.is_dirty(task_of(added, nullptr), nullptr));
}

TEST(ServiceTemplate, UnsetEndpointSpecEqualsAnEmptyAllocation) {
  api::Service service = replicated_service(1);
  ServiceTemplate tmpl(service);
  EXPECT_FALSE(tmpl.is_dirty(task_of(tmpl, std::make_shared<api::Endpoint>()), nullptr));
}

}  // namespace
}  // namespace shoal::manager::orchestrator
