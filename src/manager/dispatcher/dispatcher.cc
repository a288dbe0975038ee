#include "manager/dispatcher/dispatcher.h"

#include <spdlog/spdlog.h>

#include "common/mutex.h"
#include "manager/dispatcher/dispatcher_loop.h"

namespace shoal::manager::dispatcher {

namespace {
Status stopped() { return Status(Code::kUnavailable, "dispatcher is stopped"); }
}  // namespace

Dispatcher::Dispatcher(store::Store& store, const Clock& clock, IdGenerator& ids,
                       DispatcherOptions options)
    : store_(store),
      clock_(clock),
      ids_(ids),
      options_(options),
      writer_(store, clock),
      period_(options.default_heartbeat_period),
      rng_(options.seed) {}

Dispatcher::~Dispatcher() { stop(); }

Status Dispatcher::start() {
  SHOAL_RETURN_IF_ERROR(mark_nodes_unknown());
  {
    MutexLock lock(mu_);
    running_ = true;
  }
  loop_reconciler_ = std::make_unique<Loop>(*this);
  loop_ = std::make_unique<ReconcileLoop>(store_, clock_, *loop_reconciler_);
  loop_->start();
  return Status::ok();
}

void Dispatcher::stop() {
  {
    MutexLock lock(mu_);
    running_ = false;
    for (auto& [id, entry] : nodes_) {
      if (entry.subscription) entry.subscription->close("dispatcher is stopped");
    }
    nodes_.clear();
  }
  if (loop_) loop_->stop();
}

size_t Dispatcher::session_count() const {
  MutexLock lock(mu_);
  size_t n = 0;
  for (const auto& [id, entry] : nodes_) n += !entry.session_id.empty();
  return n;
}

std::chrono::nanoseconds Dispatcher::choose_period() {
  auto epsilon = options_.heartbeat_epsilon.count();
  if (epsilon <= 0) return period_;
  std::uniform_int_distribution<int64_t> jitter(-epsilon, epsilon);
  return period_ + std::chrono::nanoseconds(jitter(rng_));
}

Result<Dispatcher::NodeEntry*> Dispatcher::find_session(const std::string& node_id,
                                                        const std::string& session_id) {
  if (!running_) return stopped();
  auto it = nodes_.find(node_id);
  if (it == nodes_.end() || it->second.session_id.empty()) {
    return Status(Code::kNotFound, "node not registered");
  }
  if (session_id.empty() || it->second.session_id != session_id) {
    return Status(Code::kInvalidArgument, protocol::kSessionInvalid);
  }
  return &it->second;
}

void Dispatcher::set_deadline(NodeEntry& entry, Timestamp deadline) {
  entry.deadline = deadline;
  if (!earliest_deadline_ || deadline < *earliest_deadline_) earliest_deadline_ = deadline;
}

void Dispatcher::drop_locked(const std::string& id, const std::string& reason) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return;
  if (it->second.subscription) it->second.subscription->close(reason);
  nodes_.erase(it);
}

// Every node not DOWN becomes UNKNOWN, with 2 × the normal grace to register again.
Status Dispatcher::mark_nodes_unknown() {
  std::vector<std::string> ids;
  {
    store::ReadTxn snapshot = store_.view();
    for (const auto& cluster : snapshot.find<api::Swarm>()) {
      if (cluster->Spec.Dispatcher.HeartbeatPeriod.count() > 0) {
        MutexLock lock(mu_);
        period_ = cluster->Spec.Dispatcher.HeartbeatPeriod;
      }
    }
    for (const auto& node : snapshot.find<api::Node>()) {
      if (node->Status.State != api::NodeState::kDown) ids.push_back(node->ID);
    }
  }
  SHOAL_RETURN_IF_ERROR(store_.batch([&](store::Batch& batch) {
    for (const std::string& id : ids) {
      SHOAL_RETURN_IF_ERROR(batch.update([&](store::WriteTxn& tx) {
        auto node = tx.get<api::Node>(id);
        if (!node || node->Status.State == api::NodeState::kDown) return Status::ok();
        api::Node unknown = *node;
        unknown.Status.State = api::NodeState::kUnknown;
        unknown.Status.Message = kMovedToUnknown;
        return tx.update(std::move(unknown));
      }));
    }
    return Status::ok();
  }));
  MutexLock lock(mu_);
  Timestamp now = clock_.now();
  for (const std::string& id : ids) {
    NodeEntry& entry = nodes_[id];
    entry.unknown = true;
    set_deadline(entry, now + choose_period() * (options_.grace_multiplier * 2));
  }
  return Status::ok();
}

Status Dispatcher::mark_node_ready(const Peer& peer, const protocol::SessionRequest& request) {
  return store_.update([&](store::WriteTxn& tx) {
    auto node = tx.get<api::Node>(peer.NodeID);
    if (!node) return error(Code::kNotFound, "node {} not found", peer.NodeID);
    api::Node ready = *node;
    ready.Status.State = api::NodeState::kReady;
    ready.Status.Message.clear();
    // A manager that reports to the leader is reachable (MANAGER STATUS in `docker node ls`).
    if (ready.ManagerStatus) ready.ManagerStatus->Reachability = api::Reachability::kReachable;
    if (!peer.Addr.empty()) ready.Status.Addr = peer.Addr;
    ready.Description = request.Description;
    // The CA records which root a node's certificate chains to (ca/node_ca.h); an agent
    // that does not report it keeps that record.
    if (ready.Description.TLSInfo.TrustRoot.empty()) {
      ready.Description.TLSInfo = node->Description.TLSInfo;
    }
    return tx.update(std::move(ready));
  });
}

