#include "manager/controlapi/network.h"

#include "manager/controlapi/errors.h"
#include "manager/controlapi/name_rules.h"
#include "manager/controlapi/netaddr.h"
#include "manager/controlapi/service_spec.h"

namespace shoal::manager::controlapi {
namespace {

constexpr std::string_view kOverlay = "overlay";

Status validate_ipam_config(const api::IPAMConfig& config) {
  auto subnet = parse_cidr(config.Subnet);
  if (!subnet) {
    return rpc_error(Code::kInvalidArgument, "ipam configuration: invalid subnet {}",
                     config.Subnet);
  }
  if (!config.Range.empty()) {
    auto range = parse_cidr(config.Range);
    if (!range) {
      return rpc_error(Code::kInvalidArgument, "ipam configuration: invalid range {}",
                       config.Range);
    }
    std::string_view range_ip = std::string_view(config.Range).substr(0, config.Range.find('/'));
    if (!subnet->contains(*parse_ip(range_ip))) {
      return rpc_error(Code::kInvalidArgument,
                       "ipam configuration: subnet {} does not contain range {}", config.Subnet,
                       config.Range);
    }
  }
  if (!config.Gateway.empty()) {
    auto gateway = parse_ip(config.Gateway);
    if (!gateway) {
      return rpc_error(Code::kInvalidArgument, "ipam configuration: invalid gateway {}",
                       config.Gateway);
    }
    if (!subnet->contains(*gateway)) {
      return rpc_error(Code::kInvalidArgument,
                       "ipam configuration: subnet {} does not contain gateway {}", config.Subnet,
                       config.Gateway);
    }
  }
  return Status::ok();
}

bool uses_network(const api::ServiceSpec& spec, std::string_view id) {
  for (const auto& n : spec.TaskTemplate.Networks) {
    if (n.Target == id) return true;
  }
  for (const auto& n : spec.Networks) {
    if (n.Target == id) return true;
  }
  return false;
}

Status check_unused(const store::ReadTxn& tx, const api::Network& network) {
  Status status;
  if (network.Spec.Ingress) {
    tx.for_each<api::Service>(store::by::All{}, [&](const std::shared_ptr<const api::Service>& s) {
      if (!needs_ingress(s->Spec)) return true;
      status =
          rpc_error(Code::kFailedPrecondition,
                    "ingress network cannot be removed because service {} depends on it", s->ID);
      return false;
    });
    return status;
  }
  tx.for_each<api::Service>(store::by::All{}, [&](const std::shared_ptr<const api::Service>& s) {
    if (!uses_network(s->Spec, network.ID)) return true;
    status = rpc_error(Code::kFailedPrecondition, "network {} is in use by service {}", network.ID,
                       s->ID);
    return false;
  });
  if (!status.is_ok()) return status;
  tx.for_each<api::Task>(store::by::All{}, [&](const std::shared_ptr<const api::Task>& t) {
    if (t->DesiredState > api::TaskState::kRunning || t->Status.State > api::TaskState::kRunning) {
      return true;
    }
    for (const auto& attachment : t->NetworksAttachments) {
      if (attachment.Network.ID == network.ID) {
        status = rpc_error(Code::kFailedPrecondition, "network {} is in use by task {}", network.ID,
                           t->ID);
        return false;
      }
    }
    return true;
  });
  return status;
}

}  // namespace

Status validate_network_spec(const api::NetworkSpec& spec) {
  if (spec.Attachable && spec.Ingress) {
    return rpc_error(Code::kInvalidArgument, "ingress network cannot be attachable");
  }
  SHOAL_RETURN_IF_ERROR(validate_dns_name(spec.Name));
  if (spec.Labels.contains(std::string(kPredefinedLabel))) {
    return rpc_error(Code::kPermissionDenied,
                     "label {} is for internally created predefined networks and cannot be "
                     "applied by users",
                     kPredefinedLabel);
  }
  if (spec.DriverConfiguration) {
    const std::string& driver = spec.DriverConfiguration->Name;
    if (driver.empty()) {
      return rpc_error(Code::kInvalidArgument,
                       "driver name: if driver is specified name is required");
    }
    if (driver != kOverlay) {
      return rpc_error(Code::kInvalidArgument,
                       "network driver {} is not supported: shoal's networks are swarm-scoped "
                       "overlay networks (use --driver overlay)",
                       driver);
    }
  }
  if (spec.IPAMOptions) {
    const std::string& driver = spec.IPAMOptions->Driver.Name;
    if (!driver.empty() && driver != "default") {
      return rpc_error(Code::kInvalidArgument, "plugin {} not supported", driver);
    }
    for (const api::IPAMConfig& config : spec.IPAMOptions->Configs) {
      SHOAL_RETURN_IF_ERROR(validate_ipam_config(config));
    }
  }
  return Status::ok();
}

Result<std::string> create_network(Context& ctx, api::NetworkSpec spec) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  SHOAL_RETURN_IF_ERROR(validate_network_spec(spec));
  if (!spec.DriverConfiguration) spec.DriverConfiguration = api::Driver{std::string(kOverlay), {}};
  if (spec.IPAMOptions && spec.IPAMOptions->Driver.Name.empty()) {
    spec.IPAMOptions->Driver.Name = "default";
  }
  spec.Scope = "swarm";
  api::Network network;
  network.ID = ctx.ids.next();
  network.Spec = std::move(spec);
  Status status = ctx.store.update([&](store::WriteTxn& tx) {
    if (network.Spec.Ingress) {
      for (const auto& other : tx.find<api::Network>()) {
        if (other->Spec.Ingress) {
          return rpc_error(Code::kAlreadyExists, "ingress network ({}) is already present",
                           other->ID);
        }
      }
    }
    return tx.create(network);
  });
  if (!status.is_ok()) return status;
  return network.ID;
}

Result<std::shared_ptr<const api::Network>> get_network(const Context& ctx, std::string_view ref) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  return ctx.store.view().lookup<api::Network>(ref);
}

Result<std::vector<NetworkUse>> list_networks(const Context& ctx) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  store::ReadTxn view = ctx.store.view();
  std::vector<NetworkUse> out;
  for (auto& network : view.find<api::Network>()) out.push_back(NetworkUse{std::move(network), {}});
  view.for_each<api::Service>(store::by::All{}, [&](const std::shared_ptr<const api::Service>& s) {
    for (NetworkUse& use : out) {
      bool mesh = use.network->Spec.Ingress && needs_ingress(s->Spec);
      if (mesh || uses_network(s->Spec, use.network->ID)) use.service_ids.push_back(s->ID);
    }
  });
  return out;
}

Status remove_network(Context& ctx, std::string_view ref) {
  SHOAL_RETURN_IF_ERROR(require_manager(ctx));
  return from_store(ctx.store.update([&](store::WriteTxn& tx) {
    SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const api::Network> network,
                           tx.lookup<api::Network>(ref));
    auto predefined = network->Spec.Labels.find(std::string(kPredefinedLabel));
    if (predefined != network->Spec.Labels.end() && predefined->second == "true") {
      return rpc_error(Code::kFailedPrecondition,
                       "network {} ({}) is a swarm predefined network and cannot be removed",
                       network->ID, network->Spec.Name);
    }
    SHOAL_RETURN_IF_ERROR(check_unused(tx, *network));
    return tx.remove<api::Network>(network->ID);
  }));
}

}  // namespace shoal::manager::controlapi
