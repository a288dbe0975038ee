#include "http/response.h"

#include <nlohmann/json.hpp>

namespace shoal::http {

Response Response::json(int status, const nlohmann::json& value) {
  // Invalid UTF-8 in a string would make dump() throw; replace it as Go does (U+FFFD).
  std::string body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  body.push_back('\n');
  return json_text(status, std::move(body));
}

Response Response::json_text(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", kContentTypeJson);
  r.body = std::move(body);
  return r;
}

Response Response::error(const Status& status) {
  assert(!status.is_ok());
  return error(http_status(status.code()), status.message());
}

Response Response::error(int http_status, std::string_view message) {
  return json(http_status, nlohmann::json{{"message", message}});
}

Response Response::text(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", kContentTypeText);
  r.body = std::move(body);
  return r;
}

Response Response::empty(int status) {
  Response r;
  r.status = status;
  return r;
}

}  // namespace shoal::http
