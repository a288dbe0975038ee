#include "agent/hollow/labels.h"

#include <gtest/gtest.h>

namespace shoal::agent::hollow {
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

api::Task task_with(api::StringMap container_labels, api::StringMap task_labels = {}) {
  auto spec = std::make_shared<api::TaskSpec>();
  spec->ContainerSpec.emplace();
  spec->ContainerSpec->Labels = std::move(container_labels);
  api::Task task;
  task.ID = "t1";
  task.Spec = spec;
  task.Labels = std::move(task_labels);
  return task;
}

TEST(ReadScriptTest, NoLabelsRunsForever) {
  auto script = read_script(task_with({}));
  ASSERT_TRUE(script.is_ok());
  EXPECT_FALSE(script->exit);
}

TEST(ReadScriptTest, FailAtOnceWithCode) {
  auto script = read_script(task_with({{"shoal.hollow.fail", "3"}}));
  ASSERT_TRUE(script.is_ok());
  ASSERT_TRUE(script->exit);
  EXPECT_EQ(script->exit->exit_code, 3);
  EXPECT_EQ(script->exit->after, 0ns);
}

TEST(ReadScriptTest, FailAfterDefaultsToCodeOne) {
  auto script = read_script(task_with({{"shoal.hollow.fail-after", "2s"}}));
  ASSERT_TRUE(script.is_ok() && script->exit);
  EXPECT_EQ(script->exit->exit_code, 1);
  EXPECT_EQ(script->exit->after, 2s);
}

TEST(ReadScriptTest, CompleteAfter) {
  auto script = read_script(task_with({{"shoal.hollow.complete-after", "0s"}}));
  ASSERT_TRUE(script.is_ok() && script->exit);
  EXPECT_EQ(script->exit->exit_code, 0);
  EXPECT_EQ(script->exit->after, 0ns);
}

TEST(ReadScriptTest, EarlierEndWins) {
  auto fails_first = read_script(task_with({{"shoal.hollow.fail", "2"},
                                            {"shoal.hollow.fail-after", "1s"},
                                            {"shoal.hollow.complete-after", "2s"}}));
  ASSERT_TRUE(fails_first.is_ok() && fails_first->exit);
  EXPECT_EQ(fails_first->exit->exit_code, 2);
  auto completes_first = read_script(
      task_with({{"shoal.hollow.fail-after", "3s"}, {"shoal.hollow.complete-after", "2s"}}));
  ASSERT_TRUE(completes_first.is_ok() && completes_first->exit);
  EXPECT_EQ(completes_first->exit->exit_code, 0);
  EXPECT_EQ(completes_first->exit->after, 2s);
}

TEST(ReadScriptTest, TaskLabelsCountContainerLabelsWin) {
  auto from_task = read_script(task_with({}, {{"shoal.hollow.fail", "4"}}));
  ASSERT_TRUE(from_task.is_ok() && from_task->exit);
  EXPECT_EQ(from_task->exit->exit_code, 4);
  auto both = read_script(task_with({{"shoal.hollow.fail", "5"}}, {{"shoal.hollow.fail", "4"}}));
  ASSERT_TRUE(both.is_ok() && both->exit);
  EXPECT_EQ(both->exit->exit_code, 5);
}

TEST(ReadScriptTest, BadValuesAreInvalidArguments) {
  auto code = read_script(task_with({{"shoal.hollow.fail", "x"}}));
  ASSERT_FALSE(code.is_ok());
  EXPECT_EQ(code.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(code.status().message(), "invalid label shoal.hollow.fail=x: not an exit code");
  auto duration = read_script(task_with({{"shoal.hollow.fail-after", "soon"}}));
  ASSERT_FALSE(duration.is_ok());
  EXPECT_EQ(duration.status().message(),
            "invalid label shoal.hollow.fail-after=soon: invalid duration soon");
  auto negative = read_script(task_with({{"shoal.hollow.complete-after", "-1s"}}));
  ASSERT_FALSE(negative.is_ok());
  EXPECT_EQ(negative.status().message(),
            "invalid label shoal.hollow.complete-after=-1s: negative duration");
}

}  // namespace
}  // namespace shoal::agent::hollow
