// A minimal HTTP/1.1 client on a unix socket for the server tests: raw bytes out, Beast's
// parser for whole responses in, raw reads for streams. Blocking, with timeouts.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstring>
#include <string>

namespace shoal::http::testing {

class TestClient {
 public:
  explicit TestClient(const std::string& path) : socket_(io_) {
    socket_.connect(boost::asio::local::stream_protocol::endpoint(path));
    set_timeout(std::chrono::seconds(10));
  }

  void set_timeout(std::chrono::milliseconds t) {
    timeval tv{static_cast<time_t>(t.count() / 1000),
               static_cast<suseconds_t>((t.count() % 1000) * 1000)};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }

  void send(const std::string& raw) { boost::asio::write(socket_, boost::asio::buffer(raw)); }

  // Reads one whole response (Content-Length or chunked). Throws on error or timeout.
  boost::beast::http::response<boost::beast::http::string_body> read_response(bool head = false) {
    boost::beast::http::response_parser<boost::beast::http::string_body> parser;
    parser.body_limit(64u << 20);
    parser.skip(head);
    boost::beast::http::read(socket_, buffer_, parser);
    return parser.release();
  }

  auto request(const std::string& method, const std::string& target, const std::string& body = "",
               const std::string& extra_headers = "") {
    std::string raw =
        method + " " + target + " HTTP/1.1\r\nHost: api.moby.localhost\r\n" + extra_headers;
    if (!body.empty()) raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    raw += "\r\n" + body;
    send(raw);
    return read_response(method == "HEAD");
  }

  // Raw bytes until `needle` has been seen (after what Beast already buffered), or timeout.
  // Returns everything read; check it contains `needle`.
  std::string read_until(const std::string& needle) {
    std::string got = boost::beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    char buf[4096];
    while (got.find(needle) == std::string::npos) {
      ssize_t n = ::recv(socket_.native_handle(), buf, sizeof(buf), 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }

  // Waits (up to the read timeout) until the server has sent something, without reading it.
  bool wait_readable() {
    char c;
    return ::recv(socket_.native_handle(), &c, 1, MSG_PEEK) > 0;
  }

  // True once the server has closed the connection (reads drained until EOF).
  bool read_until_eof(std::string* rest = nullptr) {
    char buf[4096];
    while (true) {
      ssize_t n = ::recv(socket_.native_handle(), buf, sizeof(buf), 0);
      if (n == 0) return true;
      if (n < 0) return false;
      if (rest) rest->append(buf, static_cast<size_t>(n));
    }
  }

  void close() {
    boost::system::error_code ec;
    socket_.shutdown(boost::asio::socket_base::shutdown_both, ec);
    socket_.close(ec);
  }

 private:
  boost::asio::io_context io_;
  boost::asio::local::stream_protocol::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace shoal::http::testing
