#include "scale/hollow_reports.h"

#include <gtest/gtest.h>

namespace shoal::scale {
namespace {

using api::TaskState;

constexpr int64_t kNow = 1'700'000'000'000'000'000;

struct ReportCase {
  const char* name;
  TaskState desired;
  TaskState state;
  protocol::AssignmentAction action;
  std::optional<TaskState> reported;  // nullopt: no report
};

protocol::AssignmentsMessage message_with(const ReportCase& c) {
  auto task = std::make_shared<api::Task>();
  task->ID = "t1";
  task->DesiredState = c.desired;
  task->Status.State = c.state;
  protocol::AssignmentsMessage m;
  m.Changes.push_back({c.action, std::shared_ptr<const api::Task>(task)});
  return m;
}

class HollowReportsTest : public ::testing::TestWithParam<ReportCase> {};

TEST_P(HollowReportsTest, Decides) {
  const ReportCase& c = GetParam();
  auto reports = hollow_reports(message_with(c), Timestamp::from_unix_nanos(kNow));
  if (!c.reported) {
    EXPECT_TRUE(reports.empty());
    return;
  }
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].TaskID, "t1");
  EXPECT_EQ(reports[0].Status.State, *c.reported);
  EXPECT_EQ(reports[0].Status.Timestamp, Timestamp::from_unix_nanos(kNow));
  EXPECT_FALSE(reports[0].Status.Message.empty());
}

constexpr auto kUpdate = protocol::AssignmentAction::kUpdate;
constexpr auto kRemove = protocol::AssignmentAction::kRemove;

INSTANTIATE_TEST_SUITE_P(
    Cases, HollowReportsTest,
    ::testing::Values(ReportCase{"AssignedRuns", TaskState::kRunning, TaskState::kAssigned, kUpdate,
                                 TaskState::kRunning},
                      ReportCase{"AcceptedRuns", TaskState::kRunning, TaskState::kAccepted, kUpdate,
                                 TaskState::kRunning},
                      ReportCase{"RunningStaysQuiet", TaskState::kRunning, TaskState::kRunning,
                                 kUpdate, std::nullopt},
                      ReportCase{"JobTaskCompletes", TaskState::kComplete, TaskState::kAssigned,
                                 kUpdate, TaskState::kComplete},
                      ReportCase{"RunningJobTaskCompletes", TaskState::kComplete,
                                 TaskState::kRunning, kUpdate, TaskState::kComplete},
                      ReportCase{"ShutdownStops", TaskState::kShutdown, TaskState::kRunning,
                                 kUpdate, TaskState::kShutdown},
                      ReportCase{"RemoveStops", TaskState::kRemove, TaskState::kRunning, kUpdate,
                                 TaskState::kShutdown},
                      ReportCase{"ShutdownBeforeStartStops", TaskState::kShutdown,
                                 TaskState::kAssigned, kUpdate, TaskState::kShutdown},
                      ReportCase{"EndedStaysQuiet", TaskState::kShutdown, TaskState::kShutdown,
                                 kUpdate, std::nullopt},
                      ReportCase{"FailedStaysQuiet", TaskState::kRunning, TaskState::kFailed,
                                 kUpdate, std::nullopt},
                      ReportCase{"ReadyWaits", TaskState::kReady, TaskState::kAssigned, kUpdate,
                                 std::nullopt},
                      ReportCase{"RemovalIgnored", TaskState::kRunning, TaskState::kAssigned,
                                 kRemove, std::nullopt}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(HollowReportsTest, SkipsSecretsAndConfigsAndKeepsTaskOrder) {
  protocol::AssignmentsMessage m;
  auto secret = std::make_shared<api::Secret>();
  secret->ID = "s1";
  m.Changes.push_back({kUpdate, std::shared_ptr<const api::Secret>(secret)});
  for (const char* id : {"b", "a", "c"}) {
    auto task = std::make_shared<api::Task>();
    task->ID = id;
    task->DesiredState = TaskState::kRunning;
    task->Status.State = TaskState::kAssigned;
    m.Changes.push_back({kUpdate, std::shared_ptr<const api::Task>(task)});
  }
  auto reports = hollow_reports(m, Timestamp::from_unix_nanos(kNow));
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[0].TaskID, "b");
  EXPECT_EQ(reports[1].TaskID, "a");
  EXPECT_EQ(reports[2].TaskID, "c");
}

}  // namespace
}  // namespace shoal::scale
