#include "daemon/swarm_node.h"

#include <spdlog/spdlog.h>

#include "api/swarm.h"
#include "ca/cert_dir.h"
#include "ca/certs.h"
#include "common/mutex.h"
#include "daemon/node_certs.h"
#include "manager/controlapi/netaddr.h"

namespace shoal::daemon {

using manager::controlapi::Membership;
namespace netaddr = manager::controlapi;

namespace {

// moby's join timeout: the call returns an error after it, the node keeps trying.
constexpr auto kJoinTimeout = std::chrono::seconds(20);
constexpr std::string_view kManagerPort = "2377";

}  // namespace

SwarmNode::SwarmNode(std::string data_dir, std::string engine_id, store::Store& store,
                     const Clock& clock, IdGenerator& ids, agent::Executor& executor,
                     api::NodeDescription description, SwarmNodeOptions options)
    : data_dir_(std::move(data_dir)),
      engine_id_(std::move(engine_id)),
      store_(store),
      clock_(clock),
      ids_(ids),
      executor_(executor),
      description_(std::move(description)),
      options_(std::move(options)) {}

SwarmNode::~SwarmNode() { stop(); }

Status SwarmNode::restore() {
  SHOAL_ASSIGN_OR_RETURN(auto saved, load_membership(data_dir_));
  if (!saved) return Status::ok();
  if (saved->membership.role == api::NodeRole::kWorker) {
    MutexLock lock(mu_);
    saved_ = std::move(*saved);
    return start_role_locked();
  }
  bool cluster_exists = store_.view().get<api::Swarm>(saved->membership.cluster_id) != nullptr;
  if (!cluster_exists) {
    spdlog::warn("forgetting the saved membership of cluster {}: the store no longer holds it",
                 saved->membership.cluster_id);
    return remove_membership(data_dir_);
  }
  MutexLock lock(mu_);
  saved_ = std::move(*saved);
  if (!saved_.unlock_key.empty()) {
    state_ = api::LocalNodeState::kLocked;
    spdlog::info("swarm is locked: run `docker swarm unlock`");
    return Status::ok();
  }
  return start_role_locked();
}

void SwarmNode::stop() {
  MutexLock lock(mu_);
  stop_role_locked();
}

void SwarmNode::stop_role_locked() {
  if (role_) role_->stop();
  role_.reset();
  if (ha_) ha_->stop();
  ha_.reset();
  if (worker_) worker_->stop();
  worker_.reset();
}

Status SwarmNode::start_role_locked() {
  return saved_.membership.role == api::NodeRole::kWorker ? start_worker_locked()
                                                          : start_manager_locked();
}

Status SwarmNode::start_worker_locked() {
  const Membership& m = saved_.membership;
  Status st;
  if (options_.transport == nullptr) {
    st = Status(Code::kUnimplemented, "this daemon cannot reach other nodes (no transport)");
  } else if (saved_.manager_addrs.empty()) {
    st = Status(Code::kInternal, "the saved membership names no manager");
  }
  Result<ca::NodeCerts> certs =
      st.is_ok() ? ca::CertDir(data_dir_).read() : Result<ca::NodeCerts>(st);
  if (certs.is_ok()) {
    auto worker =
        std::make_unique<WorkerRole>(*options_.transport, executor_, clock_,
                                     WorkerRoleOptions{.node_id = m.node_id,
                                                       .manager_addr = saved_.manager_addrs.front(),
                                                       .other_managers = saved_.manager_addrs,
                                                       .data_dir = data_dir_,
                                                       .certs = std::move(*certs)});
    st = worker->start();
    if (st.is_ok()) worker_ = std::move(worker);
  } else {
    st = certs.status();
  }
  if (!st.is_ok()) {
    state_ = api::LocalNodeState::kError;
    error_ = st.message();
    return st;
  }
  state_ = api::LocalNodeState::kActive;
  error_.clear();
  return Status::ok();
}

Status SwarmNode::start_manager_locked() {
  const Membership& m = saved_.membership;
  std::string ip = m.advertise_addr.substr(0, m.advertise_addr.rfind(':'));
  ManagerRoleOptions role_options{.node_id = m.node_id,
                                  .addr = ip,
                                  .listen_addr = m.listen_addr,
                                  .data_dir = data_dir_,
                                  .transport = options_.transport,
                                  .etcd_cluster_id = 0};
  if (options_.replicated != nullptr) {
    role_options.etcd_cluster_id = options_.replicated->datastore->etcd_cluster_id();
    role_options.data_key = options_.replicated->sealed->key();
    role_options.forward = options_.forward;
  }
  if (options_.replicated != nullptr) {
    if (options_.transport == nullptr) {
      state_ = api::LocalNodeState::kError;
      error_ = "a manager on a shared store needs to reach other nodes (no transport)";
      return Status(Code::kUnimplemented, error_);
    }
    ha_ = std::make_shared<HaManager>(
        store_, *options_.replicated, clock_, ids_, executor_,
        HaManagerOptions{.role = role_options, .manager_addr = m.advertise_addr});
    ha_->start();
    state_ = api::LocalNodeState::kActive;
    error_.clear();
    return Status::ok();
  }
  auto role = std::make_unique<ManagerRole>(store_, clock_, ids_, executor_, role_options);
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
  MutexLock lock(mu_);
  if (worker_ && worker_->removed()) return api::LocalNodeState::kError;
  return state_;
}

bool SwarmNode::is_manager() const {
  MutexLock lock(mu_);
  return state_ != api::LocalNodeState::kInactive &&
         saved_.membership.role == api::NodeRole::kManager;
}

std::string SwarmNode::error() const {
  MutexLock lock(mu_);
  if (worker_ && worker_->removed()) return std::string(kNodeRemovedText);
  // A manager that cannot serve other nodes still works alone; `docker info` says why
  // nobody can join it (Swarm.Error, printed by the CLI under "Swarm: active").
  if (error_.empty() && role_ && !role_->endpoint_error().empty()) {
    return "not serving other nodes: " + role_->endpoint_error();
  }
  if (error_.empty() && ha_ && !ha_->endpoint_error().empty()) {
    return "not serving other nodes: " + ha_->endpoint_error();
  }
  return error_;
}

std::string SwarmNode::node_id() const {
  MutexLock lock(mu_);
  return state_ == api::LocalNodeState::kInactive ? "" : saved_.membership.node_id;
}

std::string SwarmNode::advertise_addr() const {
  MutexLock lock(mu_);
  return state_ == api::LocalNodeState::kInactive ? "" : saved_.membership.advertise_addr;
}

Result<std::string> SwarmNode::resolve_ip(std::string_view host) const {
  return resolve_advertise_ip(host);
}

Status SwarmNode::adopt_data_key_locked(const std::string& raw) {
  if (options_.replicated == nullptr) {
    return Status(Code::kInternal, "joined as a manager without a shared store");
  }
  auto key = store::DataKey::from_bytes(
      std::span(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()));
  if (!key.is_ok()) {
    return shoal::error(Code::kInternal, "the swarm's data key from the manager is unusable: {}",
                        key.status().message());
  }
  SHOAL_RETURN_IF_ERROR(store::FileKeyStore(data_dir_).replace(*key));
  options_.replicated->sealed->set_key(*key);
  options_.replicated->sealed->set_skip_unopenable(false);
  return Status::ok();
}

Status SwarmNode::on_joined(const Membership& membership) {
  MutexLock lock(mu_);
  // A swarm made here: this node's key seals the shared store from now on.
  if (options_.replicated != nullptr) options_.replicated->sealed->set_skip_unopenable(false);
  saved_.membership = membership;
  SHOAL_RETURN_IF_ERROR(save_membership(data_dir_, saved_));
  SHOAL_RETURN_IF_ERROR(start_role_locked());
  // As in Docker, a new swarm takes joins once init returns: its only manager leads by then.
  if (ha_) return ha_->wait_leading(std::chrono::seconds(15));
  return Status::ok();
}

Status SwarmNode::on_leaving() {
  MutexLock lock(mu_);
  bool worker =
      saved_.membership.role == api::NodeRole::kWorker && state_ != api::LocalNodeState::kInactive;
  stop_role_locked();
  if (worker) {
    size_t stopped = stop_all_tasks(executor_);
    spdlog::info("left the swarm: stopped {} tasks", stopped);
  }
  SHOAL_RETURN_IF_ERROR(ca::CertDir(data_dir_).remove());
  SHOAL_RETURN_IF_ERROR(remove_membership(data_dir_));
  saved_ = SavedMembership{};
  state_ = api::LocalNodeState::kInactive;
  error_.clear();
  return Status::ok();
}

std::optional<std::string> SwarmNode::forward_target() const {
  MutexLock lock(mu_);
  if (!ha_ || state_ != api::LocalNodeState::kActive || ha_->leading()) return std::nullopt;
  return ha_->leader_addr();
}

Status SwarmNode::catch_up(std::chrono::milliseconds timeout) {
  std::shared_ptr<HaManager> ha;
  {
    MutexLock lock(mu_);
    ha = ha_;
  }
  if (!ha) return Status(Code::kUnavailable, "this node does not follow a leader");
  return ha->catch_up(timeout);
}

void SwarmNode::leader_unreachable() {
  std::shared_ptr<HaManager> ha;
  {
    MutexLock lock(mu_);
    ha = ha_;
  }
  if (ha) ha->leader_unreachable();
}

std::string SwarmNode::unlock_key() const {
  MutexLock lock(mu_);
  return saved_.unlock_key;
}

Status SwarmNode::set_unlock_key(std::string key) {
  MutexLock lock(mu_);
  std::string old = std::exchange(saved_.unlock_key, std::move(key));
  if (state_ == api::LocalNodeState::kInactive) return Status::ok();  // saved by on_joined
  Status st = save_membership(data_dir_, saved_);
  if (!st.is_ok()) saved_.unlock_key = std::move(old);
  return st;
}

Status SwarmNode::unlock(std::string_view key) {
  MutexLock lock(mu_);
  if (state_ != api::LocalNodeState::kLocked) {
    return Status(Code::kConflict, "swarm is not locked");
  }
  if (key != saved_.unlock_key) {
    return Status(Code::kUnauthenticated, "swarm could not be unlocked: invalid key provided");
  }
  return start_role_locked();
}

}  // namespace shoal::daemon

