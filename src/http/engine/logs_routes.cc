#include "http/engine/logs_routes.h"

#include <charconv>

#include "http/engine/params.h"
#include "manager/controlapi/service.h"
#include "manager/controlapi/task.h"
#include "runtime/logs/stdcopy.h"

namespace shoal::http::engine {
namespace {

namespace ca = manager::controlapi;
namespace logs = runtime::logs;

Result<logs::LogOptions> log_options(const Request& req) {
  logs::LogOptions o;
  o.stdout_lines = req.query.get_bool("stdout");
  o.stderr_lines = req.query.get_bool("stderr");
  if (!o.stdout_lines && !o.stderr_lines) {
    return error(Code::kInvalidArgument, "Bad parameters: you must choose at least one stream");
  }
  o.follow = req.query.get_bool("follow");
  std::string_view tail = req.query.value("tail");
  if (!tail.empty() && tail != "all") {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), n);
    if (ec != std::errc() || end != tail.data() + tail.size() || n < 0) {
      return error(Code::kInvalidArgument, "tail value must be a positive integer or \"all\"");
    }
    o.tail = n;
  }
  SHOAL_ASSIGN_OR_RETURN(o.since, parse_since(req.query.value("since")));
  return o;
}

// A TTY task's output (ContainerSpec.TTY) is sent raw, without frames, as moby does: the CLI
// copies it through (and only with --raw).
bool tty_of(const std::optional<api::ContainerSpec>& spec) { return spec && spec->TTY; }

Status stream_logs(const LogsDeps& deps, Request& req, ResponseStream& out,
                   const logs::LogSelector& selector, const logs::LogOptions& options, bool tty) {
  bool timestamps = req.query.get_bool("timestamps");
  bool details = req.query.get_bool("details");
  // At API 1.41 moby labels this multiplexed stream "raw-stream"; the CLI ignores it.
  Headers headers;
  headers.set("Content-Type", "application/vnd.docker.raw-stream");
  if (!out.begin(200, std::move(headers))) {
    return Status::ok();
  }
  std::string frame, detail_text;
  logs::LogSink sink = [&](const logs::LogMessage& m) {
    logs::PayloadOptions payload{timestamps, nullptr};
    if (details) {
      detail_text = logs::details_text({{"com.docker.swarm.node.id", m.node_id},
                                        {"com.docker.swarm.service.id", m.service_id},
                                        {"com.docker.swarm.task.id", m.task_id}});
      payload.details = &detail_text;
    }
    frame.clear();
    if (tty) return out.write(logs::log_payload(m.entry.time, m.entry.log, payload));
    logs::append_frame(frame,
                       m.entry.stream == logs::Stream::kStderr ? logs::FrameStream::kStderr
                                                               : logs::FrameStream::kStdout,
                       logs::log_payload(m.entry.time, m.entry.log, payload));
    return out.write(frame);
  };
  Status read = deps.reader->read(selector, options, sink, out.stop_token());
  if (!read.is_ok() && tty) {
    out.write("Error grabbing logs: " + read.message() + "\n");
  } else if (!read.is_ok()) {
    frame.clear();
    logs::append_frame(frame, logs::FrameStream::kSystemErr,
                       "Error grabbing logs: " + read.message() + "\n");
    out.write(frame);
  }
  return Status::ok();
}

}  // namespace

Status register_logs_routes(Router& router, const LogsDeps& deps) {
  if (deps.control == nullptr || deps.reader == nullptr) {
    return error(Code::kInvalidArgument, "logs routes need a control API and a log reader");
  }
  SHOAL_RETURN_IF_ERROR(router.add_stream(
      Method::kGet, "/services/{id}/logs", [deps](Request& req, ResponseStream& out) -> Status {
        SHOAL_ASSIGN_OR_RETURN(logs::LogOptions options, log_options(req));
        SHOAL_ASSIGN_OR_RETURN(api::Service service,
                               ca::get_service(*deps.control, req.param("id"), false));
        return stream_logs(deps, req, out, logs::LogSelector{service.ID, {}}, options,
                           tty_of(service.Spec.TaskTemplate.ContainerSpec));
      }));
  return router.add_stream(
      Method::kGet, "/tasks/{id}/logs", [deps](Request& req, ResponseStream& out) -> Status {
        SHOAL_ASSIGN_OR_RETURN(logs::LogOptions options, log_options(req));
        SHOAL_ASSIGN_OR_RETURN(auto task, ca::get_task(*deps.control, req.param("id")));
        return stream_logs(deps, req, out, logs::LogSelector{{}, task->ID}, options,
                           tty_of(task->Spec->ContainerSpec));
      });
}

}  // namespace shoal::http::engine
