// Helpers the engine route handlers share: request bodies, `?version=`, JSON responses.
//
// Thread safety: pure functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/codec.h"
#include "common/status.h"
#include "common/time.h"
#include "http/engine/filters.h"
#include "http/request.h"
#include "http/response.h"

namespace shoal::http::engine {

// The request body as a T. Errors (kInvalidArgument, 400): "got EOF while reading request
// body" for an empty body (moby's text); the codec's errors otherwise.
template <api::Codable T>
Result<T> decode_body(const Request& request) {
  if (request.body.empty()) {
    return Status(Code::kInvalidArgument, "got EOF while reading request body");
  }
  return api::decode<T>(request.body);
}

// `?version=` as moby reads it for `kind` ("service", "node", "swarm"): kInvalidArgument
// "invalid <kind> version '<v>': strconv.ParseUint: parsing \"<v>\": invalid syntax" when it
// is not an unsigned decimal number (missing included). Secrets and configs: "invalid
// <kind> version" (moby's shorter text there).
Result<uint64_t> version_param(const Request& request, std::string_view kind);

// An optional boolean query parameter read with Go's strconv.ParseBool ("1", "t", "true",
// "0", "f", "false" in any of Go's spellings); `fallback` when absent or empty.
// Errors: kInvalidArgument "invalid value for <name>: <value>".
Result<bool> go_bool_param(const Request& request, std::string_view name, bool fallback = false);

// moby's timetypes.ParseTimestamps for `?since=` of the log routes: "<seconds>[.<fraction>]"
// with up to 9 fraction digits; "" and "0" are the zero time. Errors: kInvalidArgument
// `invalid value for "since": "<text>"`, also for seconds beyond the range of a time in
// nanoseconds since 1970 (about ±292 years).
Result<Timestamp> parse_since(std::string_view text);

// The image filter `until=`: unix seconds (digits only) or an RFC 3339 time. Errors:
// kInvalidArgument "invalid filter 'until=<text>'", also for seconds beyond the range of a
// time in nanoseconds.
Result<Timestamp> parse_until(std::string_view text);

// `?filters=` parsed and checked against `accepted`, with the values of `pattern_keys`
// compiled for Filters::match. Errors: kInvalidArgument for bad JSON, an unknown key or a
// bad pattern.
Result<Filters> filters_param(const Request& request,
                              std::initializer_list<std::string_view> accepted,
                              std::initializer_list<std::string_view> pattern_keys = {});

// 200 (or `status`) with `value` encoded as Docker does, plus Go's trailing newline.
template <api::Codable T>
Response json_response(const T& value, int status = 200) {
  std::string body = api::encode(value);
  body.push_back('\n');
  return Response::json_text(status, std::move(body));
}

// 200 with a JSON array of `items` (values or pointers to values).
template <typename Items>
Response json_list(const Items& items) {
  std::string body = "[";
  bool first = true;
  for (const auto& item : items) {
    if (!first) body.push_back(',');
    first = false;
    if constexpr (requires { *item; }) {
      api::append_json(body, *item);
    } else {
      api::append_json(body, item);
    }
  }
  body += "]\n";
  return Response::json_text(200, std::move(body));
}

}  // namespace shoal::http::engine
