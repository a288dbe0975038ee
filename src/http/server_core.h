// Internal to src/http: what every transport's Connection shares with the Server.
//
// ServerCore holds the router, the worker pool, the server's options and the registry of
// live connections; prepare_request() is the transport-independent part of serving one
// request (routing, /vX.Y prefix, version check, 404). StreamChannel is the ResponseStream
// a streaming handler writes into, drained by its Connection.
//
// Listener implementations (unix now, TCP/TLS later) include this and connection.h; route
// modules and the daemon do not.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "http/server.h"
#include "http/worker_pool.h"

namespace shoal::http {

// What the core needs from a connection, whatever its transport.
class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  // Server stop: cancels the request in flight (its stop token), lets a response or stream
  // already being produced finish, then closes. Idle connections close at once.
  // Thread-safe (posts to the connection's strand).
  virtual void shutdown() = 0;
};

// The transport-independent outcome of a request head.
struct PreparedRequest {
  Request request;                // head filled in: method, target, path, api_version,
                                  // pattern, params, query, headers
  const Route* route = nullptr;   // nullptr: answer `early` without calling a handler
  std::optional<Response> early;  // 404 page not found / 400 bad version
  size_t max_body_bytes = 1u << 20;
};

// Routes one request head. Pure; safe from any thread.
//   unknown path or method          → early 404 {"message":"page not found"}
//   /vX.Y prefix out of range       → early 400 with moby's "too new"/"too old" text
//   otherwise                       → route set, request.api_version = X.Y or kApiVersion
PreparedRequest prepare_request(const Router& router, Method method, std::string_view target,
                                Headers headers);

// Runs a plain handler, turning an error Status into Docker's error response and an
// escaping exception into 500 (logged).
Response invoke_handler(const Route& route, Request& request);
// The answer to a routed plain request: the router's interceptor's, else the handler's.
Response serve_request(const Router& router, const Route& route, Request& request);
// One whole request served without a connection (a request another manager forwarded):
// routed, version-checked and answered as on a socket. A streaming route is refused (501).
Response serve_in_process(const Router& router, Method method, std::string_view target,
                          Headers headers, std::string body);

// Runs a streaming handler; an escaping exception becomes kInternal (logged).
Status invoke_stream_handler(const Route& route, Request& request, ResponseStream& stream);

// The headers every response carries (Api-Version, Ostype, Server, Docker-Experimental).
std::vector<std::pair<std::string, std::string>> common_headers(const ServerOptions& options);

class ServerCore {
 public:
  ServerCore(const Router& router, const ServerOptions& options);

  const Router& router() const { return router_; }
  const ServerOptions& options() const { return options_; }
  WorkerPool& workers() { return workers_; }
  const WorkerPool& workers() const { return workers_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }

  // Adds a live connection. Returns false when the server is stopping (close it).
  bool add_connection(ConnectionBase* connection, std::weak_ptr<ConnectionBase> handle);
  // Removes it (from its destructor).
  void remove_connection(ConnectionBase* connection);
  size_t connections() const;

  // Marks the server stopping and calls shutdown() on every live connection.
  void shutdown_connections();
  bool stopping() const;
  // Waits until no connection is live or `deadline`; true when none is.
  bool wait_no_connections(std::chrono::steady_clock::time_point deadline);

 private:
  const Router& router_;
  const ServerOptions& options_;
  const std::vector<std::pair<std::string, std::string>> headers_;
  WorkerPool workers_;

  mutable Mutex mu_;
  CondVar cv_;  // a connection was removed
  std::unordered_map<ConnectionBase*, std::weak_ptr<ConnectionBase>> live_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
};

// The ResponseStream handed to a StreamHandler, and the queue between that handler's
// worker thread and the connection that writes the bytes.
//
// Handler side (worker thread): begin(), write(), finish() once the handler returned.
// Connection side (its strand): next() to learn what to write, sent() after each data
// write, cancel() when the peer is gone or the server stops.
// Thread safety: all methods are safe from any thread (one mutex).
class StreamChannel final : public ResponseStream {
 public:
  static constexpr size_t kMaxUnsent = 1u << 20;

  // `wake` is called (from any thread, without the channel's lock held) when there is
  // something new for the connection; it must post to the connection's strand.
  StreamChannel(std::stop_source stop, std::function<void()> wake);

  bool begin(int status, Headers headers) override;
  bool write(std::string_view data) override;
  bool begun() const override;
  std::stop_token stop_token() const override { return stop_.get_token(); }

  // The handler returned `status`.
  void finish(Status status);

  struct Next {
    enum Kind {
      kNothing,  // nothing to write until the next wake
      kHead,     // write the head: status, headers (chunked)
      kData,     // write `data` as one chunk, then call sent(data.size())
      kEnd,      // write the last chunk: the response is complete
      kError,    // handler failed before the head: answer Response::error(status) instead
    } kind = kNothing;
    int status = 200;
    Headers headers;
    std::string data;
    Status error;
  };
  Next next();
  void sent(size_t bytes);
  void cancel();

 private:
  std::stop_source stop_;
  const std::function<void()> wake_;

  mutable Mutex mu_;
  std::condition_variable_any cv_;      // unsent bytes went down, or cancelled
  bool begun_ GUARDED_BY(mu_) = false;  // head requested
  bool head_taken_ GUARDED_BY(mu_) = false;
  int status_ GUARDED_BY(mu_) = 200;
  Headers headers_ GUARDED_BY(mu_);
  std::string queued_ GUARDED_BY(mu_);  // not yet handed to the connection
  size_t unsent_ GUARDED_BY(mu_) = 0;   // queued + being written
  bool finished_ GUARDED_BY(mu_) = false;
  Status final_status_ GUARDED_BY(mu_);
  bool end_taken_ GUARDED_BY(mu_) = false;
  bool cancelled_ GUARDED_BY(mu_) = false;
};

}  // namespace shoal::http
