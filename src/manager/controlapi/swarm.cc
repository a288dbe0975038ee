// Swarm membership and the cluster object: init, join, leave, inspect, update, unlock.
#include "manager/controlapi/swarm.h"

#include <type_traits>
#include <utility>
#include <vector>

#include "ca/root_ca.h"
#include "common/mutex.h"
#include "manager/controlapi/errors.h"
#include "manager/controlapi/netaddr.h"
#include "manager/controlapi/swarm_ca.h"
#include "manager/controlapi/swarm_init.h"
#include "manager/controlapi/tokens.h"

namespace shoal::manager::controlapi {
namespace {

constexpr std::string_view kLeaveLockedText =
    "Swarm is encrypted and locked. Please unlock it first or use `--force` to ignore this "
    "message.";
constexpr std::string_view kLeaveManagerText =
    "You are attempting to leave the swarm on a node that is participating as a manager. ";
constexpr std::string_view kLastManagerText =
    "Removing the last manager erases all current state of the swarm. Use `--force` to "
    "ignore this message.";
constexpr std::string_view kLoseConsensusText =
    "Doing so may lose the consensus of your cluster. The only way to restore a swarm that "
    "has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to "
    "suppress this message.";

std::shared_ptr<const api::Swarm> find_cluster(const store::ReadTxn& tx) {
  auto clusters = tx.find<api::Swarm>(store::by::Name{kClusterName});
  if (clusters.empty()) clusters = tx.find<api::Swarm>();
  return clusters.empty() ? nullptr : clusters.front();
}

// Removes every object of every kind through a Store::batch (a swarm may hold millions of
// tasks); each commit is atomic, and a failure leaves the rest for the next init to wipe.
Status delete_everything(store::Store& store) {
  std::vector<std::pair<store::Kind, std::string>> objects;
  {
    store::ReadTxn view = store.view();
    store::for_each_kind([&](auto* type) {
      using T = std::remove_pointer_t<decltype(type)>;
      view.for_each<T>(store::by::All{}, [&](const std::shared_ptr<const T>& object) {
        objects.emplace_back(store::kind_of<T>, object->ID);
      });
    });
  }
  return store.batch([&](store::Batch& batch) {
    for (const auto& [kind, id] : objects) {
      SHOAL_RETURN_IF_ERROR(batch.update([&, kind = kind, &id = id](store::WriteTxn& tx) {
        return store::visit_kind(kind, [&](auto* type) -> Status {
          using T = std::remove_pointer_t<decltype(type)>;
          if (!tx.get<T>(id)) return Status::ok();
          return tx.remove<T>(id);
        });
      }));
    }
    return Status::ok();
  });
}

// Within one transaction: removes whatever an earlier membership left behind.
Status delete_leftovers(store::WriteTxn& tx) {
  Status status;
  store::for_each_kind([&](auto* type) {
    using T = std::remove_pointer_t<decltype(type)>;
    for (const auto& object : tx.find<T>()) {
      if (status.is_ok()) status = tx.remove<T>(object->ID);
    }
  });
  return status;
}

// Within an update: the CA part (swarm_ca.h) and the token rotations the flags ask for, on
// `cluster` (the current object with the new spec). Returns this manager's new TLS files
// when the root rotated; this node's TLSInfo is then updated in `tx`, and the rotation
// finished at once when no other READY node holds it up.
Result<std::optional<ca::NodeCerts>> update_cluster_ca(const Context& ctx, store::WriteTxn& tx,
                                                       const api::Swarm& current,
                                                       const api::Spec& requested,
                                                       const api::UpdateFlags& flags,
                                                       api::Swarm& cluster) {
  std::optional<api::Node> self;
  if (auto node = tx.get<api::Node>(ctx.local.node_id())) self = *node;
  SHOAL_ASSIGN_OR_RETURN(std::optional<ca::NodeCerts> certs,
                         plan_ca_update(ctx, current, requested, cluster, self ? &*self : nullptr));
  if (!certs) {
    if (flags.RotateWorkerToken) {
      SHOAL_ASSIGN_OR_RETURN(cluster.JoinTokens.Worker, ca::new_join_token(cluster, ctx.random));
    }
    if (flags.RotateManagerToken) {
      SHOAL_ASSIGN_OR_RETURN(cluster.JoinTokens.Manager, ca::new_join_token(cluster, ctx.random));
    }
    return certs;
  }
  SHOAL_RETURN_IF_ERROR(tx.update(*self));
  if (ca::rotation_done(cluster, tx.find<api::Node>())) {
    ca::finish_rotation(cluster);
    certs->ca_pem = cluster.Spec.CAConfig.SigningCACert;
    certs->cert_pem = ca::split_pem(certs->cert_pem).front();  // no cross-signed root
  }
  return certs;
}

bool is_last_manager(const Context& ctx) {
  std::string self = ctx.local.node_id();
  size_t others = 0;
  store::ReadTxn view = ctx.store.view();
  view.for_each<api::Node>(store::by::All{}, [&](const std::shared_ptr<const api::Node>& node) {
    bool reachable =
        node->ManagerStatus && node->ManagerStatus->Reachability == api::Reachability::kReachable;
    if (node->ID != self && reachable) ++others;
  });
  return others == 0;
}

}  // namespace

Result<std::string> init_swarm(Context& ctx, const api::InitRequest& request) {
  MutexLock lock(ctx.membership_mu);
  if (ctx.local.state() != api::LocalNodeState::kInactive) {
    if (request.ForceNewCluster && ctx.local.is_manager() && !ctx.local.node_id().empty()) {
      return ctx.local.node_id();
    }
    if (request.ForceNewCluster && !ctx.local.is_manager()) {
      return Status(Code::kUnavailable, std::string(kWorkerText));
    }
    return Status(Code::kUnavailable, std::string(kAlreadyInSwarmText));
  }
  if (ctx.local.shares_store()) {
    // The store is other managers' too: init only an empty one (read afresh), never wipe
    // theirs. A swarm it holds may be sealed with a key this node lacks: its nodes and
    // networks are plain.
    SHOAL_RETURN_IF_ERROR(ctx.store.reload());
    store::ReadTxn view = ctx.store.view();
    if (view.count<api::Swarm>() + view.count<api::Node>() + view.count<api::Network>() > 0) {
      auto cluster = find_cluster(view);
      return error(Code::kUnavailable,
                   "this node's store (a shared etcd) already holds {}: join it as a manager "
                   "with `docker swarm join --token <manager token> <manager address>`",
                   cluster ? "swarm " + cluster->ID : std::string("a swarm"));
    }
  }
  SHOAL_ASSIGN_OR_RETURN(InitPlan plan, plan_init(ctx, request));

  Status status = ctx.store.update([&](store::WriteTxn& tx) {
    SHOAL_RETURN_IF_ERROR(delete_leftovers(tx));
    SHOAL_RETURN_IF_ERROR(tx.create(plan.cluster));
    SHOAL_RETURN_IF_ERROR(tx.create(plan.node));
    return tx.create(plan.ingress);
  });
  if (!status.is_ok()) return status;

  status = ctx.local.save_certificates(plan.certs);
  if (status.is_ok() && plan.autolock)
    status = ctx.local.set_unlock_key(make_unlock_key(ctx.random(kUnlockKeyBytes)));
  if (status.is_ok()) status = ctx.local.on_joined(plan.membership);
  if (!status.is_ok()) {
    (void)ctx.local.on_leaving();
    (void)delete_everything(ctx.store);
    (void)ctx.local.remove_certificates();
    return status;
  }
  return plan.node.ID;
}

Status join_swarm(Context& ctx, const api::JoinRequest& request) {
  MutexLock lock(ctx.membership_mu);
  if (ctx.local.state() != api::LocalNodeState::kInactive) {
    return Status(Code::kUnavailable, std::string(kAlreadyInSwarmText));
  }
  if (request.ListenAddr.empty()) {
    return Status(Code::kInvalidArgument, "invalid ListenAddr \"\": invalid empty address");
  }
  if (request.RemoteAddrs.empty()) {
    return Status(Code::kInvalidArgument, "at least 1 RemoteAddr is required to join");
  }
  return ctx.local.join(request);
}

Status leave_swarm(Context& ctx, bool force) {
  MutexLock lock(ctx.membership_mu);
  api::LocalNodeState state = ctx.local.state();
  if (state == api::LocalNodeState::kInactive || state == api::LocalNodeState::kUnset) {
    return Status(Code::kUnavailable, std::string(kNotPartOfSwarmText));
  }
  if (state == api::LocalNodeState::kLocked && !force) {
    return Status(Code::kUnavailable, std::string(kLeaveLockedText));
  }
  if (ctx.local.is_manager() && !force) {
    std::string message(kLeaveManagerText);
    if (state == api::LocalNodeState::kActive && is_last_manager(ctx)) {
      return Status(Code::kUnavailable, message + std::string(kLastManagerText));
    }
    return Status(Code::kUnavailable, message + std::string(kLoseConsensusText));
  }
  const bool shared = ctx.local.shares_store();
  SHOAL_RETURN_IF_ERROR(ctx.local.on_leaving());
  // A shared store is the other managers' swarm: it stays (this node stays listed until
  // `docker node rm`, as a manager that left does in Docker).
  if (!shared) SHOAL_RETURN_IF_ERROR(delete_everything(ctx.store));
  return ctx.local.remove_certificates();
}

Result<api::Swarm> inspect_swarm(const Context& ctx) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  std::shared_ptr<const api::Swarm> cluster = find_cluster(ctx.store.view());
  if (!cluster) return Status(Code::kUnavailable, std::string(kNotPartOfSwarmText));
  api::Swarm out = *cluster;
  out.Spec.CAConfig.SigningCACert.clear();
  out.Spec.CAConfig.SigningCAKey.clear();
  return out;
}

