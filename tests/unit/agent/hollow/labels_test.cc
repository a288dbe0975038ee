#include "agent/hollow/labels.h"

#include <gtest/gtest.h>

namespace shoal::agent::hollow {
namespace {

using namespace std::chrono_literals;

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
