#include "manager/allocator/ipam.h"

#include <gtest/gtest.h>

#include "manager/allocator/ports.h"

namespace shoal::manager::allocator {
namespace {

Ipv4Prefix prefix(std::string_view cidr) { return parse_prefix(cidr).value(); }
uint32_t address(std::string_view text) { return parse_address(text).value(); }

TEST(Ipv4Test, ParsesAndFormats) {
  EXPECT_EQ(format_prefix(prefix("10.0.0.0/8")), "10.0.0.0/8");
  EXPECT_EQ(format_prefix(prefix("10.1.2.3/16")), "10.1.0.0/16");  // host bits cleared
  auto cidr = parse_cidr_address("10.0.0.5/24").value();
  EXPECT_EQ(format_cidr_address(cidr.first, cidr.second), "10.0.0.5/24");
  EXPECT_EQ(format_address(address("192.168.1.254")), "192.168.1.254");
  for (std::string_view bad :
       {"10.0.0.0", "10.0.0.0/33", "10.0.0/8", "fe80::/64", "x/8", "10.0.0.0/"}) {
    EXPECT_EQ(parse_prefix(bad).status().code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(parse_address("10.0.0.256").is_ok());
}

TEST(SubnetPoolTest, DefaultsAreDockers) {
  auto pool = SubnetPool::make({}, 0).value();
  EXPECT_EQ(format_prefix(pool.next_free().value()), "10.0.0.0/24");
  ASSERT_TRUE(pool.reserve(pool.next_free().value()));
  EXPECT_EQ(format_prefix(pool.next_free().value()), "10.0.1.0/24");
}

TEST(SubnetPoolTest, SkipsSubnetsInUseWhateverTheirSize) {
  auto pool = SubnetPool::make({"10.0.0.0/8"}, 24).value();
  ASSERT_TRUE(pool.reserve(prefix("10.0.0.0/23")));    // a user's bigger subnet
  ASSERT_TRUE(pool.reserve(prefix("10.0.2.128/25")));  // and a smaller one
  EXPECT_EQ(format_prefix(pool.next_free().value()), "10.0.3.0/24");
  EXPECT_FALSE(pool.reserve(prefix("10.0.1.0/24")));  // overlaps the /23
  EXPECT_FALSE(pool.is_free(prefix("10.0.0.0/16")));
  pool.release(prefix("10.0.0.0/23"));
  EXPECT_EQ(format_prefix(pool.next_free().value()), "10.0.0.0/24");
}

TEST(SubnetPoolTest, SeveralPoolsInOrderThenExhausted) {
  auto pool = SubnetPool::make({"192.168.0.0/23", "172.16.0.0/24"}, 24).value();
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    auto next = pool.next_free().value();
    ASSERT_TRUE(pool.reserve(next));
    got.push_back(format_prefix(next));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"192.168.0.0/24", "192.168.1.0/24", "172.16.0.0/24"}));
  auto none = pool.next_free();
  EXPECT_EQ(none.status().code(), Code::kUnavailable);
  EXPECT_EQ(none.status().message(),
            "could not find an available, non-overlapping IPv4 address pool among the defaults "
            "to assign to the network");
}

TEST(SubnetPoolTest, RejectsBadSettings) {
  EXPECT_FALSE(SubnetPool::make({"10.0.0.0/16"}, 8).is_ok());  // subnets bigger than the pool
  EXPECT_FALSE(SubnetPool::make({"nonsense"}, 24).is_ok());
}

TEST(AddressSpaceTest, HandsOutSeriallySkippingNetworkAndBroadcast) {
  AddressSpace space(prefix("10.0.0.0/29"));        // .1 - .6 usable
  ASSERT_TRUE(space.reserve(address("10.0.0.1")));  // the gateway
  std::vector<std::string> got;
  for (int i = 0; i < 5; ++i) got.push_back(format_address(space.allocate().value()));
  EXPECT_EQ(got,
            (std::vector<std::string>{"10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"}));
  auto none = space.allocate();
  EXPECT_EQ(none.status().code(), Code::kUnavailable);
  EXPECT_EQ(none.status().message(),
            "could not allocate IP from IPAM: no available addresses on this pool");

  // A released address is reused only after the others (serial, wrapping).
  space.release(address("10.0.0.3"));
  space.release(address("10.0.0.5"));
  EXPECT_EQ(format_address(space.allocate().value()), "10.0.0.3");
  EXPECT_EQ(format_address(space.allocate().value()), "10.0.0.5");
  EXPECT_EQ(space.used(), 6u);
}

TEST(AddressSpaceTest, RangeLimitsAllocation) {
  AddressSpace space(prefix("10.5.0.0/24"), prefix("10.5.0.128/30"));
  EXPECT_EQ(format_address(space.allocate().value()), "10.5.0.128");
  EXPECT_EQ(format_address(space.allocate().value()), "10.5.0.129");
  EXPECT_EQ(format_address(space.allocate().value()), "10.5.0.130");
  EXPECT_EQ(format_address(space.allocate().value()), "10.5.0.131");
  EXPECT_FALSE(space.allocate().is_ok());
  EXPECT_TRUE(space.reserve(address("10.5.0.7")));  // outside the range, inside the subnet
  EXPECT_FALSE(space.reserve(address("10.6.0.7")));
}

TEST(AddressSpaceTest, LargeSubnetScansWordsQuickly) {
  AddressSpace space(prefix("10.0.0.0/16"));
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(space.allocate().is_ok());
  EXPECT_EQ(format_address(space.allocate().value()), "10.0.3.233");  // the 1001st usable
}

TEST(IngressPortsTest, DynamicPortsLowestFreeAndOwned) {
  IngressPorts ports;
  auto tcp = api::PortConfigProtocol::kTCP;
  auto udp = api::PortConfigProtocol::kUDP;
  EXPECT_EQ(ports.allocate(tcp, "a").value(), 30000u);
  EXPECT_EQ(ports.allocate(tcp, "b").value(), 30001u);
  EXPECT_EQ(ports.allocate(udp, "b").value(), 30000u);  // per protocol
  EXPECT_TRUE(ports.claim(tcp, 8080, "a"));
  EXPECT_TRUE(ports.claim(tcp, 8080, "a"));  // again: still its own
  EXPECT_FALSE(ports.claim(tcp, 8080, "b"));
  EXPECT_EQ(ports.owner(tcp, 8080), "a");
  ports.release(tcp, 8080, "b");  // not b's: nothing happens
  EXPECT_EQ(ports.owner(tcp, 8080), "a");
  ports.release(tcp, 30000, "a");
  EXPECT_EQ(ports.allocate(tcp, "c").value(), 30000u);
}

TEST(IngressPortsTest, DynamicRangeExhausted) {
  IngressPorts ports;
  auto tcp = api::PortConfigProtocol::kTCP;
  for (uint32_t p = kDynamicPortFirst; p <= kDynamicPortLast; ++p)
    ASSERT_TRUE(ports.claim(tcp, p, "x"));
  auto none = ports.allocate(tcp, "y");
  EXPECT_EQ(none.status().code(), Code::kUnavailable);
  EXPECT_EQ(none.status().message(),
            "could not find an available port for protocol tcp in the dynamic range 30000-32767");
}

}  // namespace
}  // namespace shoal::manager::allocator
