// HollowFleet: many hollow agents — stand-ins for worker nodes — served by a few threads.
//
// Each agent talks to the dispatcher through its own protocol::DispatcherClient (the same
// interface real agents use: the in-process LocalDispatcherClient or the gRPC client), as
// its node:
//   - opens a session (the node becomes READY), then its assignment stream;
//   - heartbeats at the period the dispatcher hands out;
//   - for every assignment message, reports in one update_task_status call what
//     hollow_reports() decides (newly assigned tasks RUNNING, tasks desired to stop
//     SHUTDOWN), sent with update_task_status_async so that no thread waits for the commit;
//   - when a session, stream or report fails, starts over after a backoff: a new session
//     (or only a new stream) whose complete set re-derives anything a lost report carried.
// An agent keeps no per-task state: its memory is its node ID, its session and its stream.
//
// Threading: `threads` worker threads serve all agents. An agent is served by one thread
// at a time, when its stream signals readiness (AssignmentStream::set_ready_callback: no
// polling), when its heartbeat or reconnect time comes (one timer heap), or when a report
// failed. Streams that cannot signal readiness are refused (the agent retries, and the
// failure is counted). Nothing blocks for long except the client's calls themselves.
// Reports go through a ReportPump (report_pump.h): its threads, not the fleet's, become the
// dispatcher's status committer.
//
// Thread safety: start()/stop() from one thread; stats() from any thread. stop() is safe
// twice and joins every thread; callbacks that arrive later (a stream closed by the
// dispatcher, a report completing) find the fleet stopped and do nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/node.h"
#include "common/backoff.h"
#include "common/time.h"
#include "protocol/messages.h"
#include "scale/report_pump.h"

namespace shoal::scale {

// One node of the fleet.
struct FleetNode {
  std::string id;        // the Node object's ID (it must exist in the store)
  std::string hostname;  // Description.Hostname the agent reports
};

// Makes the client an agent uses for node `node_id` (the transport vouches for the node).
using ClientFactory =
    std::function<std::unique_ptr<protocol::DispatcherClient>(const std::string& node_id)>;

struct FleetOptions {
  // Threads serving all the agents.
  size_t threads = 2;
  // What every node reports about itself (Hostname is replaced per node).
  api::NodeDescription description = {};
  // Delays before a new session after a failure (per agent: attempts since the last success).
  BackoffPolicy reconnect{std::chrono::milliseconds(100), std::chrono::seconds(5), 2.0, 0.5};
  uint64_t seed = 1;
};

struct FleetStats {
  size_t connected = 0;   // agents with an open session and stream
  uint64_t sessions = 0;  // sessions opened
  uint64_t failures = 0;  // failed session, stream, heartbeat or report calls
  uint64_t heartbeats = 0;
  uint64_t messages = 0;      // assignment messages received
  uint64_t report_calls = 0;  // update_task_status calls
  uint64_t reports = 0;       // task status updates in them
};

class HollowFleet {
 public:
  // `clock` stamps reports and must outlive the fleet.
  HollowFleet(std::vector<FleetNode> nodes, ClientFactory make_client, const Clock& clock,
              FleetOptions options = {});
  ~HollowFleet();  // stop()
  HollowFleet(const HollowFleet&) = delete;
  HollowFleet& operator=(const HollowFleet&) = delete;

  // Starts the threads; every agent opens its session in the background.
  // REQUIRES: not started before.
  void start();
  // Ends every stream (the sessions are left to expire, as when hosts vanish) and joins the
  // threads. Idempotent.
  void stop();

  FleetStats stats() const;
  size_t size() const;

 private:
  struct Core;
  struct Agent;

  void run();
  // Serves agent `index` once: (re)connect, heartbeat, drain the stream, report.
  void serve(uint32_t index);
  // Returns false when the agent has no usable session (a reconnect is scheduled).
  bool ensure_session(uint32_t index, Agent& agent);
  bool open_stream(uint32_t index, Agent& agent);
  void drain(uint32_t index, Agent& agent);
  void report(uint32_t index, Agent& agent, const protocol::AssignmentsMessage& message);
  // Drops the session (stream and all) and schedules a new one after the backoff.
  void disconnect(uint32_t index, Agent& agent, const Status& why);
  // Cancels and drops the agent's stream, if any.
  void drop_stream(Agent& agent);

  const ClientFactory make_client_;
  const Clock& clock_;
  const FleetOptions options_;
  std::vector<Agent> agents_;   // each owned by the thread serving it (Core::busy)
  std::shared_ptr<Core> core_;  // shared with the callbacks handed to streams and reports
  std::vector<std::thread> threads_;
  ReportPump pump_;
};

}  // namespace shoal::scale
