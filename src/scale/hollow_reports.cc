#include "scale/hollow_reports.h"

#include <optional>

#include "api/task_lifecycle.h"

namespace shoal::scale {

namespace {

struct Target {
  api::TaskState state;
  const char* message;
};

// The state a hollow agent moves `task` to, if any.
std::optional<Target> target_of(const api::Task& task) {
  api::TaskState state = task.Status.State;
  if (api::is_terminal(state)) return std::nullopt;
  switch (task.DesiredState) {
    case api::TaskState::kRunning:
      if (state >= api::TaskState::kRunning) return std::nullopt;
      return Target{api::TaskState::kRunning, kStartedMessage};
    case api::TaskState::kComplete:
      return Target{api::TaskState::kComplete, kFinishedMessage};
    default:
      break;
  }
  if (task.DesiredState > api::TaskState::kComplete) {
    return Target{api::TaskState::kShutdown, kShutdownMessage};
  }
  return std::nullopt;  // desired ready (a replacement waiting for its start) or unset
}

}  // namespace

std::vector<protocol::TaskStatusUpdate> hollow_reports(const protocol::AssignmentsMessage& message,
                                                       Timestamp now) {
  std::vector<protocol::TaskStatusUpdate> reports;
  for (const protocol::AssignmentChange& change : message.Changes) {
    if (change.Action != protocol::AssignmentAction::kUpdate) continue;
    const auto* task = std::get_if<std::shared_ptr<const api::Task>>(&change.Item);
    if (task == nullptr || *task == nullptr) continue;
    std::optional<Target> target = target_of(**task);
    if (!target) continue;
    protocol::TaskStatusUpdate& update = reports.emplace_back();
    update.TaskID = (*task)->ID;
    update.Status.State = target->state;
    update.Status.Message = target->message;
    update.Status.Timestamp = now;
  }
  return reports;
}

}  // namespace shoal::scale
