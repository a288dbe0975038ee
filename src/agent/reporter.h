// Reporter: sends the worker's task status changes to the dispatcher in batches.
//
// Changes are merged per task (the furthest state wins; at equal state the latest), held
// for `batch_window` after the first one arrives, then sent in one UpdateTaskStatus call of
// up to `max_batch` updates. A failed send puts its updates back (unless newer ones arrived)
// and retries with backoff; a session error ("session invalid", "node not registered")
// also tells the agent, which starts a new session. Without a session nothing is sent.
//
// Threading: one sender thread. task_status_changed() only merges under a short lock, so
// the worker can call it with its own lock held. The batch window and the retry delays are
// measured on the reporter's Clock (Clock::wait_until); the sender always sleeps through
// it, until Timestamp::max() when nothing is due, so a test on a ManualClock sees what it
// waits for (ManualClock::earliest_deadline).
//
// Thread safety: all public methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "agent/worker.h"
#include "common/backoff.h"
#include "common/mutex.h"
#include "common/time.h"
#include "protocol/messages.h"

namespace shoal::agent {

struct ReporterOptions {
  // How long changes are collected before a send.
  std::chrono::nanoseconds batch_window = std::chrono::milliseconds(5);
  // Updates per UpdateTaskStatus call.
  size_t max_batch = 10000;
  BackoffPolicy retry{std::chrono::milliseconds(100), std::chrono::seconds(5), 2.0, 0.5};
  uint64_t seed = 0;
};

// True for the errors that mean "this session is gone; start a new one".
bool is_session_error(const Status& status);

class Reporter final : public StatusSink {
 public:
  // `client` and `clock` must outlive the reporter. `on_session_error(session_id)` is
  // called (from the sender thread, no lock held) when a send fails with a session error.
  Reporter(protocol::DispatcherClient& client, const Clock& clock, ReporterOptions options,
           std::function<void(const std::string&)> on_session_error);
  ~Reporter() override;  // stop()

  void start();  // REQUIRES: not started before.
  void stop();   // Joins the sender; unsent changes are dropped. Idempotent.

  void task_status_changed(const std::string& task_id, const api::TaskStatus& status) override;
  // Merges many (the worker's statuses after a new session).
  void report_all(std::vector<protocol::TaskStatusUpdate> updates);
  // The session to send with; "" holds every report until a session is set.
  void set_session(std::string session_id);

  // Changes not yet acknowledged by the dispatcher (pending or in flight).
  size_t unacknowledged() const;

 private:
  void run();
  void merge(std::string task_id, api::TaskStatus status) REQUIRES(mu_);

  protocol::DispatcherClient& client_;
  const Clock& clock_;
  const ReporterOptions options_;
  const std::function<void(const std::string&)> on_session_error_;

  mutable Mutex mu_;
  CondVar cv_;
  std::unordered_map<std::string, api::TaskStatus> pending_ GUARDED_BY(mu_);
  Timestamp first_pending_ GUARDED_BY(mu_);
  size_t in_flight_ GUARDED_BY(mu_) = 0;
  std::string session_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace shoal::agent
