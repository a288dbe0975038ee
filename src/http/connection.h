// Internal to src/http: one HTTP/1.1 connection over any Beast AsyncStream (a unix or TCP
// socket, or an SSL stream over one), created by a Listener for each accepted client.
//
// Per request, on the connection's strand: read the head (Beast parser) → prepare_request()
// (route, version) → read the body with the route's size limit (Content-Length or chunked)
// → run the handler on a worker thread → write the response (Content-Length) or drain the
// StreamChannel (chunked) → wait for the next request if keep-alive. While a handler runs,
// the socket is watched for readability: EOF there means the client went away, which fires
// the request's stop token and closes the connection.
//
// Bounds (limits.h): one timer per connection times the read it waits on (idle, header,
// body); none runs while a handler runs or a response is written. A head over its size
// limits gets 414/431, a timed-out read with part of a request 408; after such an error
// answer (and 413) the connection stops sending, discards what the client still sends for
// up to kLingerAfterError so the client can read the answer, then closes. The connection
// holds its listener's slot (ConnectionSlots) until it is destroyed.
//
// Server stop (shutdown()): an idle connection closes at once; one with a handler running
// fires its stop token, writes what the handler still produces (a stream ends with its
// last chunk) and then closes.
//
// Thread safety: all members are touched on the strand only; workers reach the connection
// by posting to it. The object lives as long as a pending operation or a worker holds it.
#pragma once

#include <spdlog/spdlog.h>
#include <strings.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>

#include "http/limits.h"
#include "http/server_core.h"

namespace shoal::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;

