// The response side of shoal's HTTP handler contract, and the two handler shapes.
//
// A plain Handler turns a Request into a Response (or an error Status, which the server
// turns into Docker's error shape). A StreamHandler writes its body over time through a
// ResponseStream, e.g. `service logs -f` or `events`, for as long as it likes.
//
// Docker's error shape, which the docker CLI depends on: body `{"message":"..."}` with the
// header Content-Type exactly `application/json` (no charset), status http_status(code).
//
// The server adds to every response: Api-Version, Ostype, Server, Docker-Experimental, and
// the framing headers (Content-Length, or Transfer-Encoding: chunked for streams).
//
// Thread safety: Response is a value. A ResponseStream is used by the one handler call it
// is given to (from that handler's thread); the server drains it on its I/O threads.
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <stop_token>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/request.h"

namespace shoal::http {

inline constexpr std::string_view kContentTypeJson = "application/json";
inline constexpr std::string_view kContentTypeText = "text/plain; charset=utf-8";

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // `value` serialized as JSON, followed by "\n" as Go's json.Encoder writes it;
  // Content-Type: application/json.
  static Response json(int status, const nlohmann::json& value);
  // A body that already is JSON text (written as is); Content-Type: application/json.
  static Response json_text(int status, std::string body);
  // {"message": status.message()} with status http_status(status.code()).
  // REQUIRES: !status.is_ok().
  static Response error(const Status& status);
  // {"message": message} with the given HTTP status.
  static Response error(int http_status, std::string_view message);
  // A text body, Content-Type text/plain; charset=utf-8.
  static Response text(int status, std::string body);
  // No body (Content-Length: 0) and no Content-Type, e.g. 200 after DELETE /services/{id}
  // or 204.
  static Response empty(int status);
};

// The body of a streaming response, written by a StreamHandler. The response is sent with
// `Transfer-Encoding: chunked` (what Go's net/http does for moby's flushed log and event
// streams); each write() goes out promptly, so a log line reaches the client at once.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;

  // Sends the status line and `headers` (e.g. Content-Type). At most once, before the
  // first write(); write() sends status 200 with no extra headers if begin() was not
  // called. Returns false (and sends nothing) when the client has gone away or the server
  // is stopping.
  virtual bool begin(int status, Headers headers) = 0;

  // Queues `data` to be sent as the next piece of the body. Blocks while more than a
  // bounded amount (1 MiB) is queued and unsent, so a slow reader slows the writer down
  // instead of growing memory. Returns true once queued; false when the client has gone
  // away or the server is stopping (nothing more will be sent: return soon).
  virtual bool write(std::string_view data) = 0;

  // True once begin() (or the first write()) has sent the head.
  virtual bool begun() const = 0;

  // Requested when the client has gone away or the server is stopping. Wait on it (e.g.
  // std::condition_variable_any::wait(lock, token, pred)) rather than polling.
  virtual std::stop_token stop_token() const = 0;
};

// A plain handler. Runs on a worker thread and may block (store transactions, fsync);
// other connections are served meanwhile. An error Status becomes Response::error(status).
// Exceptions are caught by the server and answered as 500; do not rely on it.
using Handler = std::function<Result<Response>(Request&)>;

// A streaming handler. Runs on its own worker thread for as long as it streams (hours,
// with follow=1). Validate the request first and return an error Status *before* the
// first begin()/write(): then the client gets the proper status and error body, as moby
// does. Once the head has been sent an error can no longer change the status: the server
// logs it and ends the body. Returning OK ends the body (the last chunk is sent and the
// connection is kept alive for the next request). REQUIRES: return soon after
// stream.stop_token() is requested.
using StreamHandler = std::function<Status(Request&, ResponseStream&)>;

}  // namespace shoal::http
