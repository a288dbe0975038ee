#include "http/limits.h"

#include <fmt/format.h>

#include <boost/beast/http.hpp>
#include <sstream>

namespace shoal::http {
namespace {

namespace bhttp = boost::beast::http;

// "30s", "1.5s", "250ms": for messages a user reads.
std::string duration_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 != 0) {
    return d.count() < 1000 ? fmt::format("{}ms", d.count())
                            : fmt::format("{:g}s", static_cast<double>(d.count()) / 1000.0);
  }
  return fmt::format("{}s", d.count() / 1000);
}

}  // namespace

std::optional<std::chrono::milliseconds> read_timeout(ReadPhase phase,
                                                      const ConnectionLimits& limits) {
  std::chrono::milliseconds d{0};
  switch (phase) {
    case ReadPhase::kIdle:
      d = limits.idle_timeout;
      break;
    case ReadPhase::kHeader:
      d = limits.header_timeout;
      break;
    case ReadPhase::kBody:
      d = limits.body_timeout;
      break;
  }
  if (d.count() <= 0) return std::nullopt;
  return d;
}

std::optional<Response> timeout_response(ReadPhase phase, bool got_bytes,
                                         const ConnectionLimits& limits) {
  switch (phase) {
    case ReadPhase::kIdle:
      return std::nullopt;
    case ReadPhase::kHeader:
      if (!got_bytes) return std::nullopt;
      return Response::error(408, fmt::format("timed out reading the request head (it must "
                                              "arrive whole within {})",
                                              duration_text(limits.header_timeout)));
    case ReadPhase::kBody:
      return Response::error(408, fmt::format("timed out reading the request body (no data "
                                              "for {})",
                                              duration_text(limits.body_timeout)));
  }
  return std::nullopt;
}

HeadVerdict check_target(size_t target_bytes, const ConnectionLimits& limits) {
  return target_bytes > limits.max_target_bytes ? HeadVerdict::kUriTooLong : HeadVerdict::kOk;
}

HeadVerdict classify_oversized_head(std::string_view received, const ConnectionLimits& limits) {
  // request-line = method SP request-target SP HTTP-version CRLF
  std::string_view line = received.substr(0, received.find('\n'));
  size_t start = line.find(' ');
  if (start == std::string_view::npos) return HeadVerdict::kHeaderTooLarge;
  std::string_view target = line.substr(start + 1);
  if (size_t end = target.find(' '); end != std::string_view::npos) {
    target = target.substr(0, end);
  }
  return target.size() > limits.max_target_bytes ? HeadVerdict::kUriTooLong
                                                 : HeadVerdict::kHeaderTooLarge;
}

Response head_limit_response(HeadVerdict verdict, const ConnectionLimits& limits) {
  if (verdict == HeadVerdict::kUriTooLong) {
    return Response::error(414, fmt::format("request URI too long: the request target is over "
                                            "{} bytes",
                                            limits.max_target_bytes));
  }
  return Response::error(431, fmt::format("request header fields too large: the request line "
                                          "and header fields are over {} bytes",
                                          limits.max_header_bytes));
}

std::string refusal_response(const std::vector<std::pair<std::string, std::string>>& headers,
                             size_t max_connections) {
  Response body = Response::error(
      503, fmt::format("too many open connections to this API endpoint (limit {}); try again "
                       "later",
                       max_connections));
  bhttp::response<bhttp::string_body> res{bhttp::status::service_unavailable, 11};
  for (const auto& [k, v] : headers) res.set(k, v);
  for (const auto& [k, v] : body.headers.fields()) res.set(k, v);
  res.keep_alive(false);
  res.body() = std::move(body.body);
  res.prepare_payload();
  std::ostringstream out;
  out << res;
  return out.str();
}

ConnectionSlots::Slot::~Slot() {
  if (owner_) owner_->in_use_.fetch_sub(1);
}

std::optional<ConnectionSlots::Slot> ConnectionSlots::acquire() {
  size_t n = in_use_.load();
  do {
    if (max_ != 0 && n >= max_) return std::nullopt;
  } while (!in_use_.compare_exchange_weak(n, n + 1));
  return Slot(shared_from_this());
}

}  // namespace shoal::http
