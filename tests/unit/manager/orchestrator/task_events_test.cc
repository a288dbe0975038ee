// Which task changes mark a service dirty (orchestrator.h task_change_matters).
#include <gtest/gtest.h>

#include "manager/orchestrator/orchestrator.h"

namespace shoal::manager::orchestrator {
namespace {

using api::TaskState;

struct Version {
  TaskState state;
  TaskState desired = TaskState::kRunning;
  const char* node = "";
};

struct EventCase {
  const char* name;
  std::optional<Version> old;
  std::optional<Version> now;
  bool updating;
  bool matters;
};

std::optional<api::Task> task_of(const std::optional<Version>& v) {
  if (!v) return std::nullopt;
  api::Task t;
  t.ID = "t1";
  t.ServiceID = "svc";
  t.Status.State = v->state;
  t.DesiredState = v->desired;
  t.NodeID = v->node;
  return t;
}

class TaskChangeMattersTest : public ::testing::TestWithParam<EventCase> {};

TEST_P(TaskChangeMattersTest, Decides) {
  const EventCase& c = GetParam();
  auto old = task_of(c.old);
  auto now = task_of(c.now);
  EXPECT_EQ(task_change_matters(old ? &*old : nullptr, now ? &*now : nullptr, c.updating),
            c.matters);
}

constexpr TaskState kNew = TaskState::kNew, kPending = TaskState::kPending,
                    kAssigned = TaskState::kAssigned, kRunning = TaskState::kRunning,
                    kFailed = TaskState::kFailed, kShutdown = TaskState::kShutdown,
                    kComplete = TaskState::kComplete;

INSTANTIATE_TEST_SUITE_P(
    Cases, TaskChangeMattersTest,
    ::testing::Values(
        EventCase{"Created", std::nullopt, Version{kNew}, false, true},
        EventCase{"Deleted", Version{kRunning, kRunning, "n1"}, std::nullopt, false, true},
        EventCase{"Allocated", Version{kNew}, Version{kPending}, false, false},
        EventCase{"Placed", Version{kPending}, Version{kAssigned, kRunning, "n1"}, false, false},
        EventCase{"PlacedDuringAnUpdate", Version{kPending}, Version{kAssigned, kRunning, "n1"},
                  true, false},
        EventCase{"MovedOffItsNode", Version{kAssigned, kRunning, "n1"},
                  Version{kAssigned, kRunning, "n2"}, false, true},
        EventCase{"CameUp", Version{kAssigned, kRunning, "n1"}, Version{kRunning, kRunning, "n1"},
                  false, false},
        EventCase{"CameUpDuringAnUpdate", Version{kAssigned, kRunning, "n1"},
                  Version{kRunning, kRunning, "n1"}, true, true},
        EventCase{"Failed", Version{kRunning, kRunning, "n1"}, Version{kFailed, kRunning, "n1"},
                  false, true},
        EventCase{"FailedBeforeRunning", Version{kAssigned, kRunning, "n1"},
                  Version{kFailed, kRunning, "n1"}, false, true},
        EventCase{"JobCompleted", Version{kRunning, kComplete, "n1"},
                  Version{kComplete, kComplete, "n1"}, false, true},
        EventCase{"DesiredShutdown", Version{kRunning, kRunning, "n1"},
                  Version{kRunning, kShutdown, "n1"}, false, true},
        EventCase{"StoppedAsAsked", Version{kRunning, kShutdown, "n1"},
                  Version{kShutdown, kShutdown, "n1"}, false, true},
        EventCase{"StatusTextOnly", Version{kRunning, kRunning, "n1"},
                  Version{kRunning, kRunning, "n1"}, true, false}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace shoal::manager::orchestrator
