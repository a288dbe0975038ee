// Docker Engine API system routes: GET|HEAD /_ping and GET /version.
//
// /_ping is what every docker CLI invocation calls first (docker-cli-api.md §2): its
// Api-Version header makes the CLI downgrade to 1.41, and its Swarm header
// (inactive | pending | error | locked | active/worker | active/manager) only hides
// commands in --help. /version answers `docker version` in Docker's types.Version shape.
//
// Thread safety: the handlers are safe to run concurrently; `swarm_state` is called from
// handler threads and must be thread-safe.
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "common/status.h"
#include "http/router.h"

namespace shoal::http::engine {

struct SystemInfo {
  std::string version;  // shoal's version ("0.1.0")
  // The value of /_ping's Swarm header; "inactive" when unset.
  std::function<std::string()> swarm_state;
};

// Registers GET /_ping, HEAD /_ping and GET /version. Errors as Router::add().
Status register_system_routes(Router& router, SystemInfo info);

// The /version body (exposed for tests): Platform, Components[Engine], Version, ApiVersion,
// MinAPIVersion, GitCommit (the commit configured, or "unknown"), GoVersion (the C++ compiler), Os,
// Arch (Go's names: amd64, arm64), KernelVersion (uname -r), BuildTime (RFC 3339).
nlohmann::json version_body(const SystemInfo& info);

}  // namespace shoal::http::engine
