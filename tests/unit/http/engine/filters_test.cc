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
  EXPECT_TRUE(f->match("name", "web"));
  EXPECT_FALSE(f->match("name", "db"));
  EXPECT_TRUE(f->match("id", "anything"));  // absent key
  EXPECT_TRUE(f->exact_match("driver", "overlay"));
  EXPECT_FALSE(f->exact_match("driver", "bridge"));
}

}  // namespace
}  // namespace shoal::http::engine
