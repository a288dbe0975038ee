#include "manager/allocator/plan.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace shoal::manager::allocator {
namespace {

using namespace testing;
using api::PortConfigPublishMode;

constexpr int64_t kNow = 1'700'000'000'000'000'000;

// A state and index with networks allocated as plan_networks would.
struct World {
  AllocState state{SubnetPool::make({}, 0).value()};
  NetworkIndex index;

  const api::Network& add_network(api::Network n) {
    std::vector<PlanError> errors;
    auto units = plan_networks(state, {std::make_shared<const api::Network>(n)}, errors);
    EXPECT_TRUE(errors.empty());
    auto allocated = std::make_shared<const api::Network>(units.at(0).planned);
    index.add(allocated);
    return *allocated;
  }

  // Plans one service; returns its Endpoint as planned (or as it was, when unchanged).
  api::Endpoint endpoint(const api::Service& s, std::vector<PlanError>* errors_out = nullptr) {
    std::vector<PlanError> errors;
    auto units = plan_services(state, index, {std::make_shared<const api::Service>(s)}, errors);
    if (errors_out) *errors_out = errors;
    return units.empty() ? s.Endpoint : units[0].planned.Endpoint;
  }
};

TEST(PlanNetworksTest, IngressFirstThenPoolSubnetsGatewaysAndVxlanIds) {
  AllocState state(SubnetPool::make({}, 0).value());
  api::Network a = network("a", "front");
  a.CreatedAt = Timestamp::from_unix_nanos(kNow);
  api::Network ingress = network("z", "ingress", "", true);
  ingress.CreatedAt = Timestamp::from_unix_nanos(kNow + 1);
  api::Network user = network("u", "user", "192.168.7.0/24");
  user.CreatedAt = Timestamp::from_unix_nanos(kNow + 2);
  std::vector<PlanError> errors;
  auto units = plan_networks(
      state,
      {std::make_shared<const api::Network>(a), std::make_shared<const api::Network>(ingress),
       std::make_shared<const api::Network>(user)},
      errors);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_TRUE(errors.empty());
  const api::Network& i = units[0].planned;
  EXPECT_EQ(i.ID, "z");
  EXPECT_EQ(i.IPAMOptions->Driver.Name, "default");
  EXPECT_EQ(i.IPAMOptions->Configs.at(0).Subnet, "10.0.0.0/24");
  EXPECT_EQ(i.IPAMOptions->Configs.at(0).Gateway, "10.0.0.1");
  EXPECT_EQ(i.DriverState.Name, "overlay");
  EXPECT_EQ(i.DriverState.Options.at(std::string(kVxlanOption)), "4096");
  EXPECT_EQ(units[1].planned.IPAMOptions->Configs.at(0).Subnet, "10.0.1.0/24");
  EXPECT_EQ(units[1].planned.DriverState.Options.at(std::string(kVxlanOption)), "4097");
  EXPECT_EQ(units[2].planned.IPAMOptions->Configs.at(0).Subnet, "192.168.7.0/24");
  EXPECT_EQ(units[2].planned.IPAMOptions->Configs.at(0).Gateway, "192.168.7.1");
  for (const auto& u : units) EXPECT_TRUE(is_allocated(u.planned));
  EXPECT_TRUE(state.space("z")->in_use(parse_address("10.0.0.1").value()));  // gateway held
}

TEST(PlanNetworksTest, OverlappingUserSubnetIsRefused) {
  World w;
  w.add_network(network("a", "a", "10.0.0.0/16"));
  std::vector<PlanError> errors;
  auto units = plan_networks(
      w.state, {std::make_shared<const api::Network>(network("b", "b", "10.0.5.0/24"))}, errors);
  EXPECT_TRUE(units.empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].id, "b");
  EXPECT_EQ(errors[0].message,
            "network b (b): invalid pool request: Pool overlaps with other one on this address "
            "space");
  // A pool subnet skips it.
  units = plan_networks(w.state, {std::make_shared<const api::Network>(network("c", "c"))}, errors);
  EXPECT_EQ(units.at(0).planned.IPAMOptions->Configs.at(0).Subnet, "10.1.0.0/24");
}

