// LogReader: the logs of this node's tasks, read from the json-file logs their monitors
// write (<containers>/<task-id>/container.log[.1], task.json for the task's service and
// node), for GET /services/{id}/logs and GET /tasks/{id}/logs.
//
// Without follow: each selected task's lines (stream, since and tail applied per task, as
// Docker applies them per container) merged in time order, then the call returns.
// With follow: the same backlog, then new lines as they are written, until the sink refuses
// one or `stop` is requested. New lines are noticed through inotify on the task dirs (no
// polling); a service's tasks that appear later are followed too (inotify on the containers
// dir); rotation (container.log → container.log.1) is handled by finishing the old file
// before opening the new one. Following one task ends once it has exited and its log is
// read to the end.
//
// Thread safety: read() may be called from many threads at once (each call has its own
// descriptors); the sink runs on the calling thread.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>

#include "common/status.h"
#include "common/time.h"
#include "runtime/logs/json_line.h"

namespace shoal::runtime::logs {

struct LogSelector {
  std::string service_id;  // every task of this service, or
  std::string task_id;     // this one task
};

struct LogOptions {
  bool stdout_lines = true;
  bool stderr_lines = true;
  bool follow = false;
  std::optional<int64_t> tail;  // last N lines per task; nullopt = all
  Timestamp since;              // zero = from the beginning
};

struct LogMessage {
  std::string task_id;
  std::string service_id;
  std::string node_id;
  LogEntry entry;
};

// Returns false to end the read (the client went away).
using LogSink = std::function<bool(const LogMessage&)>;

class LogReader {
 public:
  explicit LogReader(std::filesystem::path containers_dir) : dir_(std::move(containers_dir)) {}

  // Streams the selected logs to `sink` (see above). Errors: kInternal when inotify cannot
  // be set up for a follow. Unparseable lines are skipped.
  Status read(const LogSelector& selector, const LogOptions& options, const LogSink& sink,
              std::stop_token stop) const;

 private:
  const std::filesystem::path dir_;
};

}  // namespace shoal::runtime::logs
