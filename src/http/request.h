// The request side of shoal's HTTP handler contract: what a route handler receives.
//
// A Request is built by the server core from one HTTP/1.1 request after routing: the API
// version prefix (/v1.41/...) is already stripped and checked, path parameters are
// percent-decoded, the query string is decoded the way Go's url.ParseQuery does it (the
// docker CLI encodes with Go's url.Values), and the body is fully read (Content-Length or
// chunked framing, decoded by Beast).
//
// Thread safety: plain values. A Request belongs to the one handler call it is given to.
#pragma once

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace shoal::http {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kPatch, kOptions, kOther };

// "GET", "HEAD", ...; "OTHER" for kOther.
const char* method_name(Method method);
// kOther for methods shoal does not route.
Method parse_method(std::string_view name);

// Header fields in arrival (or insertion) order; names compare case-insensitively.
class Headers {
 public:
  // The first value of `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Replaces every field called `name` with one field.
  void set(std::string_view name, std::string_view value);
  // Appends a field (keeps earlier ones of the same name).
  void add(std::string_view name, std::string_view value);
  void remove(std::string_view name);

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Decoded query parameters, with the value rules of moby's httputils.
class QueryParams {
 public:
  QueryParams() = default;

  // Decodes a raw query string ("a=1&b=x%20y&b=z&flag"): '&' separates pairs, '+' is a
  // space, %XX escapes are decoded. Like Go's url.ParseQuery, a pair with a bad escape or a
  // ';' is skipped and reported: the first such error is returned in `*error` when given
  // (the docker CLI never sends one; handlers may ignore it as moby does).
  static QueryParams parse(std::string_view raw, Status* error = nullptr);

  bool has(std::string_view key) const;
  // The first value of `key` ("" for `?key` or `?key=`), or nullopt when absent.
  std::optional<std::string_view> get(std::string_view key) const;
  // The first value of `key`, or "" when absent (Go's url.Values.Get).
  std::string_view value(std::string_view key) const { return get(key).value_or(""); }
  // Every value of `key` in order.
  std::vector<std::string_view> values(std::string_view key) const;

  // moby BoolValue: false when absent or, trimmed and lower-cased, one of "", "0", "no",
  // "false", "none"; true otherwise ("1", "true", "yes", anything else).
  bool get_bool(std::string_view key) const;
  // moby BoolValueOrDefault: `fallback` when the key is absent, else get_bool().
  bool get_bool_or(std::string_view key, bool fallback) const;
  // moby Int64ValueOrDefault: `fallback` when absent or empty; the decimal value when it
  // parses as an int64; kInvalidArgument (`invalid value for "<key>": "<v>"`) otherwise.
  Result<int64_t> get_int(std::string_view key, int64_t fallback) const;

  const std::vector<std::pair<std::string, std::string>>& pairs() const { return pairs_; }
  void add(std::string key, std::string value) {
    pairs_.emplace_back(std::move(key), std::move(value));
  }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Decodes %XX escapes (and '+' as space when `plus_is_space`). nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

struct Request {
  Method method = Method::kGet;
  std::string target;       // the request-target as received, e.g. "/v1.41/services?x=1"
  std::string path;         // decoded path with the version prefix removed, e.g. "/services"
  std::string api_version;  // from the /vX.Y prefix; the server's version when absent
  std::string pattern;      // the route pattern that matched, e.g. "/services/{id}"
  std::vector<std::pair<std::string, std::string>> params;  // path parameters, decoded
  QueryParams query;
  Headers headers;
  std::string body;
  // Requested when the client closes its connection or the server stops. Handlers that
  // block (waits, streams) must watch it and return soon after it is requested.
  std::stop_token stop;

  // The path parameter `name` ("" when the pattern has none by that name).
  std::string_view param(std::string_view name) const;
};

}  // namespace shoal::http
