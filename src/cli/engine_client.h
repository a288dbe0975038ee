// A Docker Engine API client over a daemon's unix socket, for the shoal CLI's own commands
// (`shoal cluster`, `shoal machine`): one JSON request, one JSON answer.
//
// Thread safety: functions; safe from any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"

namespace shoal::cli {

// Sends `method path` (path after the API version, e.g. "/swarm/init") with `body` as JSON
// when given, and returns the answer's JSON body (null for an empty body).
// Errors: kUnavailable when the socket does not answer; for an answer ≥ 400 the daemon's
// {"message"} with a code from its HTTP status (404 kNotFound, 409 kAlreadyExists,
// 503 kUnavailable, other 4xx kFailedPrecondition, 5xx kInternal).
Result<nlohmann::json> engine_call(const std::string& socket, const std::string& method,
                                   const std::string& path,
                                   const std::optional<nlohmann::json>& body = std::nullopt);

}  // namespace shoal::cli
