#include "common/time.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST(TimestampTest, DefaultIsGoZeroTime) {
  Timestamp t;
  EXPECT_TRUE(t.is_zero());
  EXPECT_EQ(format_rfc3339_nano(t), "0001-01-01T00:00:00Z");
  EXPECT_LT(t, Timestamp::from_unix_nanos(std::numeric_limits<int64_t>::min() + 1));
  EXPECT_FALSE(Timestamp::from_unix_nanos(0).is_zero());
}

TEST(TimestampTest, FormatsLikeGoRfc3339Nano) {
  EXPECT_EQ(format_rfc3339_nano(Timestamp::from_unix_nanos(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339_nano(Timestamp::from_unix_nanos(1465333551880065305)),
            "2016-06-07T21:05:51.880065305Z");
  EXPECT_EQ(format_rfc3339_nano(Timestamp::from_unix_nanos(1465333551880000000)),
            "2016-06-07T21:05:51.88Z");
  EXPECT_EQ(format_rfc3339_nano(Timestamp::from_unix_nanos(1465333551000000001)),
            "2016-06-07T21:05:51.000000001Z");
  EXPECT_EQ(format_rfc3339_nano(Timestamp::from_unix_nanos(-1)),
            "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(format_rfc3339_nano(Timestamp::from_unix_nanos(951782400000000000)),
            "2000-02-29T00:00:00Z");
}

TEST(TimestampTest, ParsesWhatGoAccepts) {
  auto t = parse_rfc3339("2016-06-07T21:05:51.880065305Z");
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->unix_nanos(), 1465333551880065305);

  auto offset = parse_rfc3339("2016-06-07T23:05:51.88+02:00");
  ASSERT_TRUE(offset.is_ok());
  EXPECT_EQ(offset->unix_nanos(), 1465333551880000000);

  auto west = parse_rfc3339("2016-06-07T16:35:51-04:30");
  ASSERT_TRUE(west.is_ok());
  EXPECT_EQ(format_rfc3339_nano(*west), "2016-06-07T21:05:51Z");

  auto zero = parse_rfc3339("0001-01-01T00:00:00Z");
  ASSERT_TRUE(zero.is_ok());
  EXPECT_TRUE(zero->is_zero());
  auto zero_offset = parse_rfc3339("0001-01-01T02:00:00+02:00");
  ASSERT_TRUE(zero_offset.is_ok());
  EXPECT_TRUE(zero_offset->is_zero());
}

TEST(TimestampTest, RoundTripsEveryPrecision) {
  for (int64_t ns : {int64_t{1}, int64_t{10}, int64_t{123456789}, int64_t{999999999},
                     int64_t{1700000000000000000}, int64_t{-1700000000000000000}}) {
    const Timestamp t = Timestamp::from_unix_nanos(ns);
    auto back = parse_rfc3339(format_rfc3339_nano(t));
    ASSERT_TRUE(back.is_ok()) << ns;
    EXPECT_EQ(*back, t);
  }
}

class BadTimeTest : public testing::TestWithParam<const char*> {};

TEST_P(BadTimeTest, IsRejected) {
  auto t = parse_rfc3339(GetParam());
  ASSERT_FALSE(t.is_ok());
  EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
  EXPECT_NE(t.status().message().find(GetParam()), std::string::npos) << t.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, BadTimeTest,
    testing::Values("", "2016-06-07", "2016-06-07T21:05:51", "2016-06-07 21:05:51Z",
                    "2016-06-07t21:05:51Z", "2016-06-07T21:05:51z", "2016-06-07T21:05:51.Z",
                    "2016-06-07T21:05:51.1234567890Z", "2016-06-07T21:05:51+0200",
                    "2016-06-07T21:05:51+02", "2016-13-07T21:05:51Z", "2016-02-30T21:05:51Z",
                    "2015-02-29T00:00:00Z", "2016-06-07T24:00:00Z", "2016-06-07T21:60:00Z",
                    "2016-06-07T21:05:60Z", "2016-06-07T21:05:51+24:00", "2016-06-07T21:05:51Zjunk",
                    "16-06-07T21:05:51Z", "1200-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                    "0001-01-01T00:00:00.000000001Z"));

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(Timestamp::from_unix_nanos(1000));
  EXPECT_EQ(clock.now().unix_nanos(), 1000);
  clock.advance(seconds(2));
  EXPECT_EQ(clock.now().unix_nanos(), 2000001000);
  clock.set(Timestamp::from_unix_nanos(5));
  EXPECT_EQ(clock.now() - Timestamp::from_unix_nanos(0), nanoseconds(5));
}

TEST(ClockTest, SystemClockIsRecent) {
  SystemClock clock;
  const Timestamp now = clock.now();
  EXPECT_FALSE(now.is_zero());
  EXPECT_GT(now, *parse_rfc3339("2024-01-01T00:00:00Z"));
  EXPECT_EQ(now + seconds(1) - now, seconds(1));
}

}  // namespace
}  // namespace shoal
