// Docker Engine API versions: what shoal declares and how a request's /vX.Y prefix is
// checked (moby's VersionMiddleware).
//
// shoal declares 1.41 (docker-cli-api.md §2): the docker CLI downgrades to it after
// /_ping, then prefixes every path with /v1.41. Raising it is a deliberate step (DESIGN.md).
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "common/status.h"

namespace shoal::http {

inline constexpr std::string_view kApiVersion = "1.41";     // Api-Version header, ApiVersion
inline constexpr std::string_view kMinApiVersion = "1.12";  // MinAPIVersion

// Compares dotted versions numerically the way moby's versions.compare does: "1.5" <
// "1.41", missing parts count as 0, a non-numeric part counts as 0. Returns <0, 0 or >0.
int compare_api_versions(std::string_view a, std::string_view b);

// OK when `version` is within [kMinApiVersion, kApiVersion]. Otherwise kInvalidArgument
// (HTTP 400) with moby's texts:
//   "client version 1.50 is too new. Maximum supported API version is 1.41"
//   "client version 1.11 is too old. Minimum supported API version is 1.12, please upgrade
//    your client to a newer version"
Status check_api_version(std::string_view version);

// If `path` starts with a version segment "/v<digits and dots>/" (moby's route
// "/v{version:[0-9.]+}"), returns that version and sets `*rest` to the path after it
// (starting with '/'). Otherwise returns "" and sets `*rest` = path.
std::string_view split_version_prefix(std::string_view path, std::string_view* rest);

}  // namespace shoal::http
