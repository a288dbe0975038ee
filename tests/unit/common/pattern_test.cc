#include "common/pattern.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

TEST(PatternTest, SearchFindsAPartFullMatchNeedsAll) {
  auto p = Pattern::compile("we.");
  ASSERT_TRUE(p.is_ok());
  EXPECT_TRUE(p->search("my-web-1"));
  EXPECT_FALSE(p->full_match("my-web-1"));
  EXPECT_TRUE(p->full_match("web"));
}

TEST(PatternTest, GoSyntaxWithoutBackreferences) {
  EXPECT_TRUE(Pattern::compile(R"((?i)^WEB\d+$)").is_ok());
  // Go's regexp has no backreferences; neither has RE2.
  Result<Pattern> backref = Pattern::compile(R"((a)\1)");
  ASSERT_FALSE(backref.is_ok());
  EXPECT_EQ(backref.status().code(), Code::kInvalidArgument);
}

TEST(PatternTest, ExponentialBacktrackingCaseIsLinear) {
  auto p = Pattern::compile("^(a|a)*$");
  ASSERT_TRUE(p.is_ok());
  EXPECT_FALSE(p->search(std::string(1'000'000, 'a') + "!"));
}

TEST(PatternTest, ProgramTooLargeIsRefused) {
  // Each bounded repeat expands the program; nested ones multiply past the memory limit.
  Result<Pattern> big = Pattern::compile("((a{1000}){1000}){1000}");
  ASSERT_FALSE(big.is_ok());
  EXPECT_EQ(big.status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace shoal
