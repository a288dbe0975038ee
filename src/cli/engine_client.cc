#include "cli/engine_client.h"

#include "runtime/image/http_fetch.h"

namespace shoal::cli {

Result<nlohmann::json> engine_call(const std::string& socket, const std::string& method,
                                   const std::string& path,
                                   const std::optional<nlohmann::json>& body) {
  runtime::image::HttpRequest req;
  req.method = method;
  req.url = "http://localhost/v1.41" + path;
  req.unix_socket = socket.starts_with("unix://") ? socket.substr(7) : socket;
  req.stall_timeout = std::chrono::seconds(120);
  if (body) {
    req.body = body->dump();
    req.headers.push_back("Content-Type: application/json");
  }
  auto r = runtime::image::http_fetch(req);
  if (!r.is_ok()) {
    return error(Code::kUnavailable, "cannot reach the daemon at unix://{}", req.unix_socket);
  }
  nlohmann::json answer =
      r->body.empty() ? nlohmann::json() : nlohmann::json::parse(r->body, nullptr, false);
  if (r->status < 400) {
    if (answer.is_discarded()) answer = r->body;  // some calls answer plain text
    return answer;
  }
  std::string message = answer.is_object() && answer.contains("message")
                            ? answer["message"].get<std::string>()
                            : r->body;
  Code code = r->status == 404   ? Code::kNotFound
              : r->status == 409 ? Code::kAlreadyExists
              : r->status == 503 ? Code::kUnavailable
              : r->status < 500  ? Code::kFailedPrecondition
                                 : Code::kInternal;
  return Status(code, message);
}

}  // namespace shoal::cli
