// A growing pool of threads that run handler calls, which may block.
//
// Why growing and not fixed: an HTTP handler may block for a long time — a store
// transaction that fsyncs, `service logs -f` following for hours. With a fixed pool of N
// threads, N open log streams would starve every other request (the docker CLI opens new
// connections *while* a stream is open and waits for them). So a task always gets an idle
// thread or a new one, up to `max_threads`; only past that does it queue. Threads that
// stay idle for `idle_timeout` exit, so an idle daemon keeps few threads (and little RSS).
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"

namespace shoal::http {

class WorkerPool {
 public:
  struct Options {
    size_t max_threads = 512;
    std::chrono::milliseconds idle_timeout{30'000};
    std::string name = "worker";  // thread name prefix (pthread_setname_np)
  };

  explicit WorkerPool(Options options);
  ~WorkerPool();  // stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `task` on an idle thread, on a new thread when none is idle and fewer than
  // max_threads exist, or else queues it for the next thread that becomes free.
  // Returns false (and drops `task`) after stop() has begun, or when a thread cannot be
  // created and none exists to run it later. `task` must not throw.
  bool submit(std::function<void()> task);

  // Rejects new tasks, lets the running and queued ones finish, joins every thread.
  // Returns when all are joined. Safe to call twice. REQUIRES: not called from a task.
  void stop();

  size_t threads() const;  // threads alive now (running or idle)
  size_t idle() const;     // threads waiting for a task

 private:
  void run();  // a worker thread's loop
  // Joins the retired threads, releasing mu_ meanwhile.
  void join_retired_locked() REQUIRES(mu_);

  const Options options_;

  mutable Mutex mu_;
  CondVar cv_;  // work queued or stopping
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  std::list<std::thread> threads_ GUARDED_BY(mu_);    // live threads
  std::vector<std::thread> retired_ GUARDED_BY(mu_);  // exited, not yet joined
  size_t idle_ GUARDED_BY(mu_) = 0;
  size_t next_id_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
};

}  // namespace shoal::http
