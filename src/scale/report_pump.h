// ReportPump: carries the hollow fleet's status reports to the dispatcher on threads of its
// own, as a transport's server threads carry real agents' reports.
//
// Why: the dispatcher group-commits reports (status_writer.h) — the caller of
// update_task_status_async that finds no commit in flight commits everything pending, and
// keeps committing while more arrives. When that caller was a fleet thread, it stayed the
// committer for as long as reports kept coming (seconds, during a 1M-task removal) and the
// agents waiting for it missed their heartbeats: sessions expired. Two pump threads keep the
// group commit (one commits while the other hands in what queued meanwhile) and leave the
// fleet's threads to heartbeats and streams.
//
// Thread safety: push() from any thread; start()/stop() from one thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "protocol/messages.h"

namespace shoal::scale {

class ReportPump {
 public:
  ReportPump() = default;
  ~ReportPump();  // stop()
  ReportPump(const ReportPump&) = delete;
  ReportPump& operator=(const ReportPump&) = delete;

  void start(size_t threads = 2);
  // Joins the threads; reports still queued get kUnavailable "fleet stopped" (their `done`
  // runs on the caller's thread). Idempotent.
  void stop();

  // Sends `request` through `client` (which must outlive the pump's stop()) from a pump
  // thread; `done` gets update_task_status_async's result.
  void push(protocol::DispatcherClient* client, protocol::UpdateTaskStatusRequest request,
            std::function<void(Status)> done);

 private:
  struct Item {
    protocol::DispatcherClient* client;
    protocol::UpdateTaskStatusRequest request;
    std::function<void(Status)> done;
  };
  void run();

  Mutex mu_;
  CondVar cv_;
  std::deque<Item> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace shoal::scale
