// Node networking against the real kernel: sandboxes, bridges, published ports (nftables),
// removal and recovery. No runc: servers run in the sandboxes through nsenter.
#include <fstream>

#include "network_fixture.h"

namespace shoal::testing {
namespace {

using api::PortConfigPublishMode;

const api::Network kBackend =
    NetworkTest::network("backnet0123456789abcdefgh", "backend", "10.210.1.0/24", "10.210.1.1");
const api::Network kIngress = NetworkTest::network("ingressnet0123456789abcde", "ingress",
                                                   "10.210.0.0/24", "10.210.0.1", true);

api::PortConfig port(uint32_t target, uint32_t published, PortConfigPublishMode mode) {
  return {"", api::PortConfigProtocol::kTCP, target, published, mode};
}

TEST_F(NetworkTest, TwoSandboxesOnOneNetworkReachEachOther) {
  auto a = net_->attach(task("itpinga00000000000000000a", "s1", {{kBackend, {"10.210.1.2/24"}}}));
  auto b = net_->attach(task("itpingb00000000000000000b", "s1", {{kBackend, {"10.210.1.3/24"}}}));
  ASSERT_TRUE(a.is_ok()) << a.status().message();
  ASSERT_TRUE(b.is_ok()) << b.status().message();
  EXPECT_EQ(a->addresses, std::vector<std::string>{"10.210.1.2/24"});
  EXPECT_EQ(a->hostname, "itpinga00000");
  EXPECT_NE(a->hosts.find("10.210.1.2\titpinga00000\n"), std::string::npos);
  EXPECT_NE(a->resolv_conf.find("nameserver "), std::string::npos);

  auto ping = [](const network::Sandbox& from, const std::string& to) {
    return run_command({"nsenter", "--net=" + from.netns_path.string(), "busybox", "ping", "-c",
                        "1", "-W", "3", to})
        .exit_code;
  };
  EXPECT_EQ(ping(*a, "10.210.1.3"), 0);
  EXPECT_EQ(ping(*b, "10.210.1.2"), 0);
  EXPECT_EQ(ping(*a, "10.210.1.1"), 0);  // the gateway (the bridge)
  // Inside: lo up, eth0 with the address and the MTU, the default route via the gateway.
  CommandResult addr =
      run_command({"nsenter", "--net=" + a->netns_path.string(), "ip", "-o", "addr", "show"});
  EXPECT_NE(addr.out.find("lo    inet 127.0.0.1/8"), std::string::npos) << addr.out;
  EXPECT_NE(addr.out.find("eth0    inet 10.210.1.2/24"), std::string::npos) << addr.out;
  CommandResult route = run_command({"nsenter", "--net=" + a->netns_path.string(), "ip", "route"});
  EXPECT_NE(route.out.find("default via 10.210.1.1 dev eth0"), std::string::npos) << route.out;

  // attach is idempotent: the same sandbox again, nothing new made.
  auto again =
      net_->attach(task("itpinga00000000000000000a", "s1", {{kBackend, {"10.210.1.2/24"}}}));
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->netns_path, a->netns_path);
  EXPECT_EQ(ping(*b, "10.210.1.2"), 0);

  ASSERT_TRUE(net_->detach("itpinga00000000000000000a").is_ok());
  ASSERT_TRUE(wait_link_gone(host_veth("itpinga00000000000000000a")));
  EXPECT_NE(ping(*b, "10.210.1.2"), 0);
  ASSERT_TRUE(net_->detach("itpingb00000000000000000b").is_ok());
  EXPECT_TRUE(net_->detach("itpingb00000000000000000b").is_ok());  // idempotent
  EXPECT_EQ(settled_leftovers({"itpinga00000000000000000a", "itpingb00000000000000000b"}), "");
}

TEST_F(NetworkTest, IngressPortIsBalancedOverTheNodesTasks) {
  std::vector<std::string> ids{"itingr1000000000000000001", "itingr2000000000000000002",
                               "itingr3000000000000000003"};
  std::vector<network::Sandbox> sandboxes;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto s = net_->attach(task(ids[i], "web", {{kIngress, {fmt::format("10.210.0.{}/24", i + 2)}}},
                               {port(8080, 18080, PortConfigPublishMode::kIngress)}));
    ASSERT_TRUE(s.is_ok()) << s.status().message();
    EXPECT_TRUE(s->ports.empty());  // no host-mode ports
    serve(*s, ids[i]);
    sandboxes.push_back(*s);
  }
  std::set<std::string> want(ids.begin(), ids.end());
  for (const std::string& url :
       {std::string("http://127.0.0.1:18080/"), "http://" + host_address() + ":18080/"}) {
    auto seen = bodies(url, 12);
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), want) << url;
    EXPECT_EQ(seen.count(""), 0u) << url << ": some requests failed";
  }
  // From a container on the same bridge, to the node's address (hairpin).
  CommandResult hairpin =
      run_command({"nsenter", "--net=" + sandboxes[0].netns_path.string(), "curl", "-s",
                   "--max-time", "3", "http://" + host_address() + ":18080/"});
  EXPECT_EQ(hairpin.exit_code, 0);
  EXPECT_TRUE(want.contains(hairpin.out)) << hairpin.out;

  // A task leaving takes its backend out of the balancing.
  ASSERT_TRUE(net_->detach(ids[1]).is_ok());
  auto seen = bodies("http://127.0.0.1:18080/", 8);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()),
            (std::set<std::string>{ids[0], ids[2]}));
}