struct EndpointCase {
  std::string name;
  api::Service service;
  std::vector<api::PortConfig> ports;  // Endpoint.Ports expected
  std::vector<std::string> vips;       // "network ID=address" expected
};

class EndpointTableTest : public ::testing::TestWithParam<EndpointCase> {};

TEST_P(EndpointTableTest, Plans) {
  const EndpointCase& c = GetParam();
  World w;
  w.add_network(network("ing", "ingress", "", true));  // 10.0.0.0/24
  w.add_network(network("back", "backend"));           // 10.0.1.0/24
  api::Endpoint ep = w.endpoint(c.service);
  ASSERT_EQ(ep.Ports.size(), c.ports.size());
  for (size_t i = 0; i < ep.Ports.size(); ++i) {
    EXPECT_EQ(ep.Ports[i].TargetPort, c.ports[i].TargetPort) << i;
    EXPECT_EQ(ep.Ports[i].PublishedPort, c.ports[i].PublishedPort) << i;
    EXPECT_EQ(ep.Ports[i].PublishMode, c.ports[i].PublishMode) << i;
    EXPECT_EQ(ep.Ports[i].Protocol, api::PortConfigProtocol::kTCP) << i;
  }
  std::vector<std::string> vips;
  for (const auto& v : ep.VirtualIPs) vips.push_back(v.NetworkID + "=" + v.Addr);
  EXPECT_EQ(vips, c.vips);
  EXPECT_EQ(ep.Spec.Mode, c.service.Spec.EndpointSpec->Mode);
  EXPECT_EQ(ep.Spec.Ports.size(), c.service.Spec.EndpointSpec->Ports.size());
}

api::Service unset_modes() {
  api::Service s = service("s", {port(80)});
  s.Spec.EndpointSpec->Ports[0].Protocol = api::PortConfigProtocol::kUnset;
  s.Spec.EndpointSpec->Ports[0].PublishMode = PortConfigPublishMode::kUnset;
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Endpoints, EndpointTableTest,
    ::testing::Values(EndpointCase{"no_ports_no_networks", service("s"), {}, {}},
                      EndpointCase{"explicit_ingress_port",
                                   service("s", {port(80, 8080)}),
                                   {port(80, 8080)},
                                   {"ing=10.0.0.2/24"}},
                      EndpointCase{"dynamic_ingress_ports",
                                   service("s", {port(80), port(443)}),
                                   {port(80, 30000), port(443, 30001)},
                                   {"ing=10.0.0.2/24"}},
                      EndpointCase{"unset_mode_and_protocol_are_ingress_tcp",
                                   unset_modes(),
                                   {port(80, 30000)},
                                   {"ing=10.0.0.2/24"}},
                      EndpointCase{"host_port_is_copied_and_needs_no_ingress",
                                   service("s", {port(80, 8080, PortConfigPublishMode::kHost)}),
                                   {port(80, 8080, PortConfigPublishMode::kHost)},
                                   {}},
                      EndpointCase{"vip_per_network_ingress_first",
                                   service("s", {port(80, 8080)}, {"backend"}),
                                   {port(80, 8080)},
                                   {"ing=10.0.0.2/24", "back=10.0.1.2/24"}},
                      EndpointCase{"network_by_id_and_name_once",
                                   service("s", {}, {"back", "backend"}),
                                   {},
                                   {"back=10.0.1.2/24"}},
                      EndpointCase{"unknown_network_is_skipped",
                                   service("s", {}, {"nope", "backend"}),
                                   {},
                                   {"back=10.0.1.2/24"}},
                      EndpointCase{"dnsrr_has_no_vips",
                                   service("s", {port(80, 8080, PortConfigPublishMode::kHost)},
                                           {"backend"}, api::ResolutionMode::kDNSRR),
                                   {port(80, 8080, PortConfigPublishMode::kHost)},
                                   {}}),
    [](const ::testing::TestParamInfo<EndpointCase>& info) { return info.param.name; });

