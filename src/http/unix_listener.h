// A Listener on a unix stream socket: how the docker CLI reaches shoal
// (DOCKER_HOST=unix:///run/shoal/shoal.sock).
//
// open() binds and listens right away (so the daemon reports a bad path before it claims
// to be ready); the Server starts accepting later. The socket file is removed by close().
//
// Thread safety: as Listener.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/listener.h"

namespace shoal::http {

class UnixListener final : public Listener {
 public:
  // Binds a unix socket at `path` with permissions `mode` and listens.
  // A file already at `path` is removed first: REQUIRES the caller owns the path (the
  // daemon holds `<path>.lock`), so what is there is a stale socket of a dead daemon.
  // Errors: kInvalidArgument when `path` is empty or too long for sockaddr_un (107 bytes);
  // kInternal with the system error for socket/unlink/bind/chmod/listen failures
  // (e.g. "bind unix socket /x: Permission denied").
  static Result<std::unique_ptr<UnixListener>> open(const std::string& path, mode_t mode);

  ~UnixListener() override;  // close()

  std::string address() const override { return "unix://" + path_; }
  const std::string& path() const { return path_; }
  void start(boost::asio::io_context& io, ServerCore& core) override;
  // Stops accepting and removes the socket file, if it is still the one this listener
  // bound (not a file some later process put there).
  void close() override;

 private:
  struct Impl;
  UnixListener(int fd, std::string path, struct stat bound);

  std::string path_;
  struct stat bound_;           // identity (dev, ino) of the socket file we created
  int fd_;                      // the listening socket until start() hands it to the acceptor
  std::shared_ptr<Impl> impl_;  // the acceptor, once started
  std::atomic<bool> closed_{false};
};

}  // namespace shoal::http
