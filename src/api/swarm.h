// The cluster (moby api/types/swarm swarm.go): Swarm and ClusterInfo with the cluster Spec
// (orchestration, raft, dispatcher, CA, task defaults, encryption), join tokens, the
// init/join/unlock requests, the swarm part of GET /info (Info, Peer), UpdateFlags and the
// unlock-key response.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/common.h"
#include "api/enum.h"
#include "api/node.h"

namespace shoal::api {

struct OrchestrationConfig {
  // Old tasks kept per slot or node; negative = never remove.
  std::optional<int64_t> TaskHistoryRetentionLimit;
};

struct TaskDefaults {
  // Log driver for tasks whose service sets none.
  std::optional<Driver> LogDriver;
};

struct EncryptionConfig {
  // Keep manager keys and store data encrypted until `docker swarm unlock`.
  bool AutoLockManagers = false;
};

struct RaftConfig {
  uint64_t SnapshotInterval = 0;
  std::optional<uint64_t> KeepOldSnapshots;
  uint64_t LogEntriesForSlowFollowers = 0;
  // Must be greater than HeartbeatTick.
  int64_t ElectionTick = 0;
  int64_t HeartbeatTick = 0;
};

struct DispatcherConfig {
  // How often agents heartbeat.
  std::chrono::nanoseconds HeartbeatPeriod{0};
};

enum class ExternalCAProtocol : uint8_t { kUnset, kCFSSL };
template <>
struct EnumNames<ExternalCAProtocol> {
  static constexpr std::array<std::string_view, 2> kNames{"", "cfssl"};
};

struct ExternalCA {
  ExternalCAProtocol Protocol = ExternalCAProtocol::kUnset;
  std::string URL;
  StringMap Options;
  // PEM root CA certificate the external CA signs with.
  std::string CACert;
};

struct CAConfig {
  std::chrono::nanoseconds NodeCertExpiry{0};
  std::vector<ExternalCA> ExternalCAs;
  // PEM; set both to rotate to a given root CA.
  std::string SigningCACert;
  std::string SigningCAKey;
  // A counter that forces a root CA rotation when changed.
  uint64_t ForceRotate = 0;
};

// The cluster's settings (Go swarm.Spec).
struct Spec : Annotations {
  OrchestrationConfig Orchestration;
  RaftConfig Raft;
  DispatcherConfig Dispatcher;
  api::CAConfig CAConfig;
  api::TaskDefaults TaskDefaults;
  api::EncryptionConfig EncryptionConfig;
};

// The cluster as GET /info shows it (no join tokens).
struct ClusterInfo : Meta {
  std::string ID;
  api::Spec Spec;
  api::TLSInfo TLSInfo;
  bool RootRotationInProgress = false;
  // CIDRs from which overlay subnets are allocated.
  std::vector<std::string> DefaultAddrPool;
  uint32_t SubnetSize = 0;
  // VXLAN UDP port.
  uint32_t DataPathPort = 0;
};

struct JoinTokens {
  std::string Worker;
  std::string Manager;
};

// GET /swarm.
struct Swarm : ClusterInfo {
  api::JoinTokens JoinTokens;
};

// Body of POST /swarm/init.
struct InitRequest {
  std::string ListenAddr;
  std::string AdvertiseAddr;
  std::string DataPathAddr;
  uint32_t DataPathPort = 0;
  bool ForceNewCluster = false;
  api::Spec Spec;
  bool AutoLockManagers = false;
  NodeAvailability Availability = NodeAvailability::kUnset;
  std::vector<std::string> DefaultAddrPool;
  uint32_t SubnetSize = 0;
};

// Body of POST /swarm/join.
struct JoinRequest {
  std::string ListenAddr;
  std::string AdvertiseAddr;
  std::string DataPathAddr;
  std::vector<std::string> RemoteAddrs;
  std::string JoinToken;
  NodeAvailability Availability = NodeAvailability::kUnset;
};

// Body of POST /swarm/unlock.
struct UnlockRequest {
  // The unlock key, "SWMKEY-1-...".
  std::string UnlockKey;
};

// Response of GET /swarm/unlockkey.
struct SwarmUnlockKeyResponse {
  std::string UnlockKey;
};

enum class LocalNodeState : uint8_t { kUnset, kInactive, kPending, kActive, kError, kLocked };
template <>
struct EnumNames<LocalNodeState> {
  static constexpr std::array<std::string_view, 6> kNames{"",       "inactive", "pending",
                                                          "active", "error",    "locked"};
};

struct Peer {
  std::string NodeID;
  std::string Addr;
};

// The "Swarm" member of GET /info.
struct Info {
  std::string NodeID;
  std::string NodeAddr;
  api::LocalNodeState LocalNodeState = LocalNodeState::kUnset;
  bool ControlAvailable = false;
  std::string Error;
  std::vector<Peer> RemoteManagers;
  int64_t Nodes = 0;
  int64_t Managers = 0;
  std::optional<ClusterInfo> Cluster;
  std::vector<std::string> Warnings;
};

// Query flags of POST /swarm/update.
struct UpdateFlags {
  bool RotateWorkerToken = false;
  bool RotateManagerToken = false;
  bool RotateManagerUnlockKey = false;
};

}  // namespace shoal::api