namespace shoal::daemon {

std::vector<api::Peer> SwarmNode::remote_managers() const {
  MutexLock lock(mu_);
  std::vector<api::Peer> out;
  if (state_ == api::LocalNodeState::kInactive) return out;
  for (const std::string& addr : saved_.manager_addrs) out.push_back(api::Peer{"", addr});
  return out;
}

Status SwarmNode::join(const api::JoinRequest& request) {
  MutexLock lock(mu_);
  if (options_.transport == nullptr) {
    return Status(Code::kUnimplemented, "joining a swarm is not supported by this daemon");
  }
  auto remote = netaddr::normalize_tcp_addr(request.RemoteAddrs.front(), "", kManagerPort);
  if (!remote) {
    return shoal::error(Code::kInvalidArgument, "invalid remote address {}",
                        request.RemoteAddrs.front());
  }
  // What to advertise: the request's, else --advertise-addr, else the host's address; the
  // manager records the connection's address anyway, so an unresolvable one is no error.
  std::string advertise =
      request.AdvertiseAddr.empty() ? options_.advertise_addr : request.AdvertiseAddr;
  if (auto hp = netaddr::split_host_port(advertise)) advertise = hp->host;
  if (!netaddr::parse_ip(advertise)) {
    auto ip = resolve_advertise_ip(advertise);
    if (!ip.is_ok() && !advertise.empty()) return ip.status();
    advertise = ip.is_ok() ? *ip : "";
  }
  // Where this node would serve other nodes if it joins as a manager: the daemon's
  // --listen-addr replaces Docker's default, as in swarm init.
  std::string listen = request.ListenAddr;
  if (listen == "0.0.0.0:2377" && !options_.listen_addr.empty()) listen = options_.listen_addr;
  std::string listen_port(kManagerPort);
  if (auto hp = netaddr::split_host_port(listen)) listen_port = hp->port;
  state_ = api::LocalNodeState::kPending;
  auto joined = options_.transport->join(JoinParams{
      .remote_addr = *remote,
      .join_token = request.JoinToken,
      .availability = request.Availability,
      .advertise_addr = advertise,
      .timeout = kJoinTimeout,
      .etcd_cluster_id =
          options_.replicated != nullptr ? options_.replicated->datastore->etcd_cluster_id() : 0,
      .manager_addr = netaddr::join_host_port(advertise, listen_port)});
  Status st = joined.is_ok() ? save_joined_locked(request, *remote, advertise, listen, *joined)
                             : joined.status();
  if (!st.is_ok()) {
    state_ = api::LocalNodeState::kInactive;
    return st;
  }
  if (saved_.membership.role == api::NodeRole::kManager) {
    spdlog::info("joined the swarm as manager node {}", joined->node_id);
    return Status::ok();
  }
  // Wait for the first session without the lock (docker info stays answerable); join and
  // leave are serialised by the control API, so worker_ stays.
  WorkerRole* worker = worker_.get();
  lock.unlock();
  st = worker->wait_for_session(kJoinTimeout);
  if (st.is_ok()) spdlog::info("joined the swarm as worker node {}", joined->node_id);
  return st;
}

Status SwarmNode::save_joined_locked(const api::JoinRequest& request, const std::string& remote,
                                     const std::string& advertise, const std::string& listen,
                                     const JoinedNode& joined) {
  SHOAL_ASSIGN_OR_RETURN(ca::Identity identity, ca::identity_of(joined.certs.cert_pem));
  const bool manager = identity.role == api::NodeRole::kManager;
  std::string port(kManagerPort);
  if (auto hp = netaddr::split_host_port(listen); manager && hp) port = hp->port;
  SavedMembership saved;
  saved.membership = Membership{joined.node_id,
                                identity.cluster_id,
                                identity.role,
                                advertise.empty() ? "" : netaddr::join_host_port(advertise, port),
                                manager ? listen : request.ListenAddr,
                                request.DataPathAddr};
  saved.manager_addrs = {remote};
  ca::CertDir certs(data_dir_);
  Status st = certs.write(joined.certs);
  if (st.is_ok()) st = save_membership(data_dir_, saved);
  if (st.is_ok()) {
    saved_ = std::move(saved);
    if (manager) {
      // The store is the swarm's (the CA checked that it is the same etcd): take the
      // swarm's data key, and read the store again with it.
      st = adopt_data_key_locked(joined.data_key);
      if (st.is_ok()) st = store_.reload();
      if (st.is_ok()) st = start_manager_locked();
    } else {
      st = start_worker_locked();
    }
  }
  if (!st.is_ok()) {
    stop_role_locked();
    (void)certs.remove();
    (void)remove_membership(data_dir_);
    saved_ = SavedMembership{};
  }
  return st;
}

}  // namespace shoal::daemon
