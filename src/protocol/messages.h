// The manager–agent protocol (swarmkit's Dispatcher service, api/dispatcher.proto) as plain
// C++ messages and the agent's side of it, DispatcherClient; protocol/dispatcher.h is the
// manager's side. This module depends on api/ only: the manager implements Dispatcher, the
// agent calls a DispatcherClient, and the transports pair them without either knowing the
// other — LocalDispatcherClient (protocol/local_client.h) calls a Dispatcher in the same
// process; src/rpc carries both over gRPC with mutual TLS. Messages therefore hold only
// values a wire can carry (objects are shared, immutable store objects in process; a
// transport copies them).
//
// The calls, in the order an agent makes them:
//   session(SessionRequest)           → SessionMessage: a session ID and the heartbeat period.
//                                       Marks the node READY with its description.
//   assignments(AssignmentsRequest)   → AssignmentStream: first a COMPLETE message (every
//                                       task the node must know, and the secrets/configs they
//                                       reference), then INCREMENTAL ones, chained by
//                                       AppliesTo/ResultsIn.
//   heartbeat(HeartbeatRequest)       → the period to wait before the next heartbeat. A node
//                                       that misses its deadline is marked DOWN and its
//                                       session ends.
//   update_task_status(Request)       → OK once the statuses are durable in the store.
// Every call after session() names the session; a call with a session the dispatcher no
// longer knows fails with kInvalidArgument "session invalid" (or kNotFound "node not
// registered"), and the agent starts a new session.
//
// Thread safety: messages are values. A DispatcherClient is safe to call from several
// threads at once; an AssignmentStream has one reader (cancel() from any thread).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/config.h"
#include "api/node.h"
#include "api/secret.h"
#include "api/task.h"
#include "common/status.h"

namespace shoal::protocol {

// The "session invalid" error text (swarmkit's ErrSessionInvalid).
inline constexpr const char* kSessionInvalid = "session invalid";

struct SessionRequest {
  // The node the agent runs as. The transport vouches for it (a TLS transport takes it from
  // the client certificate); the in-process client passes the daemon's own node ID.
  std::string NodeID;
  // What the node reports about itself (hostname, platform, resources, engine).
  api::NodeDescription Description;
  // A session to resume; empty or unknown = start a new one.
  std::string SessionID;
};

struct SessionMessage {
  std::string SessionID;
  std::string NodeID;
  // Send a heartbeat before this much time has passed.
  std::chrono::nanoseconds HeartbeatPeriod{0};
  // Every manager's address ("host:port"), so that a node whose manager goes away finds
  // the one that leads next (swarmkit's SessionMessage.Managers).
  std::vector<std::string> Managers = {};
};

struct HeartbeatRequest {
  std::string SessionID;
};

struct HeartbeatResponse {
  // The period to wait before the next heartbeat (it may change with the cluster's
  // Spec.Dispatcher.HeartbeatPeriod, and carries jitter).
  std::chrono::nanoseconds Period{0};
};

struct TaskStatusUpdate {
  std::string TaskID;
  api::TaskStatus Status;
};

struct UpdateTaskStatusRequest {
  std::string SessionID;
  // At most one update per task; order does not matter.
  std::vector<TaskStatusUpdate> Updates;
};

struct AssignmentsRequest {
  std::string SessionID;
};

enum class AssignmentAction : uint8_t { kUpdate, kRemove };

// One assigned object. A removal carries an object whose ID alone is set.
using Assignment =
    std::variant<std::shared_ptr<const api::Task>, std::shared_ptr<const api::Secret>,
                 std::shared_ptr<const api::Config>>;

struct AssignmentChange {
  AssignmentAction Action = AssignmentAction::kUpdate;
  Assignment Item;
};

enum class AssignmentsType : uint8_t {
  // The full set: anything the agent holds that is not in it must go.
  kComplete,
  // Changes to the set the previous message resulted in.
  kIncremental,
};

struct AssignmentsMessage {
  AssignmentsType Type = AssignmentsType::kComplete;
  // The ResultsIn of the message this one applies to; empty for the first message of a
  // stream. An agent that sees a gap must open a new stream (and gets a complete set).
  std::string AppliesTo;
  std::string ResultsIn;
  // Secrets and configs come before the tasks that use them.
  std::vector<AssignmentChange> Changes;
};

// The ID of an assigned object, whatever its kind.
inline const std::string& assignment_id(const Assignment& item) {
  return std::visit([](const auto& object) -> const std::string& { return object->ID; }, item);
}

// The dispatcher's side of an Assignments stream, as its reader sees it.
class AssignmentStream {
 public:
  virtual ~AssignmentStream() = default;

