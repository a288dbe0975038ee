// The swarm itself: init, join, leave, inspect, update, the unlock key and unlock
// (Docker's /swarm routes; moby daemon/cluster/swarm.go over swarmkit controlapi/cluster.go).
//
// The cluster is one api::Swarm object in the store, named "default", holding the spec,
// the join tokens and the address-pool settings. init writes it together with this node
// (a leader manager) and the `ingress` network in one transaction; leave deletes every
// object in the store. The autolock unlock key lives with the local node (local_node.h),
// never in the store.
//
// Errors common to the calls that need a manager (inspect, update, unlock key): the 503
// errors of manager_state_error() (errors.h) when this node is not an active manager.
//
// Thread safety: every function may be called from any thread; init, join, leave and
// unlock are serialised by Context::membership_mu.
#pragma once

#include <string>

#include "api/swarm.h"
#include "common/status.h"
#include "manager/controlapi/context.h"

namespace shoal::manager::controlapi {

inline constexpr std::string_view kClusterName = "default";
inline constexpr std::string_view kDefaultListenAddr = "0.0.0.0:2377";
inline constexpr std::string_view kDefaultManagerPort = "2377";
inline constexpr std::string_view kIngressNetworkName = "ingress";
inline constexpr uint32_t kDefaultSubnetSize = 24;
inline constexpr uint32_t kDefaultDataPathPort = 4789;
inline constexpr std::string_view kDefaultAddrPool = "10.0.0.0/8";

// swarmkit's default cluster spec (docker-cli-api.md §5): ElectionTick 10, HeartbeatTick 1,
// SnapshotInterval 10000, LogEntriesForSlowFollowers 500, KeepOldSnapshots 0,
// TaskHistoryRetentionLimit 5, HeartbeatPeriod 5 s, NodeCertExpiry 90 days.
api::Spec default_cluster_spec();

// The spec a swarm starts with: `requested` merged over the defaults the way moby's
// MergeSwarmSpecToGRPC does (zero values keep the default; AutoLockManagers and ForceRotate
// are taken as given), then validated (validate_cluster_spec).
// Errors: kInvalidArgument `swarm spec must be named "default"`; those of
// validate_cluster_spec.
Result<api::Spec> init_cluster_spec(const api::Spec& requested);

// The spec an update stores: `requested` as given (moby SwarmSpecToGRPC: nothing is
// defaulted, unset pointers become 0), named "default" when unnamed, validated.
// Errors: as init_cluster_spec.
Result<api::Spec> update_cluster_spec(const api::Spec& requested);

// swarmkit validateClusterSpec. Errors (kInvalidArgument, rpc-prefixed):
// "minimum certificate expiry time is: 1h0m0s", "heartbeat time period cannot be a
// negative duration".
Status validate_cluster_spec(const api::Spec& spec);

// Creates a single-node swarm with this node as its leader manager and returns this
// node's new ID (POST /swarm/init's body). Makes the cluster's root CA (kept in the store)
// and this manager's certificate (LocalNode::save_certificates, before on_joined).
// ForceNewCluster on a node that already is a manager keeps the swarm and returns the
// node's ID.
// Errors: kUnavailable kAlreadyInSwarmText when the node is in a swarm; kInvalidArgument
// for a bad ListenAddr/AdvertiseAddr/DataPathAddr, DefaultAddrPool, SubnetSize,
// DataPathPort, Availability or spec (moby's texts); LocalNode::resolve_ip's errors;
// LocalNode hook and store errors (nothing is left behind then).
Result<std::string> init_swarm(Context& ctx, const api::InitRequest& request);

// Joins this node to the swarm of request.RemoteAddrs as a worker (LocalNode::join), and
// returns once it is joined. Errors: kUnavailable kAlreadyInSwarmText when already a
// member; kInvalidArgument for a request moby would refuse (no ListenAddr, no RemoteAddrs);
// LocalNode::join's errors (kUnimplemented, HTTP 501, from a node that cannot join).
Status join_swarm(Context& ctx, const api::JoinRequest& request);

// Leaves the swarm: stops the manager (LocalNode::on_leaving), deletes the cluster
// state and this node's certificates (LocalNode::remove_certificates). Errors
// (kUnavailable, Docker's texts): not part of a swarm; locked without force; the last
// manager without force ("... Removing the last manager erases all current state of the
// swarm. Use `--force` to ignore this message."); store errors.
Status leave_swarm(Context& ctx, bool force);

// The cluster as GET /swarm shows it (join tokens included, CA signing material never).
// Errors: the manager errors; kUnavailable kNotPartOfSwarmText if the store has no cluster.
Result<api::Swarm> inspect_swarm(const Context& ctx);

// Replaces the cluster spec (update_cluster_spec) if `version` is current, rotating the
// tokens and the unlock key the flags ask for; turning autolock on makes an unlock key,
// turning it off drops it. A changed Spec.CAConfig.ForceRotate rotates the root CA
// (swarm_ca.h: new root, new join tokens, this manager's certificate re-signed and saved
// through LocalNode::save_certificates). Errors: the manager errors; kOutOfSequence `rpc
// error: code = Unknown desc = update out of sequence`; plan_ca_update's kInvalidArgument
// for signing material in the request; kInternal when the rotated certificates could not
// be saved; update_cluster_spec's errors; LocalNode's set_unlock_key errors (the spec is
// then already stored: kInternal says so).
Status update_swarm(Context& ctx, uint64_t version, const api::Spec& spec,
                    const api::UpdateFlags& flags);

// The unlock key ("" when autolock is off). Errors: the manager errors.
Result<api::SwarmUnlockKeyResponse> get_unlock_key(const Context& ctx);

// Unlocks a locked node. Errors: kConflict "swarm is not locked" (409) on an active
// manager; the manager errors in other unlocked states; kInvalidArgument "invalid key
// string"; LocalNode::unlock's kUnauthenticated for a wrong key.
Status unlock_swarm(Context& ctx, const api::UnlockRequest& request);

}  // namespace shoal::manager::controlapi
