// Query-parameter readers of the engine routes: values beyond their type are 400s.
#include "http/engine/params.h"

#include <gtest/gtest.h>

namespace shoal::http::engine {
namespace {

TEST(ParamsTest, SinceReadsSecondsAndFraction) {
  auto t = parse_since("1700000000.5");
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_EQ(t->unix_nanos(), 1'700'000'000'500'000'000);
  EXPECT_TRUE(parse_since("")->is_zero());
  EXPECT_TRUE(parse_since("0")->is_zero());
}

TEST(ParamsTest, SinceBeyondTheRangeOfATimeIsA400) {
  for (const char* text : {"9223372036854775807", "10000000000", "-10000000000",
                           "99999999999999999999", "1.1234567891", "x", "1.x"}) {
    auto t = parse_since(text);
    ASSERT_FALSE(t.is_ok()) << text;
    EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(t.status().message(), fmt::format("invalid value for \"since\": \"{}\"", text));
  }
}

TEST(ParamsTest, UntilReadsSecondsOrRfc3339) {
  EXPECT_EQ(parse_until("1700000000")->unix_nanos(), 1'700'000'000'000'000'000);
  EXPECT_EQ(parse_until("1970-01-01T00:00:01Z")->unix_nanos(), 1'000'000'000);
}

TEST(ParamsTest, UntilBeyondTheRangeOfATimeIsA400) {
  for (const char* text : {"99999999999999999999", "9223372036854775807", "10000000000", "", "x"}) {
    auto t = parse_until(text);
    ASSERT_FALSE(t.is_ok()) << text;
    EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(t.status().message(), fmt::format("invalid filter 'until={}'", text));
  }
}

}  // namespace
}  // namespace shoal::http::engine