  // The next message, waiting up to `timeout`. Returns nullopt when the timeout passes or
  // cancel() was called; kUnavailable when the stream has ended (the session ended, the
  // dispatcher stopped, or cancel()ed before); the stream is then useless.
  virtual Result<std::optional<AssignmentsMessage>> recv(std::chrono::nanoseconds timeout) = 0;
  // Wakes a blocked recv() and ends the stream. Idempotent; any thread.
  virtual void cancel() = 0;

  // Readiness, for a reader that serves many streams from a few threads (the hollow fleet of
  // src/scale) instead of blocking one thread per stream in recv(). After this call the
  // stream calls `notify` whenever recv() would stop waiting — a message became ready, or
  // the stream ended — and once right away if recv() would not wait now. Wake-ups may be
  // spurious, and several readiness changes may give one call: on each call the reader
  // drains the stream with recv(0) until it returns nullopt or an error. No wake-up is lost:
  // once recv() returned nullopt, the next message or the end calls `notify` again.
  // `notify` runs on the thread that made the stream ready (a dispatcher thread, the caller
  // of cancel()), possibly under the dispatcher's locks: it must be quick and must not call
  // into the stream or the dispatcher. Set it once, before reading.
  // Returns false when this stream cannot notify; the reader must then block in recv().
  virtual bool set_ready_callback(std::function<void()> notify) {
    (void)notify;
    return false;
  }
};

// What an agent calls. Every method may block for a round trip; none blocks indefinitely.
class DispatcherClient {
 public:
  virtual ~DispatcherClient() = default;

  // Starts (or resumes) the node's session. Errors: kNotFound "node <id> not found" (the
  // node is not part of the cluster); kUnavailable when the dispatcher is not running or the
  // manager cannot be reached; the store's write error.
  virtual Result<SessionMessage> session(const SessionRequest& request) = 0;
  // Errors: kInvalidArgument "session invalid"; kNotFound "node not registered";
  // kUnavailable as above.
  virtual Result<HeartbeatResponse> heartbeat(const HeartbeatRequest& request) = 0;
  // Returns OK once every update is applied or deliberately ignored (unknown task, stale
  // or identical status). Errors: the session errors above; kPermissionDenied "cannot update
  // a task not assigned this node" (nothing applied); the store's commit error (retry).
  virtual Status update_task_status(const UpdateTaskStatusRequest& request) = 0;
  // update_task_status() without holding the caller's thread for the round trip: `done`
  // gets what update_task_status() would return, exactly once, on any thread (possibly this
  // one, before this returns). Many calls may be in flight at once; a transport that can
  // pipeline overrides this (the default is the blocking call, then `done`). `done` must
  // be quick and must not block on another update_task_status call.
  virtual void update_task_status_async(UpdateTaskStatusRequest request,
                                        std::function<void(Status)> done) {
    done(update_task_status(request));
  }
  // Opens the node's assignment stream; its first message is a complete set. Opening a new
  // stream for a session ends the previous one. Errors: the session errors above.
  virtual Result<std::unique_ptr<AssignmentStream>> assignments(
      const AssignmentsRequest& request) = 0;
};

}  // namespace shoal::protocol
