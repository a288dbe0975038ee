// EventLoop: the runtime's one event thread. It waits in epoll_wait on the descriptors it is
// given (monitor "wait" connections, pidfds of healthcheck processes) and on a timer heap
// (healthcheck intervals and timeouts, stop grace periods), and runs their callbacks. No
// thread per container, no polling: an idle node's loop sleeps until something happens.
//
// Callbacks run on the loop thread, one at a time, without the loop's lock held: they may
// call add_fd/remove_fd/add_timer/cancel_timer/post. They must not block.
//
// Thread safety: every method is safe from any thread. remove_fd() and cancel_timer() called
// on the loop thread take effect at once (a removed fd's callback never runs after);
// called from another thread, a callback already running may still finish.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"

namespace shoal::runtime {

class EventLoop {
 public:
  using FdCallback = std::function<void(uint32_t epoll_events)>;
  using Task = std::function<void()>;
  using TimePoint = std::chrono::steady_clock::time_point;
  using TimerId = uint64_t;

  // Starts the thread. Errors from the constructor are fatal (epoll/eventfd exhausted):
  // check ok() before use.
  EventLoop();
  ~EventLoop();  // stop()
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  bool ok() const { return epfd_ >= 0 && wake_fd_ >= 0; }

  // Stops the thread; callbacks and timers not run yet never run. Idempotent.
  void stop();

  // Watches `fd` (owned by the caller, which must remove_fd() before closing it) for
  // `events` (EPOLLIN, ...). Errors: kInternal from epoll_ctl.
  Status add_fd(int fd, uint32_t events, FdCallback callback);
  void remove_fd(int fd);

  // Runs `fn` on the loop thread at `when` (or soon after). Returns an id for cancel_timer.
  TimerId add_timer(TimePoint when, Task fn);
  void cancel_timer(TimerId id);

  // Runs `fn` on the loop thread soon.
  void post(Task fn);

  bool on_loop_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  void run();
  void wake();

  int epfd_ = -1;
  int wake_fd_ = -1;
  Mutex mu_;
  std::unordered_map<int, std::shared_ptr<FdCallback>> fds_ GUARDED_BY(mu_);
  std::multimap<TimePoint, std::pair<TimerId, Task>> timers_ GUARDED_BY(mu_);
  std::unordered_map<TimerId, TimePoint> timer_index_ GUARDED_BY(mu_);
  std::vector<Task> posted_ GUARDED_BY(mu_);
  TimerId next_timer_ GUARDED_BY(mu_) = 1;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace shoal::runtime
