// GET /services/{id}/logs and GET /tasks/{id}/logs (Docker Engine API 1.41): the logs of a
// service's tasks, or of one task, as Docker's multiplexed stream (runtime/logs/stdcopy.h),
// read from this node's task logs (runtime/logs/log_reader.h). Single node for now: tasks on
// other nodes contribute nothing (forwarding logs between nodes is a later issue).
//
// Query (moby's swarm ServiceLogs): stdout, stderr (at least one, else 400 "Bad parameters:
// you must choose at least one stream"), follow, timestamps, details (adds
// com.docker.swarm.node.id / service.id / task.id as the CLI requires), since
// (<unix seconds>[.<fraction>]), tail ("all" or N ≥ 0, else 400). The service or task is
// resolved as the inspect routes do (ID, name, prefix; 404 "<kind> <ref> not found"). The
// stream ends when the logs are read (no follow), or when the client goes away (follow).
//
// Thread safety: handlers run concurrently; the reader is shared.
#pragma once

#include "common/status.h"
#include "http/router.h"
#include "manager/controlapi/context.h"
#include "runtime/logs/log_reader.h"

namespace shoal::http::engine {

struct LogsDeps {
  manager::controlapi::Context* control = nullptr;   // required
  const runtime::logs::LogReader* reader = nullptr;  // required
};

// Errors as Router::add() (a duplicate route), or kInvalidArgument for missing deps.
Status register_logs_routes(Router& router, const LogsDeps& deps);

}  // namespace shoal::http::engine
