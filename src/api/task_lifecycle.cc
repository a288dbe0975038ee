#include "api/task_lifecycle.h"

#include <spdlog/spdlog.h>

#include "api/enum.h"

namespace shoal::api {

Status advance_task(Task& task, TaskState state, std::string message, Timestamp now,
                    std::string err) {
  TaskState old = task.Status.State;
  if (state < old) {
    return error(Code::kFailedPrecondition, "task {}: cannot move from {} to {}", task.ID,
                 to_string(old), to_string(state));
  }
  if (state == old && message == task.Status.Message && err == task.Status.Err) return Status::ok();
  if (state != old) {
    spdlog::debug("task {}: {} -> {} ({})", task.ID, to_string(old), to_string(state), message);
  }
  task.Status.State = state;
  task.Status.Message = std::move(message);
  task.Status.Err = std::move(err);
  task.Status.Timestamp = now;
  return Status::ok();
}

}  // namespace shoal::api
