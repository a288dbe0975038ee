#include "manager/controlapi/info.h"

#include "manager/controlapi/netaddr.h"

namespace shoal::manager::controlapi {

api::Info swarm_info(const Context& ctx) {
  api::Info info;
  const LocalNode& local = ctx.local;
  info.LocalNodeState = local.state();
  if (info.LocalNodeState == api::LocalNodeState::kUnset)
    info.LocalNodeState = api::LocalNodeState::kInactive;
  info.Error = local.error();
  info.NodeID = local.node_id();
  if (auto hp = split_host_port(local.advertise_addr())) info.NodeAddr = hp->host;
  info.ControlAvailable = info.LocalNodeState == api::LocalNodeState::kActive && local.is_manager();
  if (!info.ControlAvailable) {
    info.RemoteManagers = local.remote_managers();
    return info;
  }

  store::ReadTxn view = ctx.store.view();
  for (const auto& cluster : view.find<api::Swarm>()) {
    info.Cluster = static_cast<const api::ClusterInfo&>(*cluster);
    info.Cluster->Spec.CAConfig.SigningCACert.clear();
    info.Cluster->Spec.CAConfig.SigningCAKey.clear();
    break;
  }
  view.for_each<api::Node>(store::by::All{}, [&](const std::shared_ptr<const api::Node>& node) {
    ++info.Nodes;
    if (!node->ManagerStatus) return;
    ++info.Managers;
    info.RemoteManagers.push_back(api::Peer{node->ID, node->ManagerStatus->Addr});
  });
  return info;
}

ContainerCounts local_container_counts(const Context& ctx) {
  ContainerCounts counts;
  std::string node_id = ctx.local.node_id();
  if (node_id.empty()) return counts;
  ctx.store.view().for_each<api::Task>(store::by::Node{node_id},
                                       [&](const std::shared_ptr<const api::Task>& t) {
                                         if (t->Status.State < api::TaskState::kAccepted) return;
                                         ++counts.total;
                                         if (t->Status.State == api::TaskState::kRunning)
                                           ++counts.running;
                                         if (t->Status.State > api::TaskState::kRunning)
                                           ++counts.stopped;
                                       });
  return counts;
}

std::string swarm_ping_state(const LocalNode& local) {
  api::LocalNodeState state = local.state();
  if (state == api::LocalNodeState::kUnset) state = api::LocalNodeState::kInactive;
  std::string out(api::to_string(state));
  if (state == api::LocalNodeState::kActive) out += local.is_manager() ? "/manager" : "/worker";
  return out;
}

}  // namespace shoal::manager::controlapi
