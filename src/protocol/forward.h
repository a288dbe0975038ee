// Forwarding between managers: a Docker API request that a follower manager received and
// its leader must serve (a write: only the leader changes the swarm), carried as plain
// values so that any transport can take it (src/rpc: the Control service over mutual TLS).
//
// Thread safety: values.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace shoal::protocol {

using HeaderFields = std::vector<std::pair<std::string, std::string>>;

struct ForwardedRequest {
  std::string method;  // "POST", "DELETE", ...
  std::string target;  // as the client sent it, e.g. "/v1.41/services/create"
  HeaderFields headers;
  std::string body;
};

struct ForwardedResponse {
  int status = 200;
  HeaderFields headers;
  std::string body;
};

// The leader's side: serves one forwarded request as if it had come to its own socket.
using ForwardHandler = std::function<ForwardedResponse(const ForwardedRequest&)>;

}  // namespace shoal::protocol
