#include "common/strings.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

TEST(Strings, TrimTakesTheGivenCharactersFromBothEnds) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim("\v\f x \f"), "x");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \tx\n ", " \t"), "x\n");
}

TEST(Strings, AsciiLowerChangesOnlyAsciiCapitals) {
  EXPECT_EQ(ascii_lower("Manager-Node_1"), "manager-node_1");
  EXPECT_EQ(ascii_lower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // ÉTÉ: bytes past ASCII stay
}

}  // namespace
}  // namespace shoal
