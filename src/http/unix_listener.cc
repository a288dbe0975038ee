#include "http/unix_listener.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "http/connection.h"
#include "http/limits.h"

namespace shoal::http {
namespace {

using Socket = asio::local::stream_protocol::socket;

Status sys_error(std::string_view what, const std::string& path) {
  return error(Code::kInternal, "{} {}: {}", what, path, std::strerror(errno));
}

// A refused connection closes in two steps: once its 503 is sent, the sending side is shut
// and whatever the client still writes (its request may be arriving) is read and dropped
// until it closes or kLingerTimeout passes. Closed at once instead, a client that writes its
// request after the answer was sent fails the write (EPIPE) and never reads the answer.
// At most kMaxLingering refused connections linger at once; past that they close at once.
constexpr auto kLingerTimeout = std::chrono::seconds(1);
constexpr size_t kMaxLingering = 64;

class LingeringClose : public std::enable_shared_from_this<LingeringClose> {
 public:
  // `socket` has had its answer; `slot` is one of the listener's lingering places, held
  // until this is gone.
  LingeringClose(Socket socket, ConnectionSlots::Slot slot)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), slot_(std::move(slot)) {}

  void start() {
    beast::error_code ignored;
    socket_.shutdown(asio::socket_base::shutdown_send, ignored);
    timer_.expires_after(kLingerTimeout);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: the client closed first
      beast::error_code ignored;
      self->socket_.close(ignored);  // ends the pending read
    });
    read();
  }

 private:
  void read() {
    socket_.async_read_some(asio::buffer(drop_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (!ec) return self->read();
                              self->timer_.cancel();
                              beast::error_code ignored;
                              self->socket_.close(ignored);
                            });
  }

  Socket socket_;  // its executor is a strand: the read and the timer never run at once
  asio::steady_timer timer_;
  const ConnectionSlots::Slot slot_;
  std::array<char, 4096> drop_{};
};

}  // namespace

struct UnixListener::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, ServerCore& core)
      : io(io),
        core(core),
        strand(asio::make_strand(io)),
        acceptor(strand),
        retry(strand),
        slots(std::make_shared<ConnectionSlots>(core.options().limits.max_connections)),
        refusal(refusal_response(core.headers(), core.options().limits.max_connections)) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(io),
                          [self = shared_from_this()](beast::error_code ec, Socket socket) {
                            self->on_accept(ec, std::move(socket));
                          });
  }

  void on_accept(beast::error_code ec, Socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // E.g. EMFILE: back off instead of spinning, then try again.
      spdlog::warn("http: accept on {}: {}", path, ec.message());
      retry.expires_after(std::chrono::milliseconds(100));
      retry.async_wait([self = shared_from_this()](beast::error_code wec) {
        if (!wec && self->acceptor.is_open()) self->accept();
      });
      return;
    }
    std::optional<ConnectionSlots::Slot> slot = slots->acquire();
    if (!slot) {
      refuse(socket);
    } else {
      refusing = false;
      std::make_shared<Connection<Socket>>(std::move(socket), core, std::move(slot))->start();
    }
    accept();
  }

  // Over the connection limit: answers 503 without reading the request and closes (a
  // LingeringClose, while fewer than kMaxLingering are). The answer fits an empty socket
  // buffer, so one non-blocking send writes it; what already arrived of the request is read
  // and dropped first, so that the close does not reset the connection before the client
  // reads the answer.
  void refuse(Socket& socket) {
    if (!refusing) {
      spdlog::warn("http: {} connections open on {}; refusing new ones until one closes",
                   slots->max(), path);
      refusing = true;
    }
    int fd = socket.native_handle();
    char drop[4096];
    while (::recv(fd, drop, sizeof(drop), MSG_DONTWAIT) > 0) {
    }
    if (::send(fd, refusal.data(), refusal.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
      spdlog::debug("http: answering a refused connection: {}", std::strerror(errno));
    }
    if (std::optional<ConnectionSlots::Slot> place = lingering->acquire()) {
      std::make_shared<LingeringClose>(std::move(socket), std::move(*place))->start();
      return;
    }
    beast::error_code ignored;
    socket.shutdown(asio::socket_base::shutdown_both, ignored);
    socket.close(ignored);
  }

  asio::io_context& io;
  ServerCore& core;
  asio::strand<asio::io_context::executor_type> strand;
  asio::local::stream_protocol::acceptor acceptor;
  asio::steady_timer retry;
  const std::shared_ptr<ConnectionSlots> slots;  // open connections against the limit
  const std::string refusal;                     // the 503 answer past the limit
  // Places for refused connections closing (LingeringClose), which may outlive this.
  const std::shared_ptr<ConnectionSlots> lingering =
      std::make_shared<ConnectionSlots>(kMaxLingering);
  bool refusing = false;  // warned about refusing, none accepted since
  std::string path;
};

Result<std::unique_ptr<UnixListener>> UnixListener::open(const std::string& path, mode_t mode) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return error(Code::kInvalidArgument, "unix socket path \"{}\" is empty or longer than {} bytes",
                 path, sizeof(addr.sun_path) - 1);
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  addr.sun_family = AF_UNIX;

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return sys_error("socket for", path);
  auto fail = [&](std::string_view what) {
    Status st = sys_error(what, path);
    ::close(fd);
    return st;
  };
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail("remove stale socket");
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return fail("bind unix socket");
  }
  struct stat bound {};
  if (::stat(path.c_str(), &bound) != 0) return fail("stat unix socket");
  if (::chmod(path.c_str(), mode) != 0) {
    Status st = sys_error("chmod unix socket", path);
    ::unlink(path.c_str());
    ::close(fd);
    return st;
  }
  if (::listen(fd, SOMAXCONN) != 0) {
    Status st = sys_error("listen on unix socket", path);
    ::unlink(path.c_str());
    ::close(fd);
    return st;
  }
  return std::unique_ptr<UnixListener>(new UnixListener(fd, path, bound));
}

UnixListener::UnixListener(int fd, std::string path, struct stat bound)
    : path_(std::move(path)), bound_(bound), fd_(fd) {}

UnixListener::~UnixListener() { close(); }

void UnixListener::start(boost::asio::io_context& io, ServerCore& core) {
  impl_ = std::make_shared<Impl>(io, core);
  impl_->path = path_;
  beast::error_code ec;
  impl_->acceptor.assign(asio::local::stream_protocol(), fd_, ec);
  if (ec) {
    spdlog::error("http: cannot accept on {}: {}", path_, ec.message());
    return;
  }
  fd_ = -1;  // owned by the acceptor now
  asio::post(impl_->strand, [impl = impl_] { impl->accept(); });
}

void UnixListener::close() {
  if (closed_.exchange(true)) return;
  struct stat now {};
  if (::stat(path_.c_str(), &now) == 0 && now.st_dev == bound_.st_dev &&
      now.st_ino == bound_.st_ino) {
    ::unlink(path_.c_str());
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (impl_) {
    asio::post(impl_->strand, [impl = impl_] {
      beast::error_code ignored;
      impl->acceptor.close(ignored);
      impl->retry.cancel();
    });
  }
}

}  // namespace shoal::http
