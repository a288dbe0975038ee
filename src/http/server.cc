#include "http/server.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <system_error>
#include <thread>

#include "common/mutex.h"
#include "http/server_core.h"

namespace shoal::http {

struct IoRuntime {
  explicit IoRuntime(size_t threads) : io(static_cast<int>(threads)), guard(io.get_executor()) {}

  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;
  std::vector<std::thread> threads;

  void stop_and_join() {
    guard.reset();
    io.stop();
    for (auto& t : threads) t.join();
    threads.clear();
  }
};

Server::Server(std::unique_ptr<Router> router, ServerOptions options)
    : router_(std::move(router)), options_(std::move(options)) {
  core_ = std::make_unique<ServerCore>(*router_, options_);
  size_t n = options_.io_threads == 0 ? 1 : options_.io_threads;
  io_ = std::make_unique<IoRuntime>(n);
}

Server::~Server() { stop(); }

void Server::add_listener(std::unique_ptr<Listener> listener) {
  listeners_.push_back(std::move(listener));
}

Status Server::start() {
  MutexLock lock(stop_mu_);
  if (started_ || stopped_) return error(Code::kFailedPrecondition, "http server already started");
  started_ = true;
  size_t n = options_.io_threads == 0 ? 1 : options_.io_threads;
  try {
    for (size_t i = 0; i < n; ++i) {
      io_->threads.emplace_back([this, i] {
        std::string name = "shoal-io-" + std::to_string(i);
        pthread_setname_np(pthread_self(), name.c_str());
        io_->io.run();
      });
    }
  } catch (const std::system_error& e) {
    io_->stop_and_join();
    stopped_ = true;
    return error(Code::kInternal, "cannot start http I/O threads: {}", e.what());
  }
  for (auto& l : listeners_) {
    l->start(io_->io, *core_);
    spdlog::info("http: listening on {}", l->address());
  }
  return Status::ok();
}

void Server::stop() {
  MutexLock lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  for (auto& l : listeners_) l->close();
  if (started_) {
    core_->shutdown_connections();  // idle ones close; handlers get their stop token
    core_->workers().stop();        // every handler has returned
    // Let the last responses and stream ends reach their clients.
    core_->wait_no_connections(std::chrono::steady_clock::now() + options_.stop_grace);
    io_->stop_and_join();
  }
  listeners_.clear();
  io_.reset();  // destroys what is still pending, and with it the last connections
}

size_t Server::connections() const { return core_->connections(); }

size_t Server::worker_threads() const { return core_->workers().threads(); }

}  // namespace shoal::http
