// Internal to the api codec: field lists of swarm.h (see field.h). Go struct order, Go tags.
#pragma once

#include "api/json/field.h"
#include "api/json/fields_common.h"
#include "api/swarm.h"

namespace shoal::api::json {

template <class V, Is<OrchestrationConfig> T>
void fields(V& v, T& o) {
  v("TaskHistoryRetentionLimit", o.TaskHistoryRetentionLimit, kOmitEmpty);
}

template <class V, Is<TaskDefaults> T>
void fields(V& v, T& o) {
  v("LogDriver", o.LogDriver, kOmitEmpty);
}

template <class V, Is<EncryptionConfig> T>
void fields(V& v, T& o) {
  v("AutoLockManagers", o.AutoLockManagers);
}

template <class V, Is<RaftConfig> T>
void fields(V& v, T& o) {
  v("SnapshotInterval", o.SnapshotInterval, kOmitEmpty);
  v("KeepOldSnapshots", o.KeepOldSnapshots, kOmitEmpty);
  v("LogEntriesForSlowFollowers", o.LogEntriesForSlowFollowers, kOmitEmpty);
  v("ElectionTick", o.ElectionTick);
  v("HeartbeatTick", o.HeartbeatTick);
}

template <class V, Is<DispatcherConfig> T>
void fields(V& v, T& o) {
  v("HeartbeatPeriod", o.HeartbeatPeriod, kOmitEmpty);
}

template <class V, Is<ExternalCA> T>
void fields(V& v, T& o) {
  v("Protocol", o.Protocol);
  v("URL", o.URL);
  v("Options", o.Options, kOmitEmpty);
  v("CACert", o.CACert);
}

template <class V, Is<CAConfig> T>
void fields(V& v, T& o) {
  v("NodeCertExpiry", o.NodeCertExpiry, kOmitEmpty);
  v("ExternalCAs", o.ExternalCAs, kOmitEmpty);
  v("SigningCACert", o.SigningCACert, kOmitEmpty);
  v("SigningCAKey", o.SigningCAKey, kOmitEmpty);
  v("ForceRotate", o.ForceRotate, kOmitEmpty);
}

template <class V, Is<Spec> T>
void fields(V& v, T& o) {
  embed<Annotations>(v, o);
  v("Orchestration", o.Orchestration, kOmitEmpty);
  v("Raft", o.Raft, kOmitEmpty);
  v("Dispatcher", o.Dispatcher, kOmitEmpty);
  v("CAConfig", o.CAConfig, kOmitEmpty);
  v("TaskDefaults", o.TaskDefaults, kOmitEmpty);
  v("EncryptionConfig", o.EncryptionConfig, kOmitEmpty);
}

template <class V, Is<ClusterInfo> T>
void fields(V& v, T& o) {
  v("ID", o.ID);
  embed<Meta>(v, o);
  v("Spec", o.Spec);
  v("TLSInfo", o.TLSInfo);
  v("RootRotationInProgress", o.RootRotationInProgress);
  v("DefaultAddrPool", o.DefaultAddrPool);
  v("SubnetSize", o.SubnetSize);
  v("DataPathPort", o.DataPathPort);
}

template <class V, Is<JoinTokens> T>
void fields(V& v, T& o) {
  v("Worker", o.Worker);
  v("Manager", o.Manager);
}

template <class V, Is<Swarm> T>
void fields(V& v, T& o) {
  embed<ClusterInfo>(v, o);
  v("JoinTokens", o.JoinTokens);
}

template <class V, Is<InitRequest> T>
void fields(V& v, T& o) {
  v("ListenAddr", o.ListenAddr);
  v("AdvertiseAddr", o.AdvertiseAddr);
  v("DataPathAddr", o.DataPathAddr);
  v("DataPathPort", o.DataPathPort);
  v("ForceNewCluster", o.ForceNewCluster);
  v("Spec", o.Spec);
  v("AutoLockManagers", o.AutoLockManagers);
  v("Availability", o.Availability);
  v("DefaultAddrPool", o.DefaultAddrPool);
  v("SubnetSize", o.SubnetSize);
}

template <class V, Is<JoinRequest> T>
void fields(V& v, T& o) {
  v("ListenAddr", o.ListenAddr);
  v("AdvertiseAddr", o.AdvertiseAddr);
  v("DataPathAddr", o.DataPathAddr);
  v("RemoteAddrs", o.RemoteAddrs);
  v("JoinToken", o.JoinToken);
  v("Availability", o.Availability);
}

template <class V, Is<UnlockRequest> T>
void fields(V& v, T& o) {
  v("UnlockKey", o.UnlockKey);
}

template <class V, Is<SwarmUnlockKeyResponse> T>
void fields(V& v, T& o) {
  v("UnlockKey", o.UnlockKey);
}

template <class V, Is<Peer> T>
void fields(V& v, T& o) {
  v("NodeID", o.NodeID);
  v("Addr", o.Addr);
}

template <class V, Is<Info> T>
void fields(V& v, T& o) {
  v("NodeID", o.NodeID);
  v("NodeAddr", o.NodeAddr);
  v("LocalNodeState", o.LocalNodeState);
  v("ControlAvailable", o.ControlAvailable);
  v("Error", o.Error);
  v("RemoteManagers", o.RemoteManagers);
  v("Nodes", o.Nodes, kOmitEmpty);
  v("Managers", o.Managers, kOmitEmpty);
  v("Cluster", o.Cluster, kOmitEmpty);
  v("Warnings", o.Warnings, kOmitEmpty);
}

template <class V, Is<UpdateFlags> T>
void fields(V& v, T& o) {
  v("RotateWorkerToken", o.RotateWorkerToken);
  v("RotateManagerToken", o.RotateManagerToken);
  v("RotateManagerUnlockKey", o.RotateManagerUnlockKey);
}

}  // namespace shoal::api::json
