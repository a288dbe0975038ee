#include "network/files.h"

#include <gtest/gtest.h>

namespace shoal::network {
namespace {

constexpr std::string_view kLocalhostLines =
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "ff00::0\tip6-mcastprefix\n"
    "ff02::1\tip6-allnodes\n"
    "ff02::2\tip6-allrouters\n";

TEST(HostsTest, LocalhostThenTheTaskThenExtraHosts) {
  EXPECT_EQ(render_hosts("web-1", "10.0.0.5", {}),
            std::string(kLocalhostLines) + "10.0.0.5\tweb-1\n");
  EXPECT_EQ(render_hosts("abc", "", {}), std::string(kLocalhostLines));
  EXPECT_EQ(
      render_hosts("abc", "10.0.0.5", {"10.1.1.1 db db.local", "bad", "  10.1.1.2   cache "}),
      std::string(kLocalhostLines) + "10.0.0.5\tabc\n10.1.1.1\tdb db.local\n10.1.1.2\tcache\n");
}

struct ResolvCase {
  std::string name;
  std::string host;
  std::optional<api::DNSConfig> dns;
  std::string want;
};

class ResolvTable : public testing::TestWithParam<ResolvCase> {};

TEST_P(ResolvTable, Renders) {
  const ResolvCase& c = GetParam();
  EXPECT_EQ(render_resolv_conf(parse_resolv_conf(c.host), c.dns ? &*c.dns : nullptr), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Files, ResolvTable,
    testing::Values(
        ResolvCase{"HostNameservers", "nameserver 10.255.255.53\n", std::nullopt,
                   "nameserver 10.255.255.53\n"},
        ResolvCase{"LoopbackDroppedSearchAndOptionsKept",
                   "# generated\nnameserver 127.0.0.53\nnameserver 1.1.1.1\nnameserver ::1\n"
                   "search corp.example lab.example\noptions edns0 trust-ad\noptions ndots:2\n",
                   std::nullopt,
                   "nameserver 1.1.1.1\nsearch corp.example lab.example\n"
                   "options edns0 trust-ad ndots:2\n"},
        ResolvCase{"OnlyLoopbackFallsBackToDockersDefaults", "nameserver 127.0.0.53\n",
                   std::nullopt, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"},
        ResolvCase{"EmptyHostFile", "", std::nullopt, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"},
        ResolvCase{"LastSearchOrDomainWins",
                   "domain a.example\nsearch b.example\nnameserver 9.9.9.9 # x\n", std::nullopt,
                   "nameserver 9.9.9.9\nsearch b.example\n"},
        ResolvCase{"ServiceDnsConfigOverridesEachPartItSets",
                   "nameserver 1.1.1.1\nsearch host.example\noptions rotate\n",
                   api::DNSConfig{{"10.0.0.2"}, {}, {"ndots:5"}},
                   "nameserver 10.0.0.2\nsearch host.example\noptions ndots:5\n"},
        ResolvCase{"ServiceMayNameALoopbackServer", "nameserver 1.1.1.1\n",
                   api::DNSConfig{{"127.0.0.11"}, {"svc.example"}, {}},
                   "nameserver 127.0.0.11\nsearch svc.example\n"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace shoal::network
