#include "network/sandbox.h"

#include <gtest/gtest.h>

#include "network/record.h"

namespace shoal::network {
namespace {

using api::PortConfigProtocol;
using api::PortConfigPublishMode;

api::Network network(std::string id, std::string name, std::string subnet, std::string gateway) {
  api::Network n;
  n.ID = std::move(id);
  n.Spec.Name = std::move(name);
  n.DriverState.Name = "overlay";
  n.IPAMOptions = api::IPAMOptions{{"default", {}}, {{std::move(subnet), "", std::move(gateway)}}};
  return n;
}

api::Network ingress_network() {
  api::Network n = network("ingressid0123456789abcdef", "ingress", "10.0.0.0/24", "10.0.0.1");
  n.Spec.Ingress = true;
  return n;
}

api::Task task(std::string id, std::vector<api::NetworkAttachment> attachments = {}) {
  api::Task t;
  t.ID = std::move(id);
  t.ServiceID = "svc1";
  t.NetworksAttachments = std::move(attachments);
  return t;
}

api::PortConfig port(uint32_t target, uint32_t published, PortConfigPublishMode mode,
                     PortConfigProtocol protocol = PortConfigProtocol::kTCP) {
  return {"", protocol, target, published, mode};
}

SandboxContext context() {
  SandboxContext c;
  c.netns_dir = "/data/netns";
  c.default_gateway = parse_cidr("172.18.0.1/16").value();
  c.host_dns = parse_resolv_conf("nameserver 10.255.255.53\n");
  return c;
}

TEST(PlanSandboxTest, OneInterfacePerAttachmentIngressFirst) {
  api::Network backend = network("backendid0123456789abcdef", "backend", "10.0.1.0/24", "10.0.1.1");
  backend.DriverState.Options[std::string(kMtuOption)] = "1450";
  api::Task t = task("taskid0123456789abcdefghi",
                     {{ingress_network(), {"10.0.0.5/24"}}, {backend, {"10.0.1.7/24"}}});
  auto spec = std::make_shared<api::TaskSpec>();
  spec->ContainerSpec.emplace();
  spec->ContainerSpec->Hostname = "web-1";
  t.Spec = spec;
  auto endpoint = std::make_shared<api::Endpoint>();
  endpoint->Ports = {port(80, 8080, PortConfigPublishMode::kIngress)};
  t.Endpoint = endpoint;

  auto r = plan_sandbox(t, context(), std::nullopt);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->netns_path, "/data/netns/taskid0123456789abcdefghi");
  EXPECT_EQ(r->hostname, "web-1");
  ASSERT_EQ(r->interfaces.size(), 2u);
  const InterfaceRecord& eth0 = r->interfaces[0];
  EXPECT_EQ(eth0.name, "eth0");
  EXPECT_EQ(eth0.host_veth, "svtaskid0123450");
  EXPECT_EQ(eth0.bridge, "shlingressid012");
  EXPECT_EQ(eth0.network_id, "ingressid0123456789abcdef");
  EXPECT_EQ(format_cidr(eth0.address), "10.0.0.5/24");
  EXPECT_EQ(format_cidr(eth0.bridge_address), "10.0.0.1/24");
  EXPECT_EQ(eth0.mtu, 1500u);
  EXPECT_TRUE(eth0.ingress);
  const InterfaceRecord& eth1 = r->interfaces[1];
  EXPECT_EQ(eth1.name, "eth1");
  EXPECT_EQ(eth1.host_veth, "svtaskid0123451");
  EXPECT_EQ(eth1.bridge, "shlbackendid012");
  EXPECT_EQ(eth1.mtu, 1450u);
  EXPECT_FALSE(eth1.ingress);
  EXPECT_EQ(r->default_interface(), &r->interfaces[0]);
  EXPECT_NE(r->hosts.find("10.0.0.5\tweb-1\n"), std::string::npos);
  EXPECT_EQ(r->resolv_conf, "nameserver 10.255.255.53\n");

  auto ports = published_ports(*r);
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ(ports[0].address, "10.0.0.5");
  EXPECT_EQ(ports[0].published_port, 8080u);
  EXPECT_EQ(ports[0].mode, PortConfigPublishMode::kIngress);
  EXPECT_TRUE(host_ports(*r).empty());
}

TEST(PlanSandboxTest, NoAttachmentUsesTheDefaultBridge) {
  api::Task t = task("abcdefghijklmnopqrstuvwxy");
  EXPECT_TRUE(needs_default_bridge(t));
  auto missing = plan_sandbox(t, context(), std::nullopt);
  EXPECT_EQ(missing.status().code(), Code::kInvalidArgument);

  auto r = plan_sandbox(t, context(), parse_cidr("172.18.0.9/16").value());
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->hostname, "abcdefghijkl");  // the task ID's first 12 characters
  ASSERT_EQ(r->interfaces.size(), 1u);
  EXPECT_EQ(r->interfaces[0].bridge, "shoal0");
  EXPECT_EQ(r->interfaces[0].network_id, "");
  EXPECT_EQ(format_cidr(r->interfaces[0].bridge_address), "172.18.0.1/16");
  EXPECT_EQ(format_cidr(r->interfaces[0].address), "172.18.0.9/16");
}

