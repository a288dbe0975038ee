// What the runtime keeps about a task in its state dir, <data-dir>/containers/<task-id>/,
// so that a restarted daemon can adopt the task (recovery.h), read its logs with Docker's
// details (log_reader.h) and list it (`shoal ps`) without the store.
//
// task.json is written when prepare() begins (Prepared false) and rewritten when it ends
// (Prepared true); each write is atomic (temp file + rename), so a crash leaves either
// version whole.
//
// Thread safety: free functions; callers do not write one task's file concurrently.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "api/task.h"
#include "common/status.h"
#include "common/time.h"
#include "runtime/health.h"

namespace shoal::runtime {

inline constexpr std::string_view kTaskMetaFile = "task.json";

struct TaskMeta {
  std::string TaskID;
  std::string ServiceID;
  std::string ServiceName;  // the service's name (TaskSpec.ServiceName); "" before it was recorded
  std::string NodeID;
  int64_t Slot = 0;
  std::string Image;
  std::string ImageID;         // "sha256:..." of the image the rootfs was made from
  std::string StopSignal;      // the container's stop signal ("" = SIGTERM)
  int64_t StopGraceNanos = 0;  // ContainerSpec.StopGracePeriod; 0 = the default (10 s)
  std::optional<HealthCheck> Health;
  bool Prepared = false;
  bool NetworkAttached = false;               // the Attacher made a sandbox to detach
  std::vector<std::string> AnonymousVolumes;  // volume dirs to remove with the task
  api::PortStatus Ports;                      // host-mode ports the sandbox published
  Timestamp Created;
};

// Errors: kInternal when the file cannot be written.
Status write_task_meta(const std::filesystem::path& dir, const TaskMeta& meta);
// Errors: kNotFound when there is none; kDataLoss when it cannot be parsed.
Result<TaskMeta> read_task_meta(const std::filesystem::path& dir);

// Writes `content` to dir/name through a temp file and rename(2), with `mode`.
// Errors: kInternal.
Status write_file_atomic(const std::filesystem::path& path, std::string_view content,
                         unsigned mode = 0600);

}  // namespace shoal::runtime
