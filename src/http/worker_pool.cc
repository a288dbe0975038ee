#include "http/worker_pool.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <system_error>

#include "common/mutex.h"

namespace shoal::http {

WorkerPool::WorkerPool(Options options) : options_(std::move(options)) {}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::submit(std::function<void()> task) {
  MutexLock lock(mu_);
  if (stopping_) return false;
  join_retired_locked();
  if (stopping_) return false;
  queue_.push_back(std::move(task));
  if (queue_.size() > idle_ && threads_.size() < options_.max_threads) {
    threads_.emplace_back();
    auto self = std::prev(threads_.end());
    size_t id = next_id_++;
    try {
      // The new thread needs mu_ before it touches `self`, and we hold it until the
      // assignment below is done.
      *self = std::thread([this, self, id] {
        std::string name = options_.name.substr(0, 10) + "-" + std::to_string(id % 10000);
        pthread_setname_np(pthread_self(), name.c_str());
        run();
        MutexLock exit_lock(mu_);
        if (!stopping_) {  // after stop() began, stop() owns and joins every handle
          retired_.push_back(std::move(*self));
          threads_.erase(self);
        }
      });
    } catch (const std::system_error& e) {
      threads_.erase(self);
      spdlog::error("worker pool {}: cannot start a thread: {}", options_.name, e.what());
      if (threads_.empty()) {
        queue_.pop_back();
        return false;
      }
    }
  } else {
    cv_.notify_one();
  }
  return true;
}

void WorkerPool::run() {
  MutexLock lock(mu_);
  while (true) {
    if (!queue_.empty()) {
      std::function<void()> task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task();
      task = nullptr;  // destroy captures outside the lock
      lock.lock();
      continue;
    }
    if (stopping_) return;
    ++idle_;
    bool woken = cv_.wait_for(lock, options_.idle_timeout,
                              [&]() REQUIRES(mu_) { return !queue_.empty() || stopping_; });
    --idle_;
    if (!woken) return;  // idle for idle_timeout with nothing queued: exit
  }
}

void WorkerPool::join_retired_locked() {
  if (retired_.empty()) return;
  std::vector<std::thread> done;
  done.swap(retired_);
  mu_.unlock();
  for (auto& t : done) t.join();  // each has left run() and is returning
  mu_.lock();
}

void WorkerPool::stop() {
  std::list<std::thread> live;
  std::vector<std::thread> retired;
  {
    MutexLock lock(mu_);
    stopping_ = true;
    live.swap(threads_);
    retired.swap(retired_);
  }
  cv_.notify_all();
  for (auto& t : live) {
    if (t.joinable()) t.join();
  }
  for (auto& t : retired) t.join();
}

size_t WorkerPool::threads() const {
  MutexLock lock(mu_);
  return threads_.size();
}

size_t WorkerPool::idle() const {
  MutexLock lock(mu_);
  return idle_;
}

}  // namespace shoal::http
