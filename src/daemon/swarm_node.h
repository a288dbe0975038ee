// SwarmNode: the daemon's side of swarm membership — controlapi::LocalNode implemented
// for real. It knows whether this node is in a swarm (from <data-dir>/swarm.json, see
// membership_file.h), describes the host, finds addresses to advertise, and runs the
// node's role while it is an active member: the ManagerRole after swarm init, the
// WorkerRole after swarm join (through the ClusterTransport, cluster_transport.h).
//
// States: inactive (no membership) → active (swarm init: on_joined starts the manager
// role; swarm join: join() gets certificates, saves them and the membership, starts the
// worker role and waits for its first session) → inactive (swarm leave: on_leaving stops
// the role; a worker also stops its tasks and forgets its certificates). A worker whose
// manager says it was removed (`docker node rm`) is in the error state until it leaves.
// At daemon start, restore() brings a saved membership back: active with the role
// started, or locked when autolock is on (the role starts once `docker swarm unlock`
// gives the right key).
//
// Thread safety: every method may be called from any thread; one mutex guards the state
// and is held while the role starts or stops (the control API serialises membership calls
// anyway, so nothing waits long).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "agent/executor.h"
#include "api/node.h"
#include "common/id.h"
#include "common/mutex.h"
#include "common/time.h"
#include "daemon/cluster_transport.h"
#include "daemon/ha_manager.h"
#include "daemon/manager_role.h"
#include "daemon/membership_file.h"
#include "daemon/worker_role.h"
#include "manager/controlapi/local_node.h"
#include "store/store.h"

namespace shoal::daemon {

struct SwarmNodeOptions {
  // The daemon's --listen-addr / --advertise-addr ("" = Docker's defaults).
  std::string listen_addr = {};
  std::string advertise_addr = {};
  // How to reach other nodes; null = a single-node daemon (join answers kUnimplemented,
  // the manager serves nobody). Must outlive the node.
  ClusterTransport* transport = nullptr;
  // The store's etcd, when it is shared with other managers (--etcd-endpoints): this node's
  // manager role is then an HaManager (ha_manager.h). null = an embedded store. Must
  // outlive the node.
  const ReplicatedStore* replicated = nullptr;
  // With `replicated`: how this node, leading, serves what followers forward.
  protocol::ForwardHandler forward = {};
};

class SwarmNode final : public manager::controlapi::LocalNode {
 public:
  // Every referent must outlive the node. `engine_id` is the daemon's stable ID.
  SwarmNode(std::string data_dir, std::string engine_id, store::Store& store, const Clock& clock,
            IdGenerator& ids, agent::Executor& executor, api::NodeDescription description,
            SwarmNodeOptions options = {});
  ~SwarmNode() override;  // stop()

  // Brings back the membership saved in the data dir (see the file comment). A saved
  // membership whose cluster is gone from the store is dropped (inactive).
  // Errors: the membership file's read error; the role's start error.
  Status restore();
  // Stops the role (tasks keep running). Idempotent.
  void stop();

  // ---- controlapi::LocalNode
  api::LocalNodeState state() const override;
  bool is_manager() const override;
  std::string error() const override;
  std::string node_id() const override;
  std::string advertise_addr() const override;
  api::NodeDescription description() const override { return description_; }
  std::string engine_id() const override { return engine_id_; }
  std::string data_dir() const override { return data_dir_; }
  Result<std::string> resolve_ip(std::string_view host) const override;
  Status on_joined(const manager::controlapi::Membership& membership) override;
  // Errors: kUnimplemented without a transport; kInvalidArgument for a bad remote or
  // advertise address; the transport's join errors (nothing saved); kInternal when the
  // certificates or the membership cannot be saved (nothing left behind); WorkerRole's
  // wait_for_session errors (the node stays joined and keeps trying, as Docker's does).
  Status join(const api::JoinRequest& request) override;
  std::vector<api::Peer> remote_managers() const override;
  std::string default_listen_addr() const override { return options_.listen_addr; }
  std::string default_advertise_addr() const override { return options_.advertise_addr; }
  bool shares_store() const override { return options_.replicated != nullptr; }

  // ---- for a manager on a shared store (ha_manager.h)
  // Where this node forwards changes to the swarm: nullopt when it serves them itself (it
  // leads, or has an embedded store, or is no manager); "" when no manager leads now.
  std::optional<std::string> forward_target() const;
  // After a forwarded change: waits until this follower's store holds it. Errors: as
  // HaManager::catch_up.
  Status catch_up(std::chrono::milliseconds timeout);
  // A change forwarded to the leader found nobody there: look for the new leader at once.
  void leader_unreachable();
  Status on_leaving() override;
  std::string unlock_key() const override;
  Status set_unlock_key(std::string key) override;
  Status unlock(std::string_view key) override;

 private:
  // Starts the role for saved_.
  Status start_role_locked() REQUIRES(mu_);
  Status start_manager_locked() REQUIRES(mu_);
  Status start_worker_locked() REQUIRES(mu_);
  // Stops whichever role runs.
  void stop_role_locked() REQUIRES(mu_);
  // A manager's join: the swarm's data key (raw bytes from the CA) replaces this node's, on
  // disk and in the store's sealing.
  Status adopt_data_key_locked(const std::string& raw) REQUIRES(mu_);
  // join() after the checks, with certificates in hand.
  Status save_joined_locked(const api::JoinRequest& request, const std::string& remote,
                            const std::string& advertise, const std::string& listen,
                            const JoinedNode& joined) REQUIRES(mu_);

  // Const after construction.
  const std::string data_dir_;
  const std::string engine_id_;
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  agent::Executor& executor_;
  const api::NodeDescription description_;
  const SwarmNodeOptions options_;

  mutable Mutex mu_;
  api::LocalNodeState state_ GUARDED_BY(mu_) = api::LocalNodeState::kInactive;
  std::string error_ GUARDED_BY(mu_);
  SavedMembership saved_ GUARDED_BY(mu_);
  std::unique_ptr<ManagerRole> role_ GUARDED_BY(mu_);
  // Instead of role_ on a shared store; shared with callers that wait on it unlocked.
  std::shared_ptr<HaManager> ha_ GUARDED_BY(mu_);
  std::unique_ptr<WorkerRole> worker_ GUARDED_BY(mu_);
};

// The IP this host advertises when none is given: the IPv4 address of the interface that
// holds the default route, else the only non-loopback IPv4 address. `host` may instead
// name an interface. Errors (kInvalidArgument) carry Docker's texts.
Result<std::string> resolve_advertise_ip(std::string_view host);

}  // namespace shoal::daemon