Status update_swarm(Context& ctx, uint64_t version, const api::Spec& requested,
                    const api::UpdateFlags& flags) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  SHOAL_ASSIGN_OR_RETURN(api::Spec spec, update_cluster_spec(requested));
  bool autolock = spec.EncryptionConfig.AutoLockManagers;
  std::string old_key = ctx.local.unlock_key();
  std::optional<ca::NodeCerts> own_certs;
  Status status = ctx.store.update([&](store::WriteTxn& tx) {
    std::shared_ptr<const api::Swarm> current = find_cluster(tx);
    if (!current) return Status(Code::kUnavailable, std::string(kNotPartOfSwarmText));
    api::Swarm cluster = *current;
    cluster.Version.Index = version;
    cluster.Spec = spec;
    SHOAL_ASSIGN_OR_RETURN(own_certs,
                           update_cluster_ca(ctx, tx, *current, requested, flags, cluster));
    return tx.update(std::move(cluster));
  });
  SHOAL_RETURN_IF_ERROR(from_store(status));
  if (own_certs) {
    status = ctx.local.save_certificates(*own_certs);
    if (!status.is_ok()) {
      return error(Code::kInternal,
                   "the root CA was rotated but this node's certificates were not written: {}",
                   status.message());
    }
  }

  std::string new_key = old_key;
  if (!autolock) {
    new_key.clear();
  } else if (old_key.empty() || flags.RotateManagerUnlockKey) {
    new_key = make_unlock_key(ctx.random(kUnlockKeyBytes));
  }
  if (new_key == old_key) return Status::ok();
  status = ctx.local.set_unlock_key(new_key);
  if (!status.is_ok()) {
    return error(Code::kInternal, "the swarm spec was updated but the unlock key was not: {}",
                 status.message());
  }
  return Status::ok();
}

Result<api::SwarmUnlockKeyResponse> get_unlock_key(const Context& ctx) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  return api::SwarmUnlockKeyResponse{ctx.local.unlock_key()};
}

Status unlock_swarm(Context& ctx, const api::UnlockRequest& request) {
  MutexLock lock(ctx.membership_mu);
  api::LocalNodeState state = ctx.local.state();
  if (state == api::LocalNodeState::kActive && ctx.local.is_manager()) {
    return Status(Code::kConflict, "swarm is not locked");
  }
  if (state != api::LocalNodeState::kLocked) {
    return manager_state_error(state, ctx.local.is_manager());
  }
  SHOAL_RETURN_IF_ERROR(check_unlock_key(request.UnlockKey));
  return ctx.local.unlock(request.UnlockKey);
}

}  // namespace shoal::manager::controlapi
