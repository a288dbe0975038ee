// A minimal synchronous HTTP/1.1 client over a unix socket (Boost.Beast), for benchmarks
// that drive a running daemon the way the docker CLI does: one keep-alive connection,
// JSON in and out.
#pragma once

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>

namespace shoal::bench {

class UnixHttpClient {
 public:
  explicit UnixHttpClient(const std::string& socket_path) : socket_(io_) {
    socket_.connect(boost::asio::local::stream_protocol::endpoint(socket_path));
  }

  struct Reply {
    int status = 0;
    std::string body;
  };

  // Sends one request on the kept-alive connection and reads the whole reply.
  // Throws boost::system::system_error on transport errors.
  Reply request(boost::beast::http::verb verb, const std::string& target,
                const std::string& body = "") {
    namespace http = boost::beast::http;
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "api.moby.localhost");
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(socket_, req);
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 32);
    http::read(socket_, buffer, parser);
    return {static_cast<int>(parser.get().result_int()), parser.get().body()};
  }

  Reply get(const std::string& target) { return request(boost::beast::http::verb::get, target); }
  Reply post(const std::string& target, const std::string& body) {
    return request(boost::beast::http::verb::post, target, body);
  }

 private:
  boost::asio::io_context io_;
  boost::asio::local::stream_protocol::socket socket_;
};

}  // namespace shoal::bench