TEST_F(NetworkTest, HostModePortsReachTheirOneTask) {
  // No attachment: the default bridge. One fixed host port, one chosen by the node.
  auto s = net_->attach(task("ithost1000000000000000001", "web", {},
                             {port(8080, 18081, PortConfigPublishMode::kHost),
                              port(8080, 0, PortConfigPublishMode::kHost)}));
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_EQ(s->addresses.at(0).substr(0, 7), "172.30.");
  ASSERT_EQ(s->ports.size(), 2u);
  EXPECT_EQ(s->ports[0].PublishedPort, 18081u);
  uint32_t dynamic = s->ports[1].PublishedPort;
  EXPECT_GE(dynamic, 32768u);
  serve(*s, "host-mode");
  EXPECT_EQ(curl("http://127.0.0.1:18081/"), "host-mode");
  EXPECT_EQ(curl("http://" + host_address() + ":18081/"), "host-mode");
  EXPECT_EQ(curl(fmt::format("http://127.0.0.1:{}/", dynamic)), "host-mode");

  // Outgoing traffic is masqueraded: the sandbox reaches the host's address.
  EXPECT_EQ(run_command({"nsenter", "--net=" + s->netns_path.string(), "busybox", "ping", "-c", "1",
                         "-W", "3", host_address()})
                .exit_code,
            0);

  // Another task asking for the same host port is refused, and leaves nothing behind.
  auto clash = net_->attach(task("ithost2000000000000000002", "other", {},
                                 {port(80, 18081, PortConfigPublishMode::kHost)}));
  EXPECT_EQ(clash.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(clash.status().message(),
            "host port 18081/tcp is already in use by task ithost1000000000000000001");
  EXPECT_FALSE(std::filesystem::exists(dir_->path() + "/netns/ithost2000000000000000002"));
  EXPECT_EQ(curl("http://127.0.0.1:18081/"), "host-mode");
}

TEST_F(NetworkTest, DetachOfAllLeavesNothing) {
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    std::string id = fmt::format("itgone{}0000000000000000{}", i, i);
    auto attachments =
        i % 2 == 0 ? std::vector<api::NetworkAttachment>{{kIngress,
                                                          {fmt::format("10.210.0.{}/24", i + 10)}},
                                                         {kBackend,
                                                          {fmt::format("10.210.1.{}/24", i + 10)}}}
                   : std::vector<api::NetworkAttachment>{};
    auto s = net_->attach(
        task(id, "svc", attachments,
             {port(8080, i % 2 == 0 ? 18082 : 18090 + i,
                   i % 2 == 0 ? PortConfigPublishMode::kIngress : PortConfigPublishMode::kHost)}));
    ASSERT_TRUE(s.is_ok()) << s.status().message();
    ids.push_back(id);
  }
  EXPECT_NE(leftovers(ids), "");
  for (const auto& id : ids) ASSERT_TRUE(net_->detach(id).is_ok());
  EXPECT_EQ(settled_leftovers(ids), "");
}

TEST_F(NetworkTest, RecoverKeepsLiveSandboxesAndRemovesTheRest) {
  std::string live = "itlive1000000000000000001", dead = "itdead2000000000000000002";
  auto a = net_->attach(task(live, "web", {{kIngress, {"10.210.0.20/24"}}},
                             {port(8080, 18083, PortConfigPublishMode::kIngress)}));
  auto b = net_->attach(task(dead, "web", {{kIngress, {"10.210.0.21/24"}}},
                             {port(8080, 18083, PortConfigPublishMode::kIngress)}));
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  serve(*a, "live");

  // A daemon restart: the kernel keeps everything; the new node network reads its records.
  restart();
  // A table changed behind our back is replaced by recover().
  ASSERT_EQ(run_command({"nft", "flush", "table", "ip", kTestTable}).exit_code, 0);
  ASSERT_TRUE(net_->recover({live}).is_ok());
  EXPECT_FALSE(std::filesystem::exists(b->netns_path));
  EXPECT_FALSE(std::filesystem::exists("/sys/class/net/" + host_veth(dead)));  // purged at once
  EXPECT_TRUE(std::filesystem::exists(a->netns_path));
  auto seen = bodies("http://127.0.0.1:18083/", 6);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), std::set<std::string>{"live"});

  // The recovered sandbox is the one attach() finds, and detach removes it.
  auto again = net_->attach(task(live, "web", {{kIngress, {"10.210.0.20/24"}}},
                                 {port(8080, 18083, PortConfigPublishMode::kIngress)}));
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->addresses, a->addresses);
  servers_.clear();
  ASSERT_TRUE(net_->detach(live).is_ok());
  EXPECT_EQ(settled_leftovers({live, dead}), "");
}

TEST_F(NetworkTest, RecoverRemovesWhatACrashLeftHalfMade) {
  // A namespace file with no record, and a bridge of ours with no user.
  std::string stray = dir_->path() + "/netns/itstray000000000000000001";
  ASSERT_EQ(run_command({"touch", stray}).exit_code, 0);
  ASSERT_EQ(
      run_command({"ip", "link", "add", std::string(kTestBridgePrefix) + "stray", "type", "bridge"})
          .exit_code,
      0);
  ASSERT_TRUE(net_->recover({}).is_ok());
  EXPECT_FALSE(std::filesystem::exists(stray));
  EXPECT_EQ(leftovers({}), "");
}

}  // namespace
}  // namespace shoal::testing
