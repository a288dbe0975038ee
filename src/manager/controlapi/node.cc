#include "manager/controlapi/node.h"

#include <algorithm>

#include "api/task_lifecycle.h"
#include "manager/controlapi/errors.h"

namespace shoal::manager::controlapi {
namespace {

constexpr std::string_view kOrphanedMessage = "Task belonged to a node that has been deleted";

bool is_raft_member(const api::Node& node) {
  return node.Spec.Role == api::NodeRole::kManager && node.ManagerStatus.has_value();
}

// Manager nodes other than `id`, by desired role.
size_t other_managers(const store::ReadTxn& tx, std::string_view id) {
  size_t n = 0;
  tx.for_each<api::Node>(store::by::All{}, [&](const std::shared_ptr<const api::Node>& node) {
    if (node->ID != id && node->Spec.Role == api::NodeRole::kManager) ++n;
  });
  return n;
}

Status check_role_change(const store::ReadTxn& tx, const api::Node& node, api::NodeRole role) {
  if (node.Spec.Role == role) return Status::ok();
  if (role == api::NodeRole::kWorker) {
    if (other_managers(tx, node.ID) == 0) {
      return rpc_error(Code::kFailedPrecondition,
                       "attempting to demote the last manager of the swarm");
    }
    return Status::ok();
  }
  return rpc_error(Code::kUnimplemented,
                   "promoting node {} to a manager is not supported yet: a swarm has one "
                   "manager until the cluster CA and the shared store come",
                   node.ID);
}

}  // namespace

bool node_matches(const api::Node& node, const NodeFilters& f) {
  if (!f.names.empty() && !match_prefixes(node.Spec.Name, f.names) &&
      !match_prefixes(node.Description.Hostname, f.names)) {
    return false;
  }
  if (!match_prefixes(node.ID, f.id_prefixes)) return false;
  if (!match_labels(node.Description.Engine.Labels, f.engine_labels)) return false;
  if (!match_labels(node.Spec.Labels, f.node_labels)) return false;
  if (!f.roles.empty() &&
      std::find(f.roles.begin(), f.roles.end(), node.Spec.Role) == f.roles.end()) {
    return false;
  }
  return f.memberships.empty() || match_exact("accepted", f.memberships);
}

Result<std::vector<std::shared_ptr<const api::Node>>> list_nodes(const Context& ctx,
                                                                 const NodeFilters& filters) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  std::vector<std::shared_ptr<const api::Node>> out;
  ctx.store.view().for_each<api::Node>(store::by::All{},
                                       [&](const std::shared_ptr<const api::Node>& node) {
                                         if (node_matches(*node, filters)) out.push_back(node);
                                       });
  return out;
}

Result<std::shared_ptr<const api::Node>> get_node(const Context& ctx, std::string_view ref) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  return ctx.store.view().lookup<api::Node>(ref);
}

Status update_node(Context& ctx, std::string_view ref, uint64_t version,
                   const api::NodeSpec& spec) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  if (spec.Role == api::NodeRole::kUnset) {
    return Status(Code::kInvalidArgument, "invalid Role: \"\"");
  }
  if (spec.Availability == api::NodeAvailability::kUnset) {
    return Status(Code::kInvalidArgument, "invalid Availability: \"\"");
  }
  return from_store(ctx.store.update([&](store::WriteTxn& tx) {
    SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const api::Node> current, tx.lookup<api::Node>(ref));
    SHOAL_RETURN_IF_ERROR(check_role_change(tx, *current, spec.Role));
    api::Node node = *current;
    node.Version.Index = version;
    node.Spec = spec;
    return tx.update(std::move(node));
  }));
}

Status remove_node(Context& ctx, std::string_view ref, bool force) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  Timestamp now = ctx.clock.now();
  return from_store(ctx.store.update([&](store::WriteTxn& tx) {
    SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const api::Node> node, tx.lookup<api::Node>(ref));
    if (is_raft_member(*node)) {
      return rpc_error(Code::kFailedPrecondition,
                       "node {} is a cluster manager and is a member of the raft cluster. It "
                       "must be demoted to worker before removal",
                       node->ID);
    }
    if (!force && node->Status.State == api::NodeState::kReady) {
      return rpc_error(Code::kFailedPrecondition, "node {} is not down and can't be removed",
                       node->ID);
    }
    for (const auto& current : tx.find<api::Task>(store::by::Node{node->ID})) {
      if (current->Status.State >= api::TaskState::kComplete) continue;
      api::Task task = *current;
      SHOAL_RETURN_IF_ERROR(
          api::advance_task(task, api::TaskState::kOrphaned, std::string(kOrphanedMessage), now));
      SHOAL_RETURN_IF_ERROR(tx.update(std::move(task)));
    }
    return tx.remove<api::Node>(node->ID);
  }));
}

}  // namespace shoal::manager::controlapi
