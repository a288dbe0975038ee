#include "provider/names.h"

#include <gtest/gtest.h>

namespace shoal::provider {
namespace {

TEST(NamesTest, ValidateName) {
  struct Case {
    std::string name;
    bool ok;
  } cases[] = {{"t", true},
               {"my-cluster-2", true},
               {"", false},
               {"-x", false},
               {"Upper", false},
               {"a_b", false},
               {std::string(32, 'a'), true},
               {std::string(33, 'a'), false}};
  for (const auto& c : cases) {
    auto st = validate_name("cluster", c.name);
    EXPECT_EQ(st.is_ok(), c.ok) << c.name;
    if (!c.ok) {
      EXPECT_NE(st.message().find("invalid cluster name"), std::string::npos);
    }
  }
}

TEST(NamesTest, LinkNamesFitAndDiffer) {
  std::string long1 = "a-very-long-cluster-name-1", long2 = "a-very-long-cluster-name-2";
  EXPECT_LE(bridge_name(long1).size(), 15u);
  EXPECT_NE(bridge_name(long1), bridge_name(long2));
  EXPECT_LE(veth_name(long1, "machine-number-10").size(), 15u);
  EXPECT_NE(veth_name("t", "m1"), veth_name("u", "m1"));
  EXPECT_NE(veth_name("t", "m1"), veth_name("t", "m2"));
  EXPECT_EQ(bridge_name("t"), bridge_name("t"));
  EXPECT_EQ(netns_name("t", "m1"), "shoal-t-m1");
}

TEST(NamesTest, AllocateSubnet) {
  struct Case {
    std::string pool;
    std::vector<std::string> used;
    std::string want;  // empty: error
    Code code;
  } cases[] = {
      {"10.213.0.0/16", {}, "10.213.0.0/24", Code::kOk},
      {"10.213.0.0/16", {"10.213.0.0/24", "10.213.2.0/24"}, "10.213.1.0/24", Code::kOk},
      {"10.213.7.0/24", {}, "10.213.7.0/24", Code::kOk},
      {"10.213.7.0/24", {"10.213.7.0/24"}, "", Code::kFailedPrecondition},
      {"10.213.0.0/25", {}, "", Code::kInvalidArgument},
      {"nonsense", {}, "", Code::kInvalidArgument},
      {"10.213.0.0/x", {}, "", Code::kInvalidArgument},
  };
  for (const auto& c : cases) {
    auto got = allocate_subnet(c.pool, c.used);
    if (c.want.empty()) {
      EXPECT_EQ(got.status().code(), c.code) << c.pool;
    } else {
      ASSERT_TRUE(got.is_ok()) << c.pool << ": " << got.status().to_string();
      EXPECT_EQ(*got, c.want);
    }
  }
}

TEST(NamesTest, Addresses) {
  EXPECT_EQ(*address_in("10.213.4.0/24", 1), "10.213.4.1");
  EXPECT_EQ(*address_in("10.213.4.0/24", 254), "10.213.4.254");
  EXPECT_FALSE(address_in("10.213.4.0/24", 255).is_ok());
  EXPECT_FALSE(address_in("10.213.0.0/16", 2).is_ok());
  EXPECT_EQ(*next_host("10.213.4.0/24", {}), 2);
  EXPECT_EQ(*next_host("10.213.4.0/24", {"10.213.4.2", "10.213.4.4"}), 3);
  std::vector<std::string> all;
  for (int h = 2; h <= 254; ++h) all.push_back(*address_in("10.213.4.0/24", h));
  EXPECT_EQ(next_host("10.213.4.0/24", all).status().code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace shoal::provider
