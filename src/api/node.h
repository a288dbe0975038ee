// Nodes (moby api/types/swarm node.go): Node, its user-set NodeSpec, the agent-reported
// NodeDescription, the manager-observed NodeStatus and ManagerStatus, and their enums.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/common.h"
#include "api/enum.h"

namespace shoal::api {

enum class NodeRole : uint8_t { kUnset, kWorker, kManager };
template <>
struct EnumNames<NodeRole> {
  static constexpr std::array<std::string_view, 3> kNames{"", "worker", "manager"};
};

enum class NodeAvailability : uint8_t { kUnset, kActive, kPause, kDrain };
template <>
struct EnumNames<NodeAvailability> {
  static constexpr std::array<std::string_view, 4> kNames{"", "active", "pause", "drain"};
};

enum class NodeState : uint8_t { kUnset, kUnknown, kDown, kReady, kDisconnected };
template <>
struct EnumNames<NodeState> {
  static constexpr std::array<std::string_view, 5> kNames{"", "unknown", "down", "ready",
                                                          "disconnected"};
};

enum class Reachability : uint8_t { kUnset, kUnknown, kUnreachable, kReachable };
template <>
struct EnumNames<Reachability> {
  static constexpr std::array<std::string_view, 4> kNames{"", "unknown", "unreachable",
                                                          "reachable"};
};

// Desired state of a node, set by the user; the system never changes it.
struct NodeSpec : Annotations {
  NodeRole Role = NodeRole::kUnset;
  NodeAvailability Availability = NodeAvailability::kUnset;
};

struct PluginDescription {
  std::string Type;
  std::string Name;
};

struct EngineDescription {
  std::string EngineVersion;
  StringMap Labels;
  std::vector<PluginDescription> Plugins;
};

// What the node's agent reports about itself.
struct NodeDescription {
  std::string Hostname;
  api::Platform Platform;
  api::Resources Resources;
  EngineDescription Engine;
  api::TLSInfo TLSInfo;
};

// The node as the managers see it.
struct NodeStatus {
  NodeState State = NodeState::kUnset;
  std::string Message;
  std::string Addr;
};

// Present on manager nodes only.
struct ManagerStatus {
  bool Leader = false;
  api::Reachability Reachability = Reachability::kUnset;
  std::string Addr;
};

struct Node : Meta {
  std::string ID;
  NodeSpec Spec;
  NodeDescription Description;
  NodeStatus Status;
  std::optional<api::ManagerStatus> ManagerStatus;
};

}  // namespace shoal::api
