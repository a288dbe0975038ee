// One HTTP request with libcurl: the transport of the registry client, and of the `shoal`
// CLI talking to its daemon over the unix socket. Redirects are followed (registries send
// blobs to storage URLs); curl drops an Authorization header when a redirect leaves the
// host. TLS verification is on (the system's CA store).
//
// Thread safety: http_fetch() may be called from any thread; requests share nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shoal::runtime::image {

struct HttpRequest {
  std::string method = "GET";
  std::string url;                   // "http://127.0.0.1:5000/v2/" or "http://localhost/v1.41/..."
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::string unix_socket;  // when set, the connection goes to this socket instead
  std::chrono::seconds connect_timeout{10};
  // The transfer is abandoned when fewer than 1 byte/s arrive for this long (0 = never).
  std::chrono::seconds stall_timeout{60};
  // When set, a 2xx response's body goes here as it arrives instead of into
  // HttpResponse::body (other statuses' bodies, e.g. a registry's error JSON, still go to
  // body); returning false aborts the transfer (kUnavailable "... aborted").
  std::function<bool(std::string_view)> on_data;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value wins
  std::string body;

  // The header's value, or "".
  std::string header(const std::string& lower_name) const;
};

// Performs `request`. Any HTTP status is a success here (the caller reads `status`).
// Errors: kUnavailable "<METHOD> <url>: <curl's reason>" when the server cannot be reached
// or the transfer breaks (refused, unknown host, timeout, reset, TLS failure, aborted by
// on_data); kInvalidArgument for a malformed URL.
Result<HttpResponse> http_fetch(const HttpRequest& request);

}  // namespace shoal::runtime::image
