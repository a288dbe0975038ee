#include "runtime/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/mutex.h"

namespace shoal::runtime {

EventLoop::EventLoop() {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (!ok()) return;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  ::epoll_ctl(epfd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  thread_ = std::thread([this] { run(); });
}

EventLoop::~EventLoop() {
  stop();
  if (epfd_ >= 0) ::close(epfd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void EventLoop::stop() {
  {
    MutexLock lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake();
  if (thread_.joinable()) thread_.join();
  MutexLock lock(mu_);
  timers_.clear();
  timer_index_.clear();
  posted_.clear();
  fds_.clear();
}

void EventLoop::wake() {
  uint64_t one = 1;
  ssize_t n = ::write(wake_fd_, &one, sizeof(one));
  (void)n;
}

Status EventLoop::add_fd(int fd, uint32_t events, FdCallback callback) {
  MutexLock lock(mu_);
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    return error(Code::kInternal, "epoll_ctl add {}: {}", fd, std::strerror(errno));
  }
  fds_[fd] = std::make_shared<FdCallback>(std::move(callback));
  return Status::ok();
}

void EventLoop::remove_fd(int fd) {
  MutexLock lock(mu_);
  if (fds_.erase(fd) > 0) ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
}

EventLoop::TimerId EventLoop::add_timer(TimePoint when, Task fn) {
  bool earliest;
  TimerId id;
  {
    MutexLock lock(mu_);
    id = next_timer_++;
    earliest = timers_.empty() || when < timers_.begin()->first;
    timers_.emplace(when, std::make_pair(id, std::move(fn)));
    timer_index_.emplace(id, when);
  }
  if (earliest && !on_loop_thread()) wake();
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  MutexLock lock(mu_);
  auto it = timer_index_.find(id);
  if (it == timer_index_.end()) return;
  auto [lo, hi] = timers_.equal_range(it->second);
  for (auto t = lo; t != hi; ++t) {
    if (t->second.first == id) {
      timers_.erase(t);
      break;
    }
  }
  timer_index_.erase(it);
}

void EventLoop::post(Task fn) {
  {
    MutexLock lock(mu_);
    posted_.push_back(std::move(fn));
  }
  if (!on_loop_thread()) wake();
}

void EventLoop::run() {
  epoll_event events[64];
  for (;;) {
    std::vector<Task> due;
    int timeout_ms = -1;
    {
      MutexLock lock(mu_);
      if (stopping_) return;
      due.swap(posted_);
      auto now = std::chrono::steady_clock::now();
      while (!timers_.empty() && timers_.begin()->first <= now) {
        due.push_back(std::move(timers_.begin()->second.second));
        timer_index_.erase(timers_.begin()->second.first);
        timers_.erase(timers_.begin());
      }
      if (!due.empty()) {
        timeout_ms = 0;
      } else if (!timers_.empty()) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(timers_.begin()->first - now);
        timeout_ms = static_cast<int>(std::min<int64_t>(left.count(), 60 * 60 * 1000));
      }
    }
    for (Task& task : due) task();
    if (!due.empty()) timeout_ms = 0;
    int n = ::epoll_wait(epfd_, events, 64, timeout_ms);
    if (n < 0 && errno != EINTR) return;
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t count;
        ssize_t got = ::read(wake_fd_, &count, sizeof(count));
        (void)got;
        continue;
      }
      std::shared_ptr<FdCallback> callback;
      {
        MutexLock lock(mu_);
        if (stopping_) return;
        auto it = fds_.find(fd);
        if (it == fds_.end()) continue;
        callback = it->second;
      }
      (*callback)(events[i].events);
    }
  }
}

}  // namespace shoal::runtime
