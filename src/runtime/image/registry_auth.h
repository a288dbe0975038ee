// Registry authentication pieces, pure: WWW-Authenticate challenges (RFC 7235; the Docker
// token protocol's Bearer realm/service/scope), the token request URL, and the docker CLI's
// X-Registry-Auth header (base64url JSON of an AuthConfig).
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/image/image.h"

namespace shoal::runtime::image {

struct Challenge {
  std::string scheme;                         // lower-cased: "bearer", "basic"
  std::map<std::string, std::string> params;  // names lower-cased, values unquoted
};

// The challenges of a WWW-Authenticate value, e.g.
// `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="a,b"`.
// Malformed parts are skipped (a registry's header is read, never trusted to be well formed).
std::vector<Challenge> parse_www_authenticate(std::string_view value);

// `realm?service=<service>&scope=<scope>` with the values URL-encoded (an existing query in
// realm is kept).
std::string token_url(const Challenge& bearer, std::string_view scope);

// The docker CLI's X-Registry-Auth value decoded: base64url (padded or not) JSON with
// username, password, auth (base64 "user:pass"), identitytoken, registrytoken. An empty
// header is no credentials. Errors: kInvalidArgument "invalid X-Registry-Auth header".
// (moby ignores a malformed header for pulls; callers may do the same.)
Result<RegistryAuth> decode_registry_auth(std::string_view header);

// Standard padded base64 of `bytes`.
std::string base64(std::string_view bytes);

// True when no credential is set.
bool is_anonymous(const RegistryAuth& auth);

}  // namespace shoal::runtime::image
