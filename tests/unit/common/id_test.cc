#include "common/id.h"

#include <gtest/gtest.h>

#include <set>

namespace shoal {
namespace {

TEST(IdTest, FormatPadsToTwentyFiveBase36Digits) {
  EXPECT_EQ(format_id(0, 0), std::string(25, '0'));
  EXPECT_EQ(format_id(0, 35), "000000000000000000000000z");
  EXPECT_EQ(format_id(0, 36), "0000000000000000000000010");
  // 2^128 - 1 in base 36.
  EXPECT_EQ(format_id(~0ULL, ~0ULL), "f5lxx1zz5pnorynqglhzmsp33");
}

TEST(IdTest, GeneratedIdsAreValidAndDistinct) {
  IdGenerator ids(42);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = ids.next();
    EXPECT_TRUE(is_valid_id(id)) << id;
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
}

TEST(IdTest, SeededGeneratorsRepeat) {
  IdGenerator a(7), b(7);
  EXPECT_EQ(a.next(), b.next());
}

TEST(IdTest, Validation) {
  EXPECT_FALSE(is_valid_id("abc"));
  EXPECT_FALSE(is_valid_id(std::string(25, 'A')));
  EXPECT_TRUE(is_valid_id(std::string(25, 'a')));
}

}  // namespace
}  // namespace shoal
