#include "network/ipam.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace shoal::network {
namespace {

TEST(Ipv4Test, ParsesAndFormats) {
  struct Case {
    std::string text;
    bool ok;
  };
  for (const auto& c : std::vector<Case>{{"10.0.0.5/24", true},
                                         {"0.0.0.0/0", true},
                                         {"255.255.255.255/32", true},
                                         {"10.0.0.5", false},
                                         {"10.0.0/24", false},
                                         {"10.0.0.256/24", false},
                                         {"10.0.0.5/33", false},
                                         {"10.0.0.5/", false},
                                         {"10..0.5/24", false},
                                         {"a.b.c.d/8", false},
                                         {"10.0.0.5/24x", false}}) {
    auto cidr = parse_cidr(c.text);
    EXPECT_EQ(cidr.is_ok(), c.ok) << c.text;
    if (cidr.is_ok()) {
      EXPECT_EQ(format_cidr(*cidr), c.text);
    } else {
      EXPECT_EQ(cidr.status().code(), Code::kInvalidArgument);
      EXPECT_EQ(cidr.status().message(), "invalid IPv4 CIDR '" + c.text + "'");
    }
  }
  EXPECT_EQ(format_subnet(parse_cidr("10.0.1.7/24").value()), "10.0.1.0/24");
  Cidr c = parse_cidr("172.18.3.4/16").value();
  EXPECT_EQ(format_ipv4(c.network()), "172.18.0.0");
  EXPECT_EQ(format_ipv4(c.broadcast()), "172.18.255.255");
  EXPECT_TRUE(c.contains(parse_ipv4("172.18.200.1").value()));
  EXPECT_FALSE(c.contains(parse_ipv4("172.19.0.1").value()));
}

TEST(LocalIpamTest, HandsOutAddressesNextFitSkippingReservedOnes) {
  LocalIpam ipam = LocalIpam::make("192.168.5.0/29").value();  // .2 - .6 assignable
  EXPECT_EQ(format_cidr(ipam.gateway()), "192.168.5.1/29");
  std::vector<std::string> got;
  for (int i = 0; i < 5; ++i) got.push_back(format_cidr(ipam.allocate().value()));
  EXPECT_EQ(got, (std::vector<std::string>{"192.168.5.2/29", "192.168.5.3/29", "192.168.5.4/29",
                                           "192.168.5.5/29", "192.168.5.6/29"}));
  auto full = ipam.allocate();
  EXPECT_EQ(full.status().code(), Code::kUnavailable);
  EXPECT_EQ(full.status().message(),
            "no free address in the default bridge network 192.168.5.0/29");

  ipam.release(parse_ipv4("192.168.5.3").value());
  EXPECT_EQ(format_cidr(ipam.allocate().value()), "192.168.5.3/29");
}

TEST(LocalIpamTest, ReleasedAddressIsNotReusedAtOnce) {
  LocalIpam ipam = LocalIpam::make("10.9.0.0/24").value();
  Cidr a = ipam.allocate().value();
  ipam.release(a.address);
  EXPECT_NE(ipam.allocate().value(), a);
}

TEST(LocalIpamTest, HoldMarksRecordedAddresses) {
  LocalIpam ipam = LocalIpam::make("10.9.0.0/24").value();
  EXPECT_TRUE(ipam.hold(parse_ipv4("10.9.0.2").value()).is_ok());
  EXPECT_EQ(ipam.hold(parse_ipv4("10.9.0.2").value()).code(), Code::kAlreadyExists);
  EXPECT_EQ(ipam.hold(parse_ipv4("10.9.0.1").value()).code(), Code::kInvalidArgument);  // gateway
  EXPECT_EQ(ipam.hold(parse_ipv4("10.9.0.255").value()).code(),
            Code::kInvalidArgument);                                                    // broadcast
  EXPECT_EQ(ipam.hold(parse_ipv4("10.8.0.2").value()).code(), Code::kInvalidArgument);  // outside
  EXPECT_EQ(format_cidr(ipam.allocate().value()), "10.9.0.3/24");
  EXPECT_EQ(ipam.used(), 2u);
}

TEST(LocalIpamTest, RejectsBadSubnets) {
  EXPECT_EQ(LocalIpam::make("10.0.0.0/31").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(LocalIpam::make("10.0.0.0").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(format_cidr(LocalIpam::make("10.0.0.77/24").value().gateway()), "10.0.0.1/24");
}

// Property: random allocate/release never hands out a taken or reserved address, and the
// count of used addresses matches.
TEST(LocalIpamTest, NeverHandsOutATakenAddress) {
  LocalIpam ipam = LocalIpam::make("10.1.0.0/28").value();
  std::set<uint32_t> taken;
  std::mt19937 rng(42);
  for (int step = 0; step < 2000; ++step) {
    if (rng() % 3 != 0) {
      auto a = ipam.allocate();
      if (!a.is_ok()) {
        EXPECT_EQ(taken.size(), 13u);
        continue;
      }
      EXPECT_TRUE(taken.insert(a->address).second);
      EXPECT_NE(a->address, ipam.gateway().address);
      EXPECT_TRUE(ipam.subnet().contains(a->address));
      EXPECT_NE(a->address, ipam.subnet().network());
      EXPECT_NE(a->address, ipam.subnet().broadcast());
    } else if (!taken.empty()) {
      auto it = std::next(taken.begin(), static_cast<long>(rng() % taken.size()));
      ipam.release(*it);
      taken.erase(it);
    }
    EXPECT_EQ(ipam.used(), taken.size());
  }
}

}  // namespace
}  // namespace shoal::network
