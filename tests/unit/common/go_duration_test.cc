#include "common/go_duration.h"

#include <gtest/gtest.h>

#include <string>

namespace shoal {
namespace {

using namespace std::chrono_literals;

struct DurationCase {
  const char* text;
  bool ok;
  std::chrono::nanoseconds value{0};
};

class GoDurationTest : public ::testing::TestWithParam<DurationCase> {};

TEST_P(GoDurationTest, Parses) {
  const DurationCase& c = GetParam();
  auto d = parse_go_duration(c.text);
  ASSERT_EQ(d.is_ok(), c.ok) << c.text << ": " << d.status().to_string();
  if (c.ok) {
    EXPECT_EQ(d->count(), c.value.count()) << c.text;
  }
  if (!c.ok) {
    EXPECT_EQ(d.status().message(), std::string("invalid duration ") + c.text);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, GoDurationTest,
    ::testing::Values(DurationCase{"0", true, 0ns}, DurationCase{"0s", true, 0ns},
                      DurationCase{"1s", true, 1s}, DurationCase{"300ms", true, 300ms},
                      DurationCase{"1.5s", true, 1500ms}, DurationCase{"1h30m", true, 90min},
                      DurationCase{"2m3.25s", true, 123250ms}, DurationCase{"10us", true, 10us},
                      DurationCase{"10\xC2\xB5s", true, 10us}, DurationCase{"7ns", true, 7ns},
                      DurationCase{".5s", true, 500ms}, DurationCase{"-2s", true, -2s},
                      DurationCase{"+2s", true, 2s}, DurationCase{"", false},
                      DurationCase{"5", false}, DurationCase{"5x", false}, DurationCase{"s", false},
                      DurationCase{"1.s5", false}, DurationCase{"3000000h", false}));

}  // namespace
}  // namespace shoal
