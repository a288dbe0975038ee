#include "manager/dispatcher/dispatcher_loop.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/mutex.h"

namespace shoal::manager::dispatcher {

store::WatchFilter Dispatcher::Loop::filter() const {
  return store::WatchFilter::of({store::Kind::kTask, store::Kind::kNode, store::Kind::kCluster});
}

void Dispatcher::Loop::on_snapshot(const store::ReadTxn&) {
  resync_all_ = true;
  cluster_dirty_ = true;
  dirty_.clear();
  deleted_nodes_.clear();
}

void Dispatcher::Loop::on_event(const store::Event& event) {
  switch (event.kind) {
    case store::Kind::kTask: {
      for (const auto* object : {&event.old_as<api::Task>(), &event.new_as<api::Task>()}) {
        if (!*object || (*object)->NodeID.empty()) continue;
        const std::string& node = (*object)->NodeID;
        auto it = dirty_.find(absl::string_view(node.data(), node.size()));
        if (it == dirty_.end()) {
          it = dirty_.try_emplace(absl::string_view(node.data(), node.size())).first;
        }
        it->second.push_back(*object);
      }
      break;
    }
    case store::Kind::kNode:
      if (event.action == store::Action::kDelete) deleted_nodes_.emplace_back(event.id());
      break;
    case store::Kind::kCluster:
      cluster_dirty_ = true;
      break;
    default:
      break;
  }
}

std::optional<Timestamp> Dispatcher::Loop::tick(Timestamp now) {
  if (cluster_dirty_) read_heartbeat_period();
  route_changes();
  drop_deleted_nodes();
  return expire(now);
}

void Dispatcher::Loop::read_heartbeat_period() {
  cluster_dirty_ = false;
  std::chrono::nanoseconds period = d_.options_.default_heartbeat_period;
  {
    store::ReadTxn snapshot = d_.store_.view();
    for (const auto& cluster : snapshot.find<api::Swarm>()) {
      if (cluster->Spec.Dispatcher.HeartbeatPeriod.count() > 0) {
        period = cluster->Spec.Dispatcher.HeartbeatPeriod;
      }
    }
  }
  MutexLock lock(d_.mu_);
  d_.period_ = period;
}

void Dispatcher::Loop::route_changes() {
  if (dirty_.empty() && !resync_all_) return;
  if (!resync_all_) {
    route_dirty();
    return;
  }
  // After a fresh snapshot: every node's set against the store.
  MutexLock lock(d_.mu_);
  store::ReadTxn snapshot = d_.store_.view();
  std::vector<std::string> gone;  // deleted while no watch was open
  for (auto& [id, entry] : d_.nodes_) {
    if (!snapshot.get<api::Node>(id)) {
      gone.push_back(id);
      continue;
    }
    if (!entry.subscription) continue;
    ChangeMap changes;
    entry.subscription->set().resync(snapshot, changes);
    entry.subscription->push(std::move(changes));
  }
  for (const std::string& id : gone) d_.drop_locked(id, "node removed");
  resync_all_ = false;
  dirty_.clear();
}

void Dispatcher::Loop::route_dirty() {
  // In chunks, each under the lock and a snapshot of its own (a newer snapshot only brings a
  // node further up to date): heartbeats, sessions and store commits wait for one chunk,
  // not for the routing of a whole large commit.
  auto next = dirty_.begin();
  while (next != dirty_.end()) {
    MutexLock lock(d_.mu_);
    store::ReadTxn snapshot = d_.store_.view();
    size_t routed = 0;
    for (; next != dirty_.end() && routed < kTasksPerChunk; ++next) {
      auto& [node_id, tasks] = *next;
      routed += tasks.size();
      auto it = d_.nodes_.find(std::string(node_id.data(), node_id.size()));
      if (it == d_.nodes_.end() || !it->second.subscription) continue;
      Subscription& sub = *it->second.subscription;
      // A task with several events in the window is brought up to date once.
      std::vector<std::string_view> ids;
      ids.reserve(tasks.size());
      for (const auto& task : tasks) ids.emplace_back(task->ID);
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      ChangeMap changes;
      for (std::string_view id : ids) sub.set().sync_task(snapshot, id, changes);
      sub.push(std::move(changes));
    }
  }
  dirty_.clear();
}

void Dispatcher::Loop::drop_deleted_nodes() {
  if (deleted_nodes_.empty()) return;
  MutexLock lock(d_.mu_);
  for (const std::string& id : deleted_nodes_) d_.drop_locked(id, "node removed");
  deleted_nodes_.clear();
}

std::optional<Timestamp> Dispatcher::Loop::expire(Timestamp now) {
  std::optional<Timestamp> next;
  {
    MutexLock lock(d_.mu_);
    if (down_pending_.empty() && (!d_.earliest_deadline_ || now < *d_.earliest_deadline_)) {
      return d_.earliest_deadline_;  // nothing can have expired yet
    }
    std::vector<std::string> expired;
    for (const auto& [id, entry] : d_.nodes_) {
      if (entry.deadline <= now) {
        expired.push_back(id);
        down_pending_.emplace_back(id, entry.unknown);
      } else if (!next || entry.deadline < *next) {
        next = entry.deadline;
      }
    }
    for (const std::string& id : expired) d_.drop_locked(id, "session expired");
    d_.earliest_deadline_ = next;
  }
  if (down_pending_.empty()) return next;

  Status written = d_.store_.batch([&](store::Batch& batch) {
    for (const auto& entry : down_pending_) {
      const auto& id = entry.first;
      const bool unknown = entry.second;
      SHOAL_RETURN_IF_ERROR(batch.update([&](store::WriteTxn& tx) {
        {
          MutexLock lock(d_.mu_);
          if (d_.nodes_.contains(id)) return Status::ok();  // it came back meanwhile
        }
        auto node = tx.get<api::Node>(id);
        if (!node || node->Status.State == api::NodeState::kDown) return Status::ok();
        api::Node down = *node;
        down.Status.State = api::NodeState::kDown;
        down.Status.Message = unknown ? kUnknownHeartbeatFailure : kHeartbeatFailure;
        // A manager whose node is down is one the others cannot count on.
        if (down.ManagerStatus && !down.ManagerStatus->Leader) {
          down.ManagerStatus->Reachability = api::Reachability::kUnreachable;
        }
        spdlog::info("dispatcher: node {} missed its heartbeat deadline; marking it down", id);
        return tx.update(std::move(down));
      }));
    }
    return Status::ok();
  });
  if (written.is_ok()) {
    down_pending_.clear();
    return next;
  }
  spdlog::error("dispatcher: cannot mark {} nodes down (retrying): {}", down_pending_.size(),
                written.message());
  Timestamp retry = now + kDownRetry;
  return next && *next < retry ? next : std::optional<Timestamp>(retry);
}

}  // namespace shoal::manager::dispatcher