TEST(PlanServicesTest, ReplanningKeepsPortsAndAddresses) {
  World w;
  w.add_network(network("ing", "ingress", "", true));
  w.add_network(network("back", "backend"));
  api::Service s = service("s", {port(80), port(81)}, {"backend"});
  s.Endpoint = w.endpoint(s);
  // Another service takes the next port and address.
  api::Service other = service("o", {port(90)}, {"backend"});
  other.Endpoint = w.endpoint(other);
  EXPECT_EQ(other.Endpoint.Ports[0].PublishedPort, 30002u);

  // Unchanged spec: no unit; the state still holds what the service holds.
  std::vector<PlanError> errors;
  EXPECT_TRUE(
      plan_services(w.state, w.index, {std::make_shared<const api::Service>(s)}, errors).empty());
  EXPECT_EQ(w.state.ports().owner(api::PortConfigProtocol::kTCP, 30000), "s");

  // A port added: the old ones stay, the new one is the next free.
  api::Service updated = s;
  updated.Spec.EndpointSpec->Ports.push_back(port(82));
  api::Endpoint ep = w.endpoint(updated);
  EXPECT_EQ(ep.Ports[0].PublishedPort, 30000u);
  EXPECT_EQ(ep.Ports[1].PublishedPort, 30001u);
  EXPECT_EQ(ep.Ports[2].PublishedPort, 30003u);
  EXPECT_EQ(ep.VirtualIPs.size(), 2u);
  for (size_t i = 0; i < ep.VirtualIPs.size(); ++i)
    EXPECT_EQ(ep.VirtualIPs[i].Addr, s.Endpoint.VirtualIPs[i].Addr);
}

TEST(PlanServicesTest, PortTakenByAnotherServiceLeavesTheServiceAsItWas) {
  World w;
  w.add_network(network("ing", "ingress", "", true));
  api::Service a = service("a", {port(80, 8080)});
  a.Endpoint = w.endpoint(a);
  api::Service b = service("b", {port(80, 8080), port(81)});
  std::vector<PlanError> errors;
  api::Endpoint ep = w.endpoint(b, &errors);
  EXPECT_TRUE(ep.Ports.empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message,
            "service svc-b (b): port '8080' is already in use by service 'a' as an ingress port");
  // Nothing of b's is held: its dynamic port and ingress VIP were given back.
  EXPECT_EQ(w.state.ports().size(), 1u);
  EXPECT_EQ(w.state.space("ing")->used(), 2u);  // gateway + a's VIP
}

TEST(PlanServicesTest, WaitsForItsNetworkToBeAllocated) {
  World w;
  w.index.add(std::make_shared<const api::Network>(network("back", "backend")));  // not allocated
  std::vector<PlanError> errors;
  api::Endpoint ep = w.endpoint(service("s", {}, {"backend"}), &errors);
  EXPECT_TRUE(ep.VirtualIPs.empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "service svc-s (s): network backend is not allocated yet");
}

TEST(PlanTasksTest, AttachmentsIngressFirstThenNetworksThenPending) {
  World w;
  w.add_network(network("ing", "ingress", "", true));
  w.add_network(network("back", "backend"));
  api::Service s = service("s", {port(80)}, {"backend"});
  auto task = std::make_shared<const api::Task>(new_task("t1", s));
  auto unit = plan_task(w.state, w.index, task, &s, Timestamp::from_unix_nanos(kNow));
  ASSERT_TRUE(unit.has_value());
  const api::Task& t = unit->planned;
  EXPECT_EQ(t.Status.State, api::TaskState::kPending);
  EXPECT_EQ(t.Status.Message, "pending task scheduling");
  EXPECT_EQ(t.Status.Timestamp, Timestamp::from_unix_nanos(kNow));
  ASSERT_EQ(t.NetworksAttachments.size(), 2u);
  EXPECT_EQ(t.NetworksAttachments[0].Network.ID, "ing");
  EXPECT_EQ(t.NetworksAttachments[0].Network.Spec.Name, "ingress");
  EXPECT_EQ(t.NetworksAttachments[0].Addresses, (std::vector<std::string>{"10.0.0.2/24"}));
  EXPECT_EQ(t.NetworksAttachments[1].Network.ID, "back");
  EXPECT_EQ(t.NetworksAttachments[1].Addresses, (std::vector<std::string>{"10.0.1.2/24"}));
}

