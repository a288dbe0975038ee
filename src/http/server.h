// shoal's HTTP/1.1 server: Docker Engine API transport rules (docker-cli-api.md §1, §2).
//
// Serves the routes of one Router on any number of Listeners (a unix socket now; TCP+TLS
// later). Keep-alive, Content-Length and chunked request bodies (Beast's parser),
// Expect: 100-continue, pipelined requests in order, many connections at once, streaming
// responses (chunked) that last as long as their handler wants.
//
// Bounds (limits.h): header, idle and body read timeouts (none while a handler runs or a
// response is written), at most `max_connections` per listener (past it: 503 and close),
// and a request head over its limits answered 414 or 431, then closed.
//
// Threading model, and why:
//   * I/O: one io_context run by `io_threads` threads (default 2). All socket reads and
//     writes are asynchronous (Beast); each connection is bound to a strand, so its state
//     needs no lock. I/O threads never run handler code, so they never block.
//   * Handlers: every request's handler runs on a WorkerPool thread, which may block as
//     long as it needs (a store transaction that fsyncs, a log stream that follows for
//     hours). The pool grows on demand (an idle thread or a new one for every call, up to
//     `max_workers`) and shrinks when idle, because a fixed pool would let N long streams
//     starve every other request — the docker CLI opens new connections while a
//     `service logs -f` stream is open and waits on them. Per-connection threads were the
//     alternative; they would tie a thread to every idle keep-alive connection and need a
//     second thread per stream to notice a client that went away.
//   * A client that closes its connection while its handler runs is noticed by the I/O
//     side (the socket turns readable at EOF) and signalled through Request::stop /
//     ResponseStream::stop_token(); stream writes then return false.
//
// Every response carries Api-Version, Ostype, Server: shoal/<version> (linux) and
// Docker-Experimental. Errors use Docker's shape {"message":"..."} with Content-Type
// exactly application/json; unknown paths (and known paths with another method) → 404
// {"message":"page not found"}; a /vX.Y prefix above 1.41 or below 1.12 → 400 with
// moby's text; paths without a prefix are served at 1.41.
//
// Thread safety: add_listener() and start() from one thread before serving; stop() from
// any thread except a handler, and more than once.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "http/limits.h"
#include "http/listener.h"
#include "http/router.h"

namespace shoal::http {

class ServerCore;
struct IoRuntime;

struct ServerOptions {
  std::string version;  // shoal's version, for "Server: shoal/<version> (linux)"
  size_t io_threads = 2;
  size_t max_workers = 512;
  std::chrono::milliseconds worker_idle_timeout{30'000};
  // Timeouts, connections per listener, request head sizes (limits.h).
  ConnectionLimits limits{};
  // How long stop() lets responses already produced reach their clients.
  std::chrono::milliseconds stop_grace{300};
};

class Server {
 public:
  Server(std::unique_ptr<Router> router, ServerOptions options);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Adds an endpoint to serve. REQUIRES: before start().
  void add_listener(std::unique_ptr<Listener> listener);

  // Starts the I/O threads and every listener. OK, or kInternal when a thread cannot be
  // created (nothing is left running then). REQUIRES: called once, at least one listener.
  Status start();

  // Stops accepting (unix listeners remove their socket files), cancels every request in
  // flight through its stop token, waits for every handler to return, gives responses
  // already produced `stop_grace` to go out, closes every connection and joins every
  // thread. Idempotent. REQUIRES: handlers return soon after their stop token fires.
  void stop();

  size_t connections() const;  // live connections, for tests and metrics
  size_t worker_threads() const;

 private:
  const std::unique_ptr<Router> router_;
  const ServerOptions options_;
  // Destroyed in reverse order: listeners (their acceptors use io_), then io_ (its pending
  // handlers own connections, which unregister from core_), then core_.
  std::unique_ptr<ServerCore> core_;
  std::unique_ptr<IoRuntime> io_;  // io_context, work guard, I/O threads
  std::vector<std::unique_ptr<Listener>> listeners_;

  Mutex stop_mu_;  // serialises stop()
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace shoal::http
