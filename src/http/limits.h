// How long and how many: the HTTP server's bounds on connections and request heads.
//
// No connection lives forever unless it is serving a response: every read a connection
// waits on has a timeout, each listener serves a bounded number of connections, and a
// request head (request line + header fields) has a size limit answered with a proper
// HTTP error in Docker's {"message": ...} shape. This file holds the numbers (defaults and
// why) and the pure decisions; Connection (connection.h) and the listeners apply them.
//
// The read phases of a connection, and the timeout of each:
//   * header: from accept, or on a kept-alive connection from the first byte of the next
//     request, until the whole head has arrived (a slowloris client trickling header bytes
//     is cut here). Expiry with nothing received closes quietly; with part of a head, 408.
//   * idle: a kept-alive connection between the end of a response and the first byte of
//     the next request. Expiry closes quietly (nothing was asked, nothing is answered),
//     which is how every keep-alive connection ends.
//   * body: the longest a request body may go without a byte arriving (measured per read,
//     not for the whole body: POST /images/load bodies of gigabytes may take long, but not
//     stall). Expiry answers 408.
// While a handler runs and while a response (plain or streamed) is written no timeout
// applies: `docker service logs --follow` streams for hours, and a handler that blocks
// notices a client that went away through its stop token instead.
//
// Thread safety: ConnectionLimits is a value; the functions are pure; ConnectionSlots is
// safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/response.h"

namespace shoal::http {

// Defaults, and why.
//
// moby's API server sets only ReadHeaderTimeout (5 minutes, to satisfy a linter) and leaves
// Go's IdleTimeout and ReadTimeout at zero: a kept-alive connection can idle forever and a
// body can stall forever. shoal bounds all three, closer to nginx's defaults
// (client_header_timeout and client_body_timeout 60 s, keepalive_timeout 75 s):
//   * header 30 s: the docker CLI writes a whole head in one write right after it connects;
//     30 s leaves room for slow remote links and still frees a slowloris slot quickly.
//   * idle 120 s: longer than the 90 s IdleConnTimeout of Go's default HTTP transport, so a
//     client built on it normally drops its idle connection before the server does and
//     never races a new request against the server's close. (The docker CLI's transport
//     sets none, but a CLI process lives for one command.)
//   * body 60 s without a byte: as nginx's client_body_timeout.
inline constexpr std::chrono::milliseconds kDefaultHeaderTimeout{30'000};
inline constexpr std::chrono::milliseconds kDefaultIdleTimeout{120'000};
inline constexpr std::chrono::milliseconds kDefaultBodyTimeout{60'000};
// Open connections per listener. Each costs a file descriptor and a few KiB; 4096 is far
// above what many docker CLIs at once use (one or two each, plus one per `logs -f`) and
// keeps a flood of connections from exhausting the daemon's descriptors.
inline constexpr size_t kDefaultMaxConnections = 4096;
// The request head: Go's http.DefaultMaxHeaderBytes (1 MiB), which counts the request line
// too, so a head moby reads shoal reads. Over it: 431, as Go answers.
inline constexpr size_t kDefaultMaxHeaderBytes = size_t{1} << 20;
// The request target. Go has no limit of its own (only the 1 MiB head). The largest
// targets the docker CLI sends are `filters` listing IDs (about 40 bytes each once
// encoded): 256 KiB holds over 6,000 of them, and RFC 9112 asks for at least 8,000 bytes.
// Over it: 414.
inline constexpr size_t kDefaultMaxTargetBytes = size_t{256} << 10;

struct ConnectionLimits {
  // The phase timeouts described above; zero disables one.
  std::chrono::milliseconds header_timeout = kDefaultHeaderTimeout;
  std::chrono::milliseconds idle_timeout = kDefaultIdleTimeout;
  std::chrono::milliseconds body_timeout = kDefaultBodyTimeout;
  // Per listener; zero means no limit. Past it a new connection is accepted, answered 503
  // {"message": ...} at once without reading its request, and closed; open connections
  // are not affected.
  size_t max_connections = kDefaultMaxConnections;
  size_t max_target_bytes = kDefaultMaxTargetBytes;  // request-target as sent
  size_t max_header_bytes = kDefaultMaxHeaderBytes;  // request line + header fields
};

// What a connection waits for.
enum class ReadPhase { kIdle, kHeader, kBody };

// The timeout of `phase`, or nullopt when that timeout is disabled (zero).
std::optional<std::chrono::milliseconds> read_timeout(ReadPhase phase,
                                                      const ConnectionLimits& limits);

// The answer when `phase` timed out, before the connection closes; nullopt: close without
// one. `got_bytes`: part of a request head had arrived (header phase only).
//   idle, or header with nothing received → nullopt
//   header with part of a head            → 408 "timed out reading the request head ..."
//   body                                  → 408 "timed out reading the request body ..."
std::optional<Response> timeout_response(ReadPhase phase, bool got_bytes,
                                         const ConnectionLimits& limits);

// Whether a request head is within the size limits.
enum class HeadVerdict { kOk, kUriTooLong, kHeaderTooLarge };

// A parsed head whose request-target is `target_bytes` long: kUriTooLong past
// max_target_bytes, else kOk.
HeadVerdict check_target(size_t target_bytes, const ConnectionLimits& limits);

// A head the parser refused as longer than max_header_bytes; `received` is what arrived of
// it (from the request line on). kUriTooLong when the request-target alone, as far as it
// arrived, is past max_target_bytes (also when its request line has not ended yet);
// kHeaderTooLarge otherwise.
HeadVerdict classify_oversized_head(std::string_view received, const ConnectionLimits& limits);

// The answer to a head over a limit (REQUIRES: verdict != kOk), in Docker's error shape:
//   kUriTooLong      → 414 {"message":"request URI too long: ... over N bytes"}
//   kHeaderTooLarge  → 431 {"message":"request header fields too large: ... over N bytes"}
Response head_limit_response(HeadVerdict verdict, const ConnectionLimits& limits);

// The whole HTTP/1.1 503 answer (status line, `headers`, Connection: close, JSON body) a
// listener writes to a connection it refuses because `max_connections` are open.
std::string refusal_response(const std::vector<std::pair<std::string, std::string>>& headers,
                             size_t max_connections);

// Counts one listener's open connections against its limit.
class ConnectionSlots : public std::enable_shared_from_this<ConnectionSlots> {
 public:
  // Held by a connection for its whole life; gives its slot back when destroyed.
  class Slot {
   public:
    Slot(Slot&& other) noexcept : owner_(std::move(other.owner_)) {}
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    ~Slot();

   private:
    friend class ConnectionSlots;
    explicit Slot(std::shared_ptr<ConnectionSlots> owner) : owner_(std::move(owner)) {}
    std::shared_ptr<ConnectionSlots> owner_;
  };

  // `max` zero: no limit. REQUIRES: owned by a shared_ptr (slots keep it alive).
  explicit ConnectionSlots(size_t max) : max_(max) {}

  // A slot, or nullopt when `max` are held.
  std::optional<Slot> acquire();
  size_t in_use() const { return in_use_.load(); }
  size_t max() const { return max_; }

 private:
  const size_t max_;
  std::atomic<size_t> in_use_{0};
};

}  // namespace shoal::http
