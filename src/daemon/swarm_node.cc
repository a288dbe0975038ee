#include "daemon/swarm_node.h"

#include <spdlog/spdlog.h>

#include "api/swarm.h"

namespace shoal::daemon {

using manager::controlapi::Membership;

SwarmNode::SwarmNode(std::string data_dir, std::string engine_id, store::Store& store,
                     const Clock& clock, IdGenerator& ids, agent::Executor& executor,
                     api::NodeDescription description)
    : data_dir_(std::move(data_dir)),
      engine_id_(std::move(engine_id)),
      store_(store),
      clock_(clock),
      ids_(ids),
      executor_(executor),
      description_(std::move(description)) {}

SwarmNode::~SwarmNode() { stop(); }

Status SwarmNode::restore() {
  SHOAL_ASSIGN_OR_RETURN(auto saved, load_membership(data_dir_));
  if (!saved) return Status::ok();
  bool cluster_exists = store_.view().get<api::Swarm>(saved->membership.cluster_id) != nullptr;
  if (!cluster_exists) {
    spdlog::warn("forgetting the saved membership of cluster {}: the store no longer holds it",
                 saved->membership.cluster_id);
    return remove_membership(data_dir_);
  }
  std::lock_guard lock(mu_);
  saved_ = std::move(*saved);
  if (!saved_.unlock_key.empty()) {
    state_ = api::LocalNodeState::kLocked;
    spdlog::info("swarm is locked: run `docker swarm unlock`");
    return Status::ok();
  }
  return start_role_locked();
}

void SwarmNode::stop() {
  std::lock_guard lock(mu_);
  if (role_) role_->stop();
  role_.reset();
}

Status SwarmNode::start_role_locked() {
  const Membership& m = saved_.membership;
  std::string ip = m.advertise_addr.substr(0, m.advertise_addr.rfind(':'));
  auto role = std::make_unique<ManagerRole>(store_, clock_, ids_, executor_,
                                            ManagerRoleOptions{.node_id = m.node_id, .addr = ip});
  if (Status st = role->start(); !st.is_ok()) {
    state_ = api::LocalNodeState::kError;
    error_ = st.message();
    return st;
  }
  role_ = std::move(role);
  state_ = api::LocalNodeState::kActive;
  error_.clear();
  return Status::ok();
}

api::LocalNodeState SwarmNode::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

bool SwarmNode::is_manager() const {
  std::lock_guard lock(mu_);
  return state_ != api::LocalNodeState::kInactive &&
         saved_.membership.role == api::NodeRole::kManager;
}

std::string SwarmNode::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

std::string SwarmNode::node_id() const {
  std::lock_guard lock(mu_);
  return state_ == api::LocalNodeState::kInactive ? "" : saved_.membership.node_id;
}

std::string SwarmNode::advertise_addr() const {
  std::lock_guard lock(mu_);
  return state_ == api::LocalNodeState::kInactive ? "" : saved_.membership.advertise_addr;
}

Result<std::string> SwarmNode::resolve_ip(std::string_view host) const {
  return resolve_advertise_ip(host);
}

Status SwarmNode::on_joined(const Membership& membership) {
  std::lock_guard lock(mu_);
  saved_.membership = membership;
  SHOAL_RETURN_IF_ERROR(save_membership(data_dir_, saved_));
  return start_role_locked();
}

Status SwarmNode::on_leaving() {
  std::lock_guard lock(mu_);
  if (role_) role_->stop();
  role_.reset();
  SHOAL_RETURN_IF_ERROR(remove_membership(data_dir_));
  saved_ = SavedMembership{};
  state_ = api::LocalNodeState::kInactive;
  error_.clear();
  return Status::ok();
}

std::string SwarmNode::unlock_key() const {
  std::lock_guard lock(mu_);
  return saved_.unlock_key;
}

Status SwarmNode::set_unlock_key(std::string key) {
  std::lock_guard lock(mu_);
  std::string old = std::exchange(saved_.unlock_key, std::move(key));
  if (state_ == api::LocalNodeState::kInactive) return Status::ok();  // saved by on_joined
  Status st = save_membership(data_dir_, saved_);
  if (!st.is_ok()) saved_.unlock_key = std::move(old);
  return st;
}

Status SwarmNode::unlock(std::string_view key) {
  std::lock_guard lock(mu_);
  if (state_ != api::LocalNodeState::kLocked) {
    return Status(Code::kConflict, "swarm is not locked");
  }
  if (key != saved_.unlock_key) {
    return Status(Code::kUnauthenticated, "swarm could not be unlocked: invalid key provided");
  }
  return start_role_locked();
}

}  // namespace shoal::daemon
