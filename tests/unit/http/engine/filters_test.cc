#include "http/engine/filters.h"

#include <gtest/gtest.h>

namespace shoal::http::engine {
namespace {

TEST(FiltersTest, BothForms) {
  auto modern = Filters::parse(R"({"label":{"a=b":true,"c":true},"name":{"web":true}})");
  ASSERT_TRUE(modern.is_ok());
  EXPECT_EQ(modern->get("name"), std::vector<std::string>{"web"});
  EXPECT_EQ(modern->labels("label"), (api::StringMap{{"a", "b"}, {"c", ""}}));
  auto legacy = Filters::parse(R"({"label":["a=b","c"],"name":["web"]})");
  ASSERT_TRUE(legacy.is_ok());
  EXPECT_EQ(legacy->get("name"), std::vector<std::string>{"web"});
  EXPECT_EQ(legacy->labels("label"), modern->labels("label"));
  EXPECT_EQ(Filters::parse("")->size(), 0u);
}

TEST(FiltersTest, RefusesOtherShapesAndUnknownKeys) {
  for (const char* bad : {"[", "[]", R"({"a":1})", R"({"a":{"b":"c"}})", R"({"a":[1]})", "x"}) {
    auto parsed = Filters::parse(bad);
    EXPECT_FALSE(parsed.is_ok()) << bad;
    EXPECT_EQ(parsed.status().message(), "invalid filter") << bad;
  }
  auto f = Filters::parse(R"({"name":{"x":true},"bogus":{"y":true}})");
  ASSERT_TRUE(f.is_ok());
  Status s = f->validate({"name", "id"});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "invalid filter 'bogus'");
  EXPECT_TRUE(f->validate({"name", "bogus"}).is_ok());
}

TEST(FiltersTest, MatchRules) {
  auto f = Filters::parse(R"({"name":{"^we":true},"driver":{"overlay":true}})");
  ASSERT_TRUE(f.is_ok());
  EXPECT_FALSE(f->match("name", "web"));  // not compiled: equal values only
  EXPECT_TRUE(f->match("name", "^we"));
  ASSERT_TRUE(f->compile_patterns("name").is_ok());
  EXPECT_TRUE(f->match("name", "web"));
  EXPECT_FALSE(f->match("name", "db"));
  EXPECT_TRUE(f->match("id", "anything"));  // absent key
  EXPECT_TRUE(f->exact_match("driver", "overlay"));
  EXPECT_FALSE(f->exact_match("driver", "bridge"));
}

TEST(FiltersTest, BacktrackingPatternAgainstLongNameAnswersAtOnce) {
  // ^(a|a)*$ takes exponential time in a backtracking engine; RE2 is linear.
  auto f = Filters::parse(R"({"name":{"^(a|a)*$":true}})");
  ASSERT_TRUE(f.is_ok());
  ASSERT_TRUE(f->compile_patterns("name").is_ok());
  EXPECT_FALSE(f->match("name", std::string(100'000, 'a') + "b"));
  EXPECT_TRUE(f->match("name", std::string(100'000, 'a')));
}

TEST(FiltersTest, DeeplyNestedPatternMatchesWithoutOverflowingTheStack) {
  // std::regex recursed once per nesting level and overflowed the stack (SIGSEGV).
  const size_t depth = Pattern::kMaxLength / 2 - 1;
  std::string nested = std::string(depth, '(') + "a" + std::string(depth, ')') + "*";
  auto f = Filters::parse(R"({"name":{")" + nested + R"(":true}})");
  ASSERT_TRUE(f.is_ok());
  ASSERT_TRUE(f->compile_patterns("name").is_ok());
  EXPECT_TRUE(f->match("name", std::string(50'000, 'a')));
}

TEST(FiltersTest, PatternLongerThanTheLimitIsRefused) {
  auto f =
      Filters::parse(R"({"id":{")" + std::string(Pattern::kMaxLength + 1, 'a') + R"(":true}})");
  ASSERT_TRUE(f.is_ok());
  Status s = f->compile_patterns("id");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "invalid regular expression: longer than 1024 characters");
}

TEST(FiltersTest, PatternThatDoesNotCompileIsRefusedNamingIt) {
  auto f = Filters::parse(R"({"name":{"web(":true}})");
  ASSERT_TRUE(f.is_ok());
  Status s = f->compile_patterns("name");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("invalid regular expression \"web(\": ", 0), 0u) << s.message();
}

}  // namespace
}  // namespace shoal::http::engine
