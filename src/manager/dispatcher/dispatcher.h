// Dispatcher: the manager's side of the manager–agent protocol (protocol/dispatcher.h), after
// swarmkit's manager/dispatcher. It
//   - registers agent sessions, one per node: the node becomes READY with the description
//     and address its agent reports;
//   - tracks heartbeats: a node must heartbeat within period × 3 (period = the cluster's
//     Spec.Dispatcher.HeartbeatPeriod, default 5 s, ± 500 ms jitter per answer); a node that
//     misses its deadline is marked DOWN ("heartbeat failure") and its session ends, and the
//     orchestrators react to the DOWN node. At start() every node not DOWN is marked UNKNOWN
//     and gets twice that long to come back;
//   - streams assignments: a complete set when a stream opens, then batched increments
//     (assignment_set.h says which tasks, secrets and configs a node gets);
//   - applies agents' status reports in batches, forward only (status_writer.h).
//
// The RPC methods take the caller's identity as a Peer (the node ID and address the
// transport vouches for). The in-process LocalDispatcherClient passes the daemon's own;
// the gRPC server takes them from the client certificate and the connection.
//
// Threading: RPC methods run on the callers' threads. One ReconcileLoop thread watches the
// store (task, node and cluster changes) and, per tick, routes changed tasks to the
// subscriptions of their nodes and expires missed heartbeats; a tick's follow-up time is
// the earliest heartbeat deadline. Status reports are committed by the callers themselves
// (group commit in StatusWriter). Lock order: mu_, then the store's read lock, then a
// Subscription's lock; mu_ is never held across a store write (a write's callback may take
// it).
//
// Thread safety: all public methods are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>

#include "common/id.h"
#include "common/mutex.h"
#include "common/time.h"
#include "manager/dispatcher/status_writer.h"
#include "manager/dispatcher/subscription.h"
#include "manager/reconcile_loop.h"
#include "protocol/dispatcher.h"
#include "protocol/messages.h"
#include "store/store.h"

namespace shoal::manager::dispatcher {

// Node messages (swarmkit's texts).
inline constexpr const char* kHeartbeatFailure = "heartbeat failure";
inline constexpr const char* kUnknownHeartbeatFailure =
    "heartbeat failure for node in \"unknown\" state";
inline constexpr const char* kMovedToUnknown =
    "Node moved to \"unknown\" state due to leadership change in cluster";

struct DispatcherOptions {
  // Used while the cluster object sets no Spec.Dispatcher.HeartbeatPeriod.
  std::chrono::nanoseconds default_heartbeat_period = std::chrono::seconds(5);
  // Each period handed out is jittered by up to ± this much.
  std::chrono::nanoseconds heartbeat_epsilon = std::chrono::milliseconds(500);
  // A node is down after period × this without a heartbeat (× 2 more while "unknown").
  int grace_multiplier = 3;
  // Seeds the jitter.
  uint64_t seed = 0;
  // Task changes arriving within this window reach a node's stream in one message
  // (swarmkit batches assignments for up to 100 ms): at 10,000 nodes, one message per node
  // per window instead of one per commit.
  std::chrono::milliseconds assignment_batch_wait{50};
};

using protocol::Peer;

class Dispatcher final : public protocol::Dispatcher {
 public:
  // `store`, `clock` and `ids` must outlive the dispatcher.
  Dispatcher(store::Store& store, const Clock& clock, IdGenerator& ids,
             DispatcherOptions options = {});
  ~Dispatcher() override;  // stop()
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Marks every node that is not DOWN as UNKNOWN (with a deadline) and starts the loop.
  // Errors: the store's write error (nothing started). REQUIRES: not started before.
  Status start();
  // Ends every session and stream, stops the loop and joins it. Idempotent.
  void stop();

  // ---- protocol::Dispatcher (protocol/messages.h says what each returns) ----
  // Errors: kPermissionDenied when request.NodeID is set and is not peer.NodeID;
  // kNotFound "node <id> not found"; kUnavailable "dispatcher is stopped"; store errors.
  Result<protocol::SessionMessage> session(const Peer& peer,
                                           const protocol::SessionRequest& request) override;
  Result<protocol::HeartbeatResponse> heartbeat(const Peer& peer,
                                                const protocol::HeartbeatRequest& request) override;
  Status update_task_status(const Peer& peer,
                            const protocol::UpdateTaskStatusRequest& request) override;
  // update_task_status() for a transport that completes calls asynchronously: `done` gets
  // its result exactly once — at once on a session or permission error, else when the
  // commit holding the reports is over (status_writer.h: on the committing thread, which
  // may be this one).
  void update_task_status_async(const Peer& peer, protocol::UpdateTaskStatusRequest request,
                                std::function<void(Status)> done) override;
  Result<std::unique_ptr<protocol::AssignmentStream>> assignments(
      const Peer& peer, const protocol::AssignmentsRequest& request) override;

  // ---- observation (tests, metrics) ----
  // Nodes with an open session.
  size_t session_count() const;
  // Status-report commits made so far.
  uint64_t status_commits() const { return writer_.commits(); }

 private:
  class Loop;
  friend class Loop;

  // One node the dispatcher tracks: registered (session_id set) or only expected back
  // after a restart ("unknown": no session yet).
  struct NodeEntry {
    std::string session_id;
    Timestamp deadline;
    bool unknown = false;
    std::shared_ptr<Subscription> subscription;
  };

  // A period with jitter.
  std::chrono::nanoseconds choose_period() REQUIRES(mu_);
  // kUnavailable when stopped, kNotFound / kInvalidArgument for an unknown node or session.
  Result<NodeEntry*> find_session(const std::string& node_id, const std::string& session_id)
      REQUIRES(mu_);
  // The session and permission checks of update_task_status.
  Status check_reports(const Peer& peer, const protocol::UpdateTaskStatusRequest& request);
  Status mark_nodes_unknown();
  Status mark_node_ready(const Peer& peer, const protocol::SessionRequest& request);
  // Sets the entry's heartbeat deadline, keeping earliest_deadline_ a lower bound.
  void set_deadline(NodeEntry& entry, Timestamp deadline) REQUIRES(mu_);
  // Drops node `id`'s entry, closing its stream.
  void drop_locked(const std::string& id, const std::string& reason) REQUIRES(mu_);

  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  const DispatcherOptions options_;
  StatusWriter writer_;

  mutable Mutex mu_;
  bool running_ GUARDED_BY(mu_) = false;
  std::unordered_map<std::string, NodeEntry> nodes_ GUARDED_BY(mu_);
  // No entry's deadline is before this (unset: no entry): the loop scans nodes_ for missed
  // deadlines only once it has passed, not on every tick (10,000 nodes).
  std::optional<Timestamp> earliest_deadline_ GUARDED_BY(mu_);
  std::chrono::nanoseconds period_ GUARDED_BY(mu_);
  std::mt19937_64 rng_ GUARDED_BY(mu_);

  std::unique_ptr<Loop> loop_reconciler_;
  std::unique_ptr<ReconcileLoop> loop_;
};

}  // namespace shoal::manager::dispatcher
