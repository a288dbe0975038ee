// Internal to src/http: one HTTP/1.1 connection over any Beast AsyncStream (a unix or TCP
// socket, or an SSL stream over one), created by a Listener for each accepted client.
//
// Per request, on the connection's strand: read the head (Beast parser) → prepare_request()
// (route, version) → read the body with the route's size limit (Content-Length or chunked)
// → run the handler on a worker thread → write the response (Content-Length) or drain the
// StreamChannel (chunked) → next request if keep-alive. While a handler runs, the socket is
// watched for readability: EOF there means the client went away, which fires the request's
// stop token and closes the connection.
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

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>

#include "http/server_core.h"

namespace shoal::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;

template <class AsyncStream>
class Connection final : public ConnectionBase,
                         public std::enable_shared_from_this<Connection<AsyncStream>> {
 public:
  // REQUIRES: `stream`'s executor is a strand; `core` outlives the connection.
  Connection(AsyncStream stream, ServerCore& core) : stream_(std::move(stream)), core_(core) {}

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

  void read_header() {
    if (closed_) return;
    if (stopping_) return close();
    head_parser_.emplace();
    head_parser_->header_limit(static_cast<std::uint32_t>(core_.options().max_header_bytes));
    // The route's limit applies once the route is known. (Not boost::none: Beast 1.74
    // compares Content-Length against an empty optional and always fails.)
    head_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    bhttp::async_read_header(
        stream_, buffer_, *head_parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (closed_) return;
    if (ec) {
      if (ec != bhttp::error::end_of_stream && ec != asio::error::operation_aborted &&
          ec != asio::error::connection_reset) {
        spdlog::debug("http: bad request head: {}", ec.message());
        if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
          keep_alive_ = false;
          return write_response(Response::error(400, "bad request: " + ec.message()));
        }
      }
      return close();
    }
    auto& msg = head_parser_->get();
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

  void read_body() {
    bhttp::async_read(
        stream_, buffer_, *body_parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_body(ec); });
  }

  void on_body(beast::error_code ec) {
    if (closed_) return;
    if (ec == bhttp::error::body_limit) {
      keep_alive_ = false;
      size_t limit = prepared_->max_body_bytes;
      prepared_.reset();
      body_parser_.reset();
      return write_response(
          Response::error(413, fmt::format("request body larger than {} bytes", limit)));
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
      Response resp = invoke_handler(*route, req);
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
    if (ec || !keep_alive || stopping_) return close();
    read_header();
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
                                   self->read_header();
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
    beast::error_code ignored;
    auto& sock = beast::get_lowest_layer(stream_);
    sock.shutdown(asio::socket_base::shutdown_both, ignored);
    sock.close(ignored);
  }

  AsyncStream stream_;
  ServerCore& core_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> head_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> body_parser_;
  std::optional<PreparedRequest> prepared_;
  std::shared_ptr<Exchange> exchange_;  // the request whose handler runs or streams
  std::optional<bhttp::response<bhttp::empty_body>> stream_head_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> stream_sr_;
  std::string out_;  // the chunk being written
  bool keep_alive_ = true;
  bool is_head_ = false;
  bool writing_ = false;
  bool watching_ = false;
  bool stopping_ = false;
  bool closed_ = false;
};

}  // namespace shoal::http
