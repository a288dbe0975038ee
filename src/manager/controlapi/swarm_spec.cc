// The cluster spec: swarmkit's defaults, moby's merge rules, swarmkit's validation.
#include <chrono>

#include "manager/controlapi/errors.h"
#include "manager/controlapi/swarm.h"

namespace shoal::manager::controlapi {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr std::chrono::nanoseconds kMinNodeCertExpiry = hours(1);

Status check_name(api::Spec& spec) {
  if (spec.Name.empty()) {
    spec.Name = std::string(kClusterName);
  } else if (spec.Name != kClusterName) {
    return Status(Code::kInvalidArgument, "swarm spec must be named \"default\"");
  }
  return Status::ok();
}

}  // namespace

api::Spec default_cluster_spec() {
  api::Spec spec;
  spec.Name = std::string(kClusterName);
  spec.Orchestration.TaskHistoryRetentionLimit = 5;
  spec.Raft.SnapshotInterval = 10000;
  spec.Raft.KeepOldSnapshots = 0;
  spec.Raft.LogEntriesForSlowFollowers = 500;
  spec.Raft.ElectionTick = 10;
  spec.Raft.HeartbeatTick = 1;
  spec.Dispatcher.HeartbeatPeriod = seconds(5);
  spec.CAConfig.NodeCertExpiry = hours(24 * 90);
  return spec;
}

Status validate_cluster_spec(const api::Spec& spec) {
  if (spec.CAConfig.NodeCertExpiry != std::chrono::nanoseconds(0) &&
      spec.CAConfig.NodeCertExpiry < kMinNodeCertExpiry) {
    return rpc_error(Code::kInvalidArgument, "minimum certificate expiry time is: 1h0m0s");
  }
  if (spec.Dispatcher.HeartbeatPeriod < std::chrono::nanoseconds(0)) {
    return rpc_error(Code::kInvalidArgument, "heartbeat time period cannot be a negative duration");
  }
  for (const api::ExternalCA& ca : spec.CAConfig.ExternalCAs) {
    if (ca.Protocol == api::ExternalCAProtocol::kUnset) {
      return Status(Code::kInvalidArgument, "invalid protocol: \"\"");
    }
  }
  return Status::ok();
}

Result<api::Spec> init_cluster_spec(const api::Spec& requested) {
  api::Spec spec = default_cluster_spec();
  api::Spec in = requested;
  SHOAL_RETURN_IF_ERROR(check_name(in));
  if (!in.Labels.empty()) spec.Labels = in.Labels;
  if (in.Orchestration.TaskHistoryRetentionLimit) {
    spec.Orchestration.TaskHistoryRetentionLimit = in.Orchestration.TaskHistoryRetentionLimit;
  }
  if (in.Raft.SnapshotInterval != 0) spec.Raft.SnapshotInterval = in.Raft.SnapshotInterval;
  if (in.Raft.KeepOldSnapshots) spec.Raft.KeepOldSnapshots = in.Raft.KeepOldSnapshots;
  if (in.Raft.LogEntriesForSlowFollowers != 0) {
    spec.Raft.LogEntriesForSlowFollowers = in.Raft.LogEntriesForSlowFollowers;
  }
  if (in.Raft.HeartbeatTick != 0) spec.Raft.HeartbeatTick = in.Raft.HeartbeatTick;
  if (in.Raft.ElectionTick != 0) spec.Raft.ElectionTick = in.Raft.ElectionTick;
  if (in.Dispatcher.HeartbeatPeriod != std::chrono::nanoseconds(0)) {
    spec.Dispatcher.HeartbeatPeriod = in.Dispatcher.HeartbeatPeriod;
  }
  if (in.CAConfig.NodeCertExpiry != std::chrono::nanoseconds(0)) {
    spec.CAConfig.NodeCertExpiry = in.CAConfig.NodeCertExpiry;
  }
  spec.CAConfig.ExternalCAs = in.CAConfig.ExternalCAs;
  spec.CAConfig.ForceRotate = in.CAConfig.ForceRotate;
  spec.TaskDefaults = in.TaskDefaults;
  spec.EncryptionConfig = in.EncryptionConfig;
  SHOAL_RETURN_IF_ERROR(validate_cluster_spec(spec));
  return spec;
}

Result<api::Spec> update_cluster_spec(const api::Spec& requested) {
  api::Spec spec = requested;
  SHOAL_RETURN_IF_ERROR(check_name(spec));
  // Stored as swarmkit stores it: pointers are plain numbers there, so GET shows 0.
  if (!spec.Orchestration.TaskHistoryRetentionLimit)
    spec.Orchestration.TaskHistoryRetentionLimit = 0;
  if (!spec.Raft.KeepOldSnapshots) spec.Raft.KeepOldSnapshots = 0;
  // The request's signing material is refused by update_swarm (swarm_ca.h); the stored
  // material is the cluster CA's, carried over there.
  spec.CAConfig.SigningCACert.clear();
  spec.CAConfig.SigningCAKey.clear();
  SHOAL_RETURN_IF_ERROR(validate_cluster_spec(spec));
  return spec;
}

}  // namespace shoal::manager::controlapi
