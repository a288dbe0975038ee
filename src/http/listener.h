// Where the HTTP server accepts connections: the seam between the server and transports.
//
// A Listener owns a bound, listening endpoint (a unix socket now; TCP and TCP+TLS later)
// and, once started, accepts connections on the server's io_context and hands each one to
// the server core as a Connection over its own stream type. The server core, the router
// and the handlers do not know the transport. Each listener counts its open connections
// against ConnectionLimits::max_connections (limits.h) and answers the ones past it 503.
//
// Life cycle: create (binds; errors are reported here, before the daemon reports ready)
// → Server::add_listener → Server::start → Server::stop closes it.
//
// Thread safety: start() and close() are called by the Server only, and close() may run
// concurrently with accepts in flight (it posts to the listener's executor).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace boost::asio {
class io_context;
}

namespace shoal::http {

class ServerCore;

class Listener {
 public:
  virtual ~Listener() = default;

  // "unix:///run/shoal/shoal.sock", for logs.
  virtual std::string address() const = 0;

  // Starts accepting on `io`, handing every connection to `core`. REQUIRES: called once,
  // `io` and `core` outlive close().
  virtual void start(boost::asio::io_context& io, ServerCore& core) = 0;

  // Stops accepting and releases the endpoint (a unix listener removes its socket file).
  // Idempotent.
  virtual void close() = 0;
};

}  // namespace shoal::http
