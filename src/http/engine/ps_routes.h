// GET /shoal/containers: the containers this node's runtime holds (`shoal ps`), one JSON
// object per task dir: TaskID, ServiceID, ServiceName (when the service still exists),
// NodeID, Slot, Image, State ("preparing", "prepared", "created", "running", "exited"),
// PID, ExitCode (once exited), Created (RFC 3339). Empty when the executor has no containers
// (hollow).
//
// Thread safety: the handler runs concurrently (NodeContainers is thread-safe).
#pragma once

#include "common/status.h"
#include "http/router.h"
#include "manager/controlapi/context.h"
#include "runtime/node_containers.h"

namespace shoal::http::engine {

struct PsDeps {
  manager::controlapi::Context* control = nullptr;      // for service names; required
  const runtime::NodeContainers* containers = nullptr;  // null: no containers
};

Status register_ps_routes(Router& router, const PsDeps& deps);

}  // namespace shoal::http::engine