TEST(PlanSandboxTest, HostModePortsGoToTheFirstInterface) {
  api::Network backend = network("backendid0123456789abcdef", "backend", "10.0.1.0/24", "10.0.1.1");
  api::Task t = task("taskid0123456789abcdefghi", {{backend, {"10.0.1.7/24"}}});
  auto endpoint = std::make_shared<api::Endpoint>();
  endpoint->Ports = {port(80, 8080, PortConfigPublishMode::kHost),
                     port(53, 5353, PortConfigPublishMode::kIngress, PortConfigProtocol::kUDP)};
  t.Endpoint = endpoint;
  auto r = plan_sandbox(t, context(), std::nullopt);
  ASSERT_TRUE(r.is_ok());
  auto ports = published_ports(*r);
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0].mode, PortConfigPublishMode::kHost);
  EXPECT_EQ(ports[0].address, "10.0.1.7");
  EXPECT_EQ(ports[1].protocol, PortConfigProtocol::kUDP);
  EXPECT_EQ(ports[1].address, "10.0.1.7");  // no ingress interface: the first one
  auto host = host_ports(*r);
  ASSERT_EQ(host.size(), 1u);
  EXPECT_EQ(host[0].PublishedPort, 8080u);
}

TEST(PlanSandboxTest, InternalNetworkGetsNoDefaultRoute) {
  api::Network internal = network("internalid0123456789abcde", "priv", "10.0.2.0/24", "10.0.2.1");
  internal.Spec.Internal = true;
  api::Network backend = network("backendid0123456789abcdef", "backend", "10.0.1.0/24", "10.0.1.1");
  auto r = plan_sandbox(task("t1", {{internal, {"10.0.2.3/24"}}, {backend, {"10.0.1.3/24"}}}),
                        context(), std::nullopt);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->default_interface(), &r->interfaces[1]);
  auto only = plan_sandbox(task("t2", {{internal, {"10.0.2.4/24"}}}), context(), std::nullopt);
  ASSERT_TRUE(only.is_ok());
  EXPECT_EQ(only->default_interface(), nullptr);
}

TEST(PlanSandboxTest, AttachmentsTheNodeCannotProvide) {
  struct Case {
    std::string name;
    api::NetworkAttachment attachment;
    std::string message;
  };
  api::Network host = network("hostid", "host", "", "");
  host.DriverState.Name = "host";
  api::Network unallocated = network("netid", "back", "10.0.1.0/24", "");
  api::Network good = network("netid", "back", "10.0.1.0/24", "10.0.1.1");
  for (const Case& c :
       std::vector<Case>{{"Host",
                          {host, {}},
                          "network host (hostid): the host network is not supported on this node"},
                         {"NoGateway",
                          {unallocated, {"10.0.1.2/24"}},
                          "network back (netid): no gateway (the network is not allocated)"},
                         {"BadAddress",
                          {good, {"10.0.1.2"}},
                          "network back (netid): invalid IPv4 CIDR '10.0.1.2'"}}) {
    auto r = plan_sandbox(task("t1", {c.attachment}), context(), std::nullopt);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << c.name;
    EXPECT_EQ(r.status().message(), c.message) << c.name;
  }
}

TEST(PlanSandboxTest, NullNetworkAttachmentHasNoInterface) {
  api::Network none = network("noneid", "none", "", "");
  none.DriverState.Name = "null";
  api::Network backend = network("backendid0123456789abcdef", "backend", "10.0.1.0/24", "10.0.1.1");
  auto r =
      plan_sandbox(task("t1", {{none, {}}, {backend, {"10.0.1.3/24"}}}), context(), std::nullopt);
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->interfaces.size(), 1u);
  EXPECT_EQ(r->interfaces[0].name, "eth0");
}

TEST(RecordTest, RoundTrips) {
  api::Task t = task("taskid0123456789abcdefghi", {{ingress_network(), {"10.0.0.5/24"}}});
  auto endpoint = std::make_shared<api::Endpoint>();
  endpoint->Ports = {port(80, 8080, PortConfigPublishMode::kIngress),
                     port(53, 30053, PortConfigPublishMode::kHost, PortConfigProtocol::kUDP)};
  t.Endpoint = endpoint;
  SandboxRecord r = plan_sandbox(t, context(), std::nullopt).value();
  auto back = decode_record(encode_record(r));
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(encode_record(*back), encode_record(r));
  EXPECT_EQ(back->ports.size(), 2u);
  EXPECT_EQ(back->ports[1].Protocol, PortConfigProtocol::kUDP);
  EXPECT_EQ(back->interfaces.at(0).address, r.interfaces.at(0).address);
  EXPECT_TRUE(back->interfaces.at(0).ingress);

  EXPECT_EQ(decode_record("{").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(decode_record(R"({"task_id":"x"})").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace shoal::network