TEST(PlanTasksTest, TaskCopiesTheServicesEndpointOnlyWhenItHasOne) {
  World w;
  w.add_network(network("ing", "ingress", "", true));
  api::Service s = service("s", {port(80)}, {});
  s.Endpoint = w.endpoint(s);
  auto with_ports =
      plan_task(w.state, w.index, std::make_shared<const api::Task>(new_task("t1", s)), &s,
                Timestamp::from_unix_nanos(kNow));
  ASSERT_TRUE(with_ports.has_value());
  ASSERT_NE(with_ports->planned.Endpoint, nullptr);
  ASSERT_EQ(with_ports->planned.Endpoint->Ports.size(), 1u);
  EXPECT_EQ(with_ports->planned.Endpoint->Ports[0].TargetPort, 80u);

  api::Service bare = service("b");
  auto without =
      plan_task(w.state, w.index, std::make_shared<const api::Task>(new_task("t2", bare)), &bare,
                Timestamp::from_unix_nanos(kNow));
  ASSERT_TRUE(without.has_value());
  EXPECT_EQ(without->planned.Endpoint, nullptr);
}

TEST(PlanTasksTest, DeprecatedServiceNetworksAreUsedWhenTheTemplateHasNone) {
  World w;
  w.add_network(network("back", "backend"));
  api::Service s = service("s");
  s.Spec.Networks.push_back({"backend", {}, {}});
  auto task = std::make_shared<const api::Task>(new_task("t1", s));
  auto unit = plan_task(w.state, w.index, task, &s, Timestamp::from_unix_nanos(kNow));
  ASSERT_TRUE(unit.has_value());
  ASSERT_EQ(unit->planned.NetworksAttachments.size(), 1u);
  EXPECT_EQ(unit->planned.NetworksAttachments[0].Network.ID, "back");
}

TEST(PlanTasksTest, TaskThatWillNotRunGoesToPendingWithoutAddresses) {
  World w;
  w.add_network(network("back", "backend"));
  api::Service s = service("s", {}, {"backend"});
  api::Task t = new_task("t1", s);
  t.DesiredState = api::TaskState::kShutdown;
  auto unit = plan_task(w.state, w.index, std::make_shared<const api::Task>(t), &s,
                        Timestamp::from_unix_nanos(kNow));
  ASSERT_TRUE(unit.has_value());
  EXPECT_EQ(unit->planned.Status.State, api::TaskState::kPending);
  EXPECT_TRUE(unit->planned.NetworksAttachments.empty());
}

TEST(PlanTasksTest, ExhaustedNetworkLeavesTheTaskNewWithAnErrorOnce) {
  World w;
  w.add_network(network("tiny", "tiny", "10.9.0.0/30"));  // .1 gateway, .2 the only address
  api::Service s = service("s", {}, {"tiny"});
  auto first = plan_task(w.state, w.index, std::make_shared<const api::Task>(new_task("t1", s)), &s,
                         Timestamp::from_unix_nanos(kNow));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->planned.NetworksAttachments.at(0).Addresses.at(0), "10.9.0.2/30");

  auto second_task = std::make_shared<const api::Task>(new_task("t2", s));
  auto second = plan_task(w.state, w.index, second_task, &s, Timestamp::from_unix_nanos(kNow));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->planned.Status.State, api::TaskState::kNew);
  EXPECT_EQ(second->planned.Status.Err,
            "could not allocate IP from IPAM: no available addresses on this pool");
  EXPECT_TRUE(second->planned.NetworksAttachments.empty());

  // The same error again: nothing to write.
  auto with_err = std::make_shared<const api::Task>(second->planned);
  EXPECT_FALSE(plan_task(w.state, w.index, with_err, &s, Timestamp::from_unix_nanos(kNow)));
}

TEST(PlanTasksTest, WaitsForAnUnallocatedNetwork) {
  World w;
  w.index.add(std::make_shared<const api::Network>(network("back", "backend")));
  api::Service s = service("s", {}, {"backend"});
  EXPECT_FALSE(plan_task(w.state, w.index, std::make_shared<const api::Task>(new_task("t1", s)), &s,
                         Timestamp::from_unix_nanos(kNow)));
}

}  // namespace
}  // namespace shoal::manager::allocator