Result<protocol::SessionMessage> Dispatcher::session(const Peer& peer,
                                                     const protocol::SessionRequest& request) {
  if (!request.NodeID.empty() && request.NodeID != peer.NodeID) {
    return error(Code::kPermissionDenied, "node {} cannot open a session for node {}", peer.NodeID,
                 request.NodeID);
  }
  protocol::SessionMessage message;
  message.NodeID = peer.NodeID;
  {
    store::ReadTxn snapshot = store_.view();
    if (!snapshot.get<api::Node>(peer.NodeID)) {
      return error(Code::kNotFound, "node {} not found", peer.NodeID);
    }
    snapshot.for_each<api::Node>(store::by::All{}, [&](const std::shared_ptr<const api::Node>& n) {
      if (n->ManagerStatus && !n->ManagerStatus->Addr.empty()) {
        message.Managers.push_back(n->ManagerStatus->Addr);
      }
    });
  }
  {
    MutexLock lock(mu_);
    if (!running_) return stopped();
    NodeEntry& entry = nodes_[peer.NodeID];
    bool resume = !entry.session_id.empty() && entry.session_id == request.SessionID;
    if (!resume) {
      if (entry.subscription) entry.subscription->close("session replaced");
      entry.subscription.reset();
      entry.session_id = ids_.next();
    }
    entry.unknown = false;
    message.SessionID = entry.session_id;
    message.HeartbeatPeriod = choose_period();
    set_deadline(entry, clock_.now() + message.HeartbeatPeriod * options_.grace_multiplier);
  }
  // The entry exists before the node is READY, so an expiry racing with this registration
  // sees it and leaves the node alone.
  Status ready = mark_node_ready(peer, request);
  if (!ready.is_ok()) {
    MutexLock lock(mu_);
    auto it = nodes_.find(peer.NodeID);
    if (it != nodes_.end() && it->second.session_id == message.SessionID) {
      drop_locked(peer.NodeID, "session failed");
    }
    return ready;
  }
  spdlog::info("dispatcher: node {} registered (session {})", peer.NodeID, message.SessionID);
  return message;
}

Result<protocol::HeartbeatResponse> Dispatcher::heartbeat(
    const Peer& peer, const protocol::HeartbeatRequest& request) {
  MutexLock lock(mu_);
  SHOAL_ASSIGN_OR_RETURN(NodeEntry * entry, find_session(peer.NodeID, request.SessionID));
  protocol::HeartbeatResponse response;
  response.Period = choose_period();
  set_deadline(*entry, clock_.now() + response.Period * options_.grace_multiplier);
  return response;
}

Status Dispatcher::check_reports(const Peer& peer,
                                 const protocol::UpdateTaskStatusRequest& request) {
  {
    MutexLock lock(mu_);
    SHOAL_RETURN_IF_ERROR(find_session(peer.NodeID, request.SessionID).status());
  }
  store::ReadTxn snapshot = store_.view();
  for (const protocol::TaskStatusUpdate& u : request.Updates) {
    auto task = snapshot.get<api::Task>(u.TaskID);
    if (task && task->NodeID != peer.NodeID) {
      return Status(Code::kPermissionDenied, "cannot update a task not assigned this node");
    }
  }
  return Status::ok();
}

Status Dispatcher::update_task_status(const Peer& peer,
                                      const protocol::UpdateTaskStatusRequest& request) {
  SHOAL_RETURN_IF_ERROR(check_reports(peer, request));
  return writer_.apply(peer.NodeID, request.Updates);
}

void Dispatcher::update_task_status_async(const Peer& peer,
                                          protocol::UpdateTaskStatusRequest request,
                                          std::function<void(Status)> done) {
  Status checked = check_reports(peer, request);
  if (!checked.is_ok()) {
    done(std::move(checked));
    return;
  }
  writer_.apply_async(peer.NodeID, std::move(request.Updates), std::move(done));
}

Result<std::unique_ptr<protocol::AssignmentStream>> Dispatcher::assignments(
    const Peer& peer, const protocol::AssignmentsRequest& request) {
  MutexLock lock(mu_);
  SHOAL_ASSIGN_OR_RETURN(NodeEntry * entry, find_session(peer.NodeID, request.SessionID));
  if (entry->subscription) entry->subscription->close("assignment stream replaced");
  auto sub = std::make_shared<Subscription>(peer.NodeID, request.SessionID);
  ChangeMap complete;
  {
    store::ReadTxn snapshot = store_.view();
    sub->set().build(snapshot, complete);
  }
  sub->push(std::move(complete));
  entry->subscription = sub;
  return std::unique_ptr<protocol::AssignmentStream>(std::make_unique<SubscriptionStream>(sub));
}

}  // namespace shoal::manager::dispatcher
