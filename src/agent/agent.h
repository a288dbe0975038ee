// Agent: a node's side of the cluster. It keeps a session with the dispatcher (register,
// heartbeat at the period the dispatcher gives, reconnect with backoff), feeds the
// assignment stream to the worker, and lets the reporter send the worker's status changes.
//
//   Agent ──session/heartbeat──► DispatcherClient ◄──update_task_status── Reporter
//     │ assignments                                                          ▲
//     ▼                                                                      │ status changes
//   Worker ──prepare/start/wait/shutdown/...──► Executor ────────────────────┘
//
// Sessions: on start, and whenever a session ends (heartbeat or stream error, a session
// error while reporting), the agent registers again after a backoff; each new session
// gets a complete assignment set, and the worker's current statuses are re-reported. An
// assignment stream whose chain breaks (AppliesTo ≠ the last ResultsIn) is reopened.
//
// Threading: one session thread (register, receive assignments, heartbeat), the reporter's
// sender thread, and the worker's pool. start()/stop() from any thread; stop() is safe
// twice and joins everything; tasks keep running (they survive a daemon restart).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/executor.h"
#include "agent/reporter.h"
#include "agent/worker.h"
#include "common/backoff.h"
#include "common/mutex.h"
#include "common/time.h"
#include "protocol/messages.h"

namespace shoal::agent {

struct AgentOptions {
  // The node this agent runs as (the daemon's node ID).
  std::string node_id = {};
  WorkerOptions worker = {};
  ReporterOptions reporter = {};
  // Delay between session attempts.
  BackoffPolicy reconnect{std::chrono::milliseconds(100), std::chrono::seconds(8), 2.0, 0.5};
  uint64_t seed = 0;
};

class Agent {
 public:
  // `client`, `executor` and `clock` must outlive the agent.
  Agent(protocol::DispatcherClient& client, Executor& executor, const Clock& clock,
        AgentOptions options);
  ~Agent();  // stop()
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Describes the node, recovers the executor's tasks and starts the threads; the first
  // session is opened in the background. Errors: the executor's describe() error (nothing
  // started). REQUIRES: not started before.
  Status start();
  // Ends the session loop, the reporter and the worker (joins them). Idempotent.
  void stop();

  // The current session, "" while there is none.
  std::string session_id() const;
  // Sessions opened so far.
  uint64_t sessions_opened() const;
  const Worker& worker() const { return worker_; }
  const Reporter& reporter() const { return reporter_; }

 private:
  void session_loop();
  // Runs one session until it ends (an error, end_session()) or stop().
  void run_session(const protocol::SessionMessage& session);
  // Ends the session `session_id` if it is the current one (from the reporter).
  void end_session(const std::string& session_id);
  // Waits for `d` or stop(); false on stop.
  bool sleep(std::chrono::nanoseconds d);

  protocol::DispatcherClient& client_;
  Executor& executor_;
  const AgentOptions options_;
  api::NodeDescription description_;  // set by start()
  Reporter reporter_;
  Worker worker_;

  mutable Mutex mu_;
  CondVar cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool started_ GUARDED_BY(mu_) = false;
  std::string session_id_ GUARDED_BY(mu_);
  bool session_ended_ GUARDED_BY(mu_) = false;
  uint64_t sessions_opened_ GUARDED_BY(mu_) = 0;
  std::shared_ptr<protocol::AssignmentStream> stream_ GUARDED_BY(mu_);  // ; cancelled by stop()
  std::thread thread_;
};

}  // namespace shoal::agent