template <class AsyncStream>
class Connection final : public ConnectionBase,
                         public std::enable_shared_from_this<Connection<AsyncStream>> {
 public:
  // After an error answer to a request not read whole: how long the client may still send
  // (its bytes are discarded) before the close. Go's server waits 500 ms (rstAvoidanceDelay).
  static constexpr std::chrono::milliseconds kLingerAfterError{1000};

  // REQUIRES: `stream`'s executor is a strand; `core` outlives the connection. `slot`, when
  // given, is released when the connection is destroyed.
  Connection(AsyncStream stream, ServerCore& core,
             std::optional<ConnectionSlots::Slot> slot = std::nullopt)
      : stream_(std::move(stream)),
        core_(core),
        slot_(std::move(slot)),
        timer_(stream_.get_executor()) {}

  ~Connection() override { core_.remove_connection(this); }

  // Registers with the core and starts reading; closes at once when the server is stopping.
  void start() {
    auto self = this->shared_from_this();
    boost::asio::post(stream_.get_executor(), [self] {
      if (!self->core_.add_connection(self.get(), self)) {
        self->close();
        return;
      }
      self->read_header();
    });
  }

  void shutdown() override {
    boost::asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stopping_ = true;
      if (self->exchange_) {
        self->exchange_->stop.request_stop();  // the handler winds down; we send what it made
      } else if (!self->writing_) {
        self->close();
      }  // else on_written() closes after the response
    });
  }

 private:
  using Self = Connection<AsyncStream>;

  // One request being handled.
  struct Exchange {
    std::stop_source stop;
    std::shared_ptr<StreamChannel> channel;  // streaming handlers only
  };

  static std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

  const ConnectionLimits& limits() const { return core_.options().limits; }

  // Runs `on_expiry(*this)` on the strand after `after`, unless the timer is re-armed,
  // disarmed or the connection closed first.
  template <class F>
  void arm_timer(std::chrono::milliseconds after, F on_expiry) {
    timer_.expires_after(after);
    timer_.async_wait([self = this->shared_from_this(), gen = ++timer_gen_,
                       on_expiry = std::move(on_expiry)](beast::error_code ec) mutable {
      if (ec || self->closed_ || gen != self->timer_gen_) return;
      on_expiry(*self);
    });
  }

  void disarm_timer() {
    ++timer_gen_;
    timer_.cancel();
  }

  // Times the read `phase` (no timer when its timeout is disabled).
  void arm_read_timer(ReadPhase phase) {
    std::optional<std::chrono::milliseconds> after = read_timeout(phase, limits());
    if (!after) return disarm_timer();
    arm_timer(*after, [phase](Self& c) { c.on_read_timeout(phase); });
  }

  // Closes at once, or cancels the read so that its completion answers 408 and closes.
  void on_read_timeout(ReadPhase phase) {
    bool got_bytes = buffer_.size() > 0 || (head_parser_ && head_parser_->got_some());
    std::optional<Response> answer = timeout_response(phase, got_bytes, limits());
    spdlog::debug("http: {} timeout, closing the connection", phase == ReadPhase::kIdle ? "idle"
                                                              : phase == ReadPhase::kHeader
                                                                  ? "request head"
                                                                  : "request body");
    if (!answer) return close();
    timeout_answer_ = std::move(answer);
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).cancel(ignored);
  }

  // A kept-alive connection between requests: waits for the first byte of the next one
  // (idle timeout), then reads its head (header timeout from that byte on).
  void await_request() {
    if (closed_) return;
    if (stopping_) return close();
    if (buffer_.size() > 0) return read_header();  // pipelined: already here
    arm_read_timer(ReadPhase::kIdle);
    beast::get_lowest_layer(stream_).async_wait(
        asio::socket_base::wait_read, [self = this->shared_from_this()](beast::error_code ec) {
          if (self->closed_) return;
          if (ec) return self->close();
          self->read_header();
        });
  }

  // Answers `resp` to a request that was not (or cannot be) read whole, then closes after
  // discarding what the client still sends (linger_close).
  void answer_and_close(Response resp) {
    keep_alive_ = false;
    linger_ = true;
    body_parser_.reset();
    prepared_.reset();
    write_response(std::move(resp));
  }

  void read_header() {
    if (closed_) return;
    if (stopping_) return close();
    arm_read_timer(ReadPhase::kHeader);
    head_parser_.emplace();
    head_parser_->header_limit(static_cast<std::uint32_t>(limits().max_header_bytes));
    // The route's limit applies once the route is known. (Not boost::none: Beast 1.74
    // compares Content-Length against an empty optional and always fails.)
    head_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    bhttp::async_read_header(
        stream_, buffer_, *head_parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    disarm_timer();
    if (closed_) return;
    std::optional<Response> timed_out = std::exchange(timeout_answer_, std::nullopt);
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        std::string_view received(static_cast<const char*>(buffer_.data().data()), buffer_.size());
        HeadVerdict verdict = classify_oversized_head(received, limits());
        spdlog::debug("http: request head over its limit: {}", ec.message());
        head_parser_.reset();
        return answer_and_close(head_limit_response(verdict, limits()));
      }
      if (timed_out && ec == asio::error::operation_aborted) {
        head_parser_.reset();
        return answer_and_close(std::move(*timed_out));
      }
      if (ec != bhttp::error::end_of_stream && ec != asio::error::operation_aborted &&
          ec != asio::error::connection_reset) {
        spdlog::debug("http: bad request head: {}", ec.message());
        if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
          head_parser_.reset();
          return answer_and_close(Response::error(400, "bad request: " + ec.message()));
        }
      }
      return close();
    }
    auto& msg = head_parser_->get();
    if (HeadVerdict v = check_target(msg.target().size(), limits()); v != HeadVerdict::kOk) {
      head_parser_.reset();
      return answer_and_close(head_limit_response(v, limits()));
    }
    Headers headers;
    for (const auto& f : msg) headers.add(sv(f.name_string()), sv(f.value()));
    keep_alive_ = msg.keep_alive();
    Method method = parse_method(sv(msg.method_string()));
    is_head_ = method == Method::kHead;
    prepared_.emplace(
        prepare_request(core_.router(), method, sv(msg.target()), std::move(headers)));
    bool expect_continue =
        strcasecmp(std::string(sv(msg[bhttp::field::expect])).c_str(), "100-continue") == 0;
    body_parser_.emplace(std::move(*head_parser_));
    head_parser_.reset();
    body_parser_->body_limit(prepared_->max_body_bytes);
    if (auto length = body_parser_->content_length();
        length && *length > prepared_->max_body_bytes) {
      return on_body(bhttp::error::body_limit);  // answer now, not after the body arrived
    }
    if (body_parser_->is_done()) return on_body({});
    if (expect_continue) {
      auto cont =
          std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      writing_ = true;
      return bhttp::async_write(
          stream_, *cont, [self = this->shared_from_this(), cont](beast::error_code ec, size_t) {
            self->writing_ = false;
            if (ec || self->closed_) return self->close();
            self->read_body();
          });
    }
    read_body();
  }

  // Reads the body piece by piece: the body timeout starts again with every piece.
  void read_body() {
    arm_read_timer(ReadPhase::kBody);
    bhttp::async_read_some(stream_, buffer_, *body_parser_,
                           [self = this->shared_from_this()](beast::error_code ec, size_t) {
                             if (self->closed_) return;
                             if (!ec && !self->body_parser_->is_done()) return self->read_body();
                             self->on_body(ec);
                           });
  }

  void on_body(beast::error_code ec) {
    disarm_timer();
    if (closed_) return;
    std::optional<Response> timed_out = std::exchange(timeout_answer_, std::nullopt);
    if (ec == bhttp::error::body_limit) {
      size_t limit = prepared_->max_body_bytes;
      return answer_and_close(
          Response::error(413, fmt::format("request body larger than {} bytes", limit)));
    }
    if (timed_out && ec == asio::error::operation_aborted) {
      return answer_and_close(std::move(*timed_out));
    }
    if (ec) {
      spdlog::debug("http: reading request body: {}", ec.message());
      return close();
    }
    prepared_->request.body = std::move(body_parser_->get().body());
    body_parser_.reset();
    if (prepared_->early) {
      Response early = std::move(*prepared_->early);
      prepared_.reset();
      return write_response(std::move(early));
    }
    dispatch();
  }

  void dispatch() {
    auto self = this->shared_from_this();
    auto ex = std::make_shared<Exchange>();
    const Route* route = prepared_->route;
    Request req = std::move(prepared_->request);
    prepared_.reset();
    req.stop = ex->stop.get_token();
    if (route->is_stream()) {
      std::weak_ptr<Self> weak = self;
      ex->channel = std::make_shared<StreamChannel>(ex->stop, [weak] {
        if (auto c = weak.lock()) {
          asio::post(c->stream_.get_executor(), [c] { c->flush_stream(); });
        }
      });
    }
    exchange_ = ex;
    if (stopping_) ex->stop.request_stop();
    arm_watch();
    bool submitted = core_.workers().submit([self, ex, route, req = std::move(req)]() mutable {
      if (ex->channel) {
        ex->channel->finish(invoke_stream_handler(*route, req, *ex->channel));
        return;
      }
      Response resp = serve_request(self->core_.router(), *route, req);
      asio::post(self->stream_.get_executor(), [self, ex, resp = std::move(resp)]() mutable {
        self->on_handler_done(ex, std::move(resp));
      });
    });
    if (!submitted) {
      exchange_.reset();
      keep_alive_ = false;
      write_response(Response::error(503, "the server is shutting down"));
    }
  }

  void on_handler_done(const std::shared_ptr<Exchange>& ex, Response resp) {
    if (closed_ || ex != exchange_) return;
    exchange_.reset();
    write_response(std::move(resp));
  }

  // Common headers first, unless the handler set the same name; then the handler's.
  template <class Message>
  void set_headers(Message& m, const Headers& handler_headers) {
    for (const auto& [k, v] : core_.headers()) {
      if (!handler_headers.has(k)) m.set(k, v);
    }
    for (const auto& [k, v] : handler_headers.fields()) m.insert(k, v);
  }

  void write_response(Response resp) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(resp.status));
    set_headers(*res, resp.headers);
    res->keep_alive(keep_alive_ && !stopping_);
    if (is_head_) {
      // A HEAD answer announces the length it would have (or what the handler says).
      if (!resp.headers.has("Content-Length")) res->content_length(resp.body.size());
    } else {
      res->body() = std::move(resp.body);
      res->prepare_payload();
    }
    writing_ = true;
    bhttp::async_write(stream_, *res,
                       [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
                         self->on_written(ec, res->keep_alive());
                       });
  }

  void on_written(beast::error_code ec, bool keep_alive) {
    writing_ = false;
    if (!ec && linger_) return linger_close();
    if (ec || !keep_alive || stopping_) return close();
    await_request();
  }

  // Stops sending, discards what the client still sends until it closes or
  // kLingerAfterError passed, then closes: closing with its request unread could reset the
  // connection before the client has read the answer.
  void linger_close() {
    if (closed_) return;
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).shutdown(asio::socket_base::shutdown_send, ignored);
    arm_timer(kLingerAfterError, [](Self& c) { c.close(); });
    buffer_.clear();
    discard();
  }

  void discard() {
    if (!discard_) discard_ = std::make_unique<std::array<char, 16384>>();
    stream_.async_read_some(asio::buffer(*discard_),
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              if (self->closed_) return;
                              if (ec) return self->close();
                              self->discard();
                            });
  }

  // Writes whatever the streaming handler has produced; called on every wake.
  void flush_stream() {
    if (closed_ || writing_ || !exchange_ || !exchange_->channel) return;
    std::shared_ptr<StreamChannel> ch = exchange_->channel;
    StreamChannel::Next next = ch->next();
    auto self = this->shared_from_this();
    switch (next.kind) {
      case StreamChannel::Next::kNothing:
        return;
      case StreamChannel::Next::kError:
        exchange_.reset();
        return write_response(Response::error(next.error));
      case StreamChannel::Next::kHead: {
        stream_head_.emplace();
        stream_head_->version(11);
        stream_head_->result(static_cast<unsigned>(next.status));
        set_headers(*stream_head_, next.headers);
        stream_head_->keep_alive(keep_alive_);
        stream_head_->chunked(true);
        stream_sr_.emplace(*stream_head_);
        writing_ = true;
        return bhttp::async_write_header(stream_, *stream_sr_,
                                         [self](beast::error_code ec, size_t) {
                                           self->writing_ = false;
                                           if (ec) return self->close();
                                           self->flush_stream();
                                         });
      }
      case StreamChannel::Next::kData:
        out_ = std::move(next.data);
        writing_ = true;
        return asio::async_write(stream_, bhttp::make_chunk(asio::buffer(out_)),
                                 [self, ch](beast::error_code ec, size_t) {
                                   self->writing_ = false;
                                   ch->sent(self->out_.size());
                                   self->out_.clear();
                                   if (ec) return self->close();
                                   self->flush_stream();
                                 });
      case StreamChannel::Next::kEnd:
        if (!next.error.is_ok()) {
          spdlog::warn("http: stream ended with an error after its head was sent: {}",
                       next.error.to_string());
        }
        writing_ = true;
        return asio::async_write(stream_, bhttp::make_chunk_last(),
                                 [self](beast::error_code ec, size_t) {
                                   self->writing_ = false;
                                   self->exchange_.reset();
                                   self->stream_sr_.reset();
                                   self->stream_head_.reset();
                                   if (ec || !self->keep_alive_ || self->stopping_) {
                                     return self->close();
                                   }
                                   self->await_request();
                                 });
    }
  }

  // Watches the socket while a handler runs: readable with EOF means the client left.
  void arm_watch() {
    if (watching_ || closed_) return;
    watching_ = true;
    beast::get_lowest_layer(stream_).async_wait(
        asio::socket_base::wait_read,
        [self = this->shared_from_this()](beast::error_code ec) { self->on_readable(ec); });
  }

  void on_readable(beast::error_code ec) {
    watching_ = false;
    if (closed_ || ec == asio::error::operation_aborted || !exchange_) return;
    if (ec) return peer_gone();
    char c;
    ssize_t n =
        ::recv(beast::get_lowest_layer(stream_).native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return peer_gone();
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return arm_watch();
      return peer_gone();
    }
    // More bytes (a pipelined request): the client is still there; read them later.
  }

  void peer_gone() {
    spdlog::debug("http: client went away during a request");
    close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    if (exchange_) {
      exchange_->stop.request_stop();
      if (exchange_->channel) exchange_->channel->cancel();
    }
    disarm_timer();  // the pending wait no longer keeps the connection alive
    beast::error_code ignored;
    auto& sock = beast::get_lowest_layer(stream_);
    sock.shutdown(asio::socket_base::shutdown_both, ignored);
    sock.close(ignored);
  }

  AsyncStream stream_;
  ServerCore& core_;
  std::optional<ConnectionSlots::Slot> slot_;         // this connection's place under the limit
  asio::steady_timer timer_;                          // the read (or linger) being timed
  uint64_t timer_gen_ = 0;                            // bumped by every arm and disarm
  std::optional<Response> timeout_answer_;            // a read timed out: answer this, then close
  std::unique_ptr<std::array<char, 16384>> discard_;  // linger_close() reads into it
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> head_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> body_parser_;
  std::optional<PreparedRequest> prepared_;
  std::shared_ptr<Exchange> exchange_;  // the request whose handler runs or streams
  std::optional<bhttp::response<bhttp::empty_body>> stream_head_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> stream_sr_;
  std::string out_;  // the chunk being written
  bool keep_alive_ = true;
  bool linger_ = false;  // close through linger_close() after the response
  bool is_head_ = false;
  bool writing_ = false;
  bool watching_ = false;
  bool stopping_ = false;
  bool closed_ = false;
};

}  // namespace shoal::http
