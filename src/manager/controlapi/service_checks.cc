#include "manager/controlapi/service_checks.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "manager/controlapi/errors.h"
#include "manager/controlapi/service_spec.h"

namespace shoal::manager::controlapi {
namespace {

using PortKey = std::pair<api::PortConfigProtocol, uint32_t>;

Status missing(std::string_view kind, const std::vector<std::string>& names) {
  return rpc_error(Code::kInvalidArgument, "{}{} not found: {}", kind, names.size() == 1 ? "" : "s",
                   fmt::format("{}", fmt::join(names, ", ")));
}

}  // namespace

Status resolve_networks(const store::ReadTxn& tx, api::ServiceSpec& spec) {
  std::vector<api::NetworkAttachmentConfig>& networks =
      spec.TaskTemplate.Networks.empty() ? spec.Networks : spec.TaskTemplate.Networks;
  for (api::NetworkAttachmentConfig& attachment : networks) {
    SHOAL_ASSIGN_OR_RETURN(std::shared_ptr<const api::Network> network,
                           tx.lookup<api::Network>(attachment.Target));
    if (network->Spec.Ingress) {
      return rpc_error(Code::kInvalidArgument,
                       "Service cannot be explicitly attached to the ingress network \"{}\"",
                       network->Spec.Name);
    }
    attachment.Target = network->ID;
  }
  return Status::ok();
}

Status check_port_conflicts(const store::ReadTxn& tx, const api::ServiceSpec& spec,
                            std::string_view self_id) {
  if (!spec.EndpointSpec) return Status::ok();
  std::set<PortKey> ingress, host;
  for (const api::PortConfig& port : spec.EndpointSpec->Ports) {
    if (port.PublishedPort == 0) continue;
    PortKey key{port.Protocol, port.PublishedPort};
    if (port.PublishMode == api::PortConfigPublishMode::kHost) {
      host.insert(key);
    } else {
      ingress.insert(key);
    }
  }
  if (ingress.empty() && host.empty()) return Status::ok();

  auto in_use = [&](const api::PortConfig& port, const api::Service& other) -> Status {
    if (port.PublishedPort == 0) return Status::ok();
    PortKey key{port.Protocol, port.PublishedPort};
    if (port.PublishMode == api::PortConfigPublishMode::kHost) {
      if (ingress.contains(key)) {
        return rpc_error(
            Code::kInvalidArgument,
            "port '{}' is already in use by service '{}' ({}) as a host-published port",
            port.PublishedPort, other.Spec.Name, other.ID);
      }
    } else if (ingress.contains(key) || host.contains(key)) {
      return rpc_error(Code::kInvalidArgument,
                       "port '{}' is already in use by service '{}' ({}) as an ingress port",
                       port.PublishedPort, other.Spec.Name, other.ID);
    }
    return Status::ok();
  };

  Status status;
  tx.for_each<api::Service>(
      store::by::All{}, [&](const std::shared_ptr<const api::Service>& other) {
        if (other->ID == self_id) return true;
        if (other->Spec.EndpointSpec) {
          for (const api::PortConfig& port : other->Spec.EndpointSpec->Ports) {
            status = in_use(port, *other);
            if (!status.is_ok()) return false;
          }
        }
        for (const api::PortConfig& port : other->Endpoint.Ports) {
          status = in_use(port, *other);
          if (!status.is_ok()) return false;
        }
        return true;
      });
  return status;
}

Status check_references(const store::ReadTxn& tx, const api::ServiceSpec& spec) {
  const auto& container = spec.TaskTemplate.ContainerSpec;
  if (!container) return Status::ok();
  std::vector<std::string> failed;
  for (const api::SecretReference& ref : container->Secrets) {
    auto secret = tx.get<api::Secret>(ref.SecretID);
    if (!secret || secret->Spec.Name != ref.SecretName) failed.push_back(ref.SecretName);
  }
  if (!failed.empty()) return missing("secret", failed);
  for (const api::ConfigReference& ref : container->Configs) {
    auto config = tx.get<api::Config>(ref.ConfigID);
    if (!config || config->Spec.Name != ref.ConfigName) failed.push_back(ref.ConfigName);
  }
  if (!failed.empty()) return missing("config", failed);
  return Status::ok();
}

Status check_ingress(const store::ReadTxn& tx, const api::ServiceSpec& spec) {
  if (!needs_ingress(spec)) return Status::ok();
  bool found = false;
  tx.for_each<api::Network>(store::by::All{}, [&](const std::shared_ptr<const api::Network>& n) {
    found = n->Spec.Ingress;
    return !found;
  });
  if (found) return Status::ok();
  return rpc_error(Code::kFailedPrecondition,
                   "service needs ingress network, but no ingress network is present");
}

Status check_against_cluster(const store::ReadTxn& tx, api::ServiceSpec& spec,
                             std::string_view self_id) {
  SHOAL_RETURN_IF_ERROR(resolve_networks(tx, spec));
  SHOAL_RETURN_IF_ERROR(check_port_conflicts(tx, spec, self_id));
  SHOAL_RETURN_IF_ERROR(check_references(tx, spec));
  return check_ingress(tx, spec);
}

}  // namespace shoal::manager::controlapi
