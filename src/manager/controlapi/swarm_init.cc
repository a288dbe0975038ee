#include "manager/controlapi/swarm_init.h"

#include <cctype>

#include "manager/controlapi/errors.h"
#include "manager/controlapi/netaddr.h"
#include "manager/controlapi/swarm.h"
#include "manager/controlapi/swarm_ca.h"

namespace shoal::manager::controlapi {
namespace {

constexpr std::string_view kBadAdvertiseAddr =
    "advertise address must be a non-zero IP address or network interface (with optional "
    "port number)";
constexpr std::string_view kBadDataPathAddr =
    "data path address must be a non-zero IP address or network interface (without a port "
    "number)";

// An IP literal as given, or the address of an interface name / the system ("").
Result<std::string> host_ip(const LocalNode& local, std::string_view host, bool allow_unspecified,
                            std::string_view bad_text) {
  if (auto ip = parse_ip(host)) {
    if (ip->is_unspecified() && !allow_unspecified) {
      return Status(Code::kInvalidArgument, std::string(bad_text));
    }
    return ip->to_string();
  }
  return local.resolve_ip(host);
}

// Go's net.Listen reads the port of "host:port" as a decimal number up to 65535 (or a
// service name, which shoal does not look up). Docker passes ListenAddr to its manager as
// given and the manager fails to listen; the error is its, and so is the 500.
Status check_listen_port(std::string_view port) {
  constexpr std::string_view kPrefix =
      "manager stopped: failed to listen on remote API address: listen tcp: ";
  bool digits = !port.empty() && port.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits) {
    return error(Code::kInternal, "{}lookup tcp/{}: unknown port", kPrefix, port);
  }
  if (port.size() > 5 || std::stoul(std::string(port)) > 65535) {
    return error(Code::kInternal, "{}address {}: invalid port", kPrefix, port);
  }
  return Status::ok();
}

}  // namespace

Result<InitAddresses> resolve_init_addresses(const LocalNode& local,
                                             const api::InitRequest& request) {
  InitAddresses out;
  if (request.ListenAddr.empty()) {
    return Status(Code::kInvalidArgument, "invalid ListenAddr \"\": invalid empty address");
  }
  // The daemon's --listen-addr replaces Docker's default (the CLI always sends one).
  std::string requested = request.ListenAddr;
  if (requested == kDefaultListenAddr && !local.default_listen_addr().empty()) {
    requested = local.default_listen_addr();
  }
  std::string listen =
      normalize_tcp_addr(requested, "0.0.0.0", kDefaultManagerPort).value_or(requested);
  auto listen_hp = split_host_port(listen);
  if (!listen_hp) {
    return error(Code::kInvalidArgument, "could not parse listen address {}", listen);
  }
  SHOAL_RETURN_IF_ERROR(check_listen_port(listen_hp->port));
  SHOAL_ASSIGN_OR_RETURN(std::string listen_ip,
                         host_ip(local, listen_hp->host, true,
                                 "listen address must be an IP address or network interface "
                                 "(with optional port number)"));
  out.listen = join_host_port(listen_ip, listen_hp->port);

  HostPort advertise{"", listen_hp->port};
  std::string advertise_addr = request.AdvertiseAddr;
  if (advertise_addr.empty()) advertise_addr = local.default_advertise_addr();
  if (!advertise_addr.empty()) {
    if (auto hp = split_host_port(advertise_addr)) {
      advertise = *hp;
    } else {
      advertise.host = advertise_addr;
    }
    if (advertise.host.empty())
      return Status(Code::kInvalidArgument, std::string(kBadAdvertiseAddr));
  }
  SHOAL_ASSIGN_OR_RETURN(out.advertise_ip,
                         host_ip(local, advertise.host, false, kBadAdvertiseAddr));
  out.advertise = join_host_port(out.advertise_ip, advertise.port);

  if (!request.DataPathAddr.empty()) {
    if (split_host_port(request.DataPathAddr)) {
      return Status(Code::kInvalidArgument, std::string(kBadDataPathAddr));
    }
    SHOAL_ASSIGN_OR_RETURN(out.data_path,
                           host_ip(local, request.DataPathAddr, false, kBadDataPathAddr));
  }
  return out;
}

Status check_addr_pools(std::vector<std::string>& pools, uint32_t& subnet_size) {
  if (pools.empty()) {
    // Without pools Docker ignores SubnetSize: the cluster keeps the default pool and size.
    pools = {std::string(kDefaultAddrPool)};
    subnet_size = kDefaultSubnetSize;
    return Status::ok();
  }
  if (subnet_size == 0) subnet_size = kDefaultSubnetSize;
  if (subnet_size > 29) {
    return error(Code::kInvalidArgument, "subnet size is out of range: {}", subnet_size);
  }
  for (std::string& pool : pools) {
    while (!pool.empty() && std::isspace(static_cast<unsigned char>(pool.back()))) pool.pop_back();
    while (!pool.empty() && std::isspace(static_cast<unsigned char>(pool.front())))
      pool.erase(0, 1);
    auto cidr = parse_cidr(pool);
    if (!cidr) {
      return error(Code::kInvalidArgument, "invalid base pool {}: invalid CIDR address: {}", pool,
                   pool);
    }
    if (subnet_size < static_cast<uint32_t>(cidr->prefix)) {
      return error(Code::kInvalidArgument,
                   "invalid CIDR: \"{}\". Subnet size is too small for pool: {}", pool,
                   subnet_size);
    }
  }
  return Status::ok();
}

api::IPAMConfig ingress_subnet(const std::vector<std::string>& pools, uint32_t subnet_size) {
  api::IPAMConfig config;
  auto pool = pools.empty() ? std::nullopt : parse_cidr(pools.front());
  if (!pool || pool->network.v6) return config;
  Cidr subnet{pool->network, static_cast<int>(subnet_size)};
  config.Subnet = subnet.to_string();
  config.Gateway = first_host(subnet).to_string();
  return config;
}

Result<InitPlan> plan_init(const Context& ctx, const api::InitRequest& request) {
  InitPlan plan;
  SHOAL_ASSIGN_OR_RETURN(InitAddresses addresses, resolve_init_addresses(ctx.local, request));
  SHOAL_ASSIGN_OR_RETURN(api::Spec spec, init_cluster_spec(request.Spec));
  plan.autolock = request.AutoLockManagers || spec.EncryptionConfig.AutoLockManagers;
  spec.EncryptionConfig.AutoLockManagers = plan.autolock;

  api::Swarm& cluster = plan.cluster;
  cluster.ID = ctx.ids.next();
  cluster.Spec = std::move(spec);
  cluster.DefaultAddrPool = request.DefaultAddrPool;
  cluster.SubnetSize = request.SubnetSize;
  SHOAL_RETURN_IF_ERROR(check_addr_pools(cluster.DefaultAddrPool, cluster.SubnetSize));
  cluster.DataPathPort = request.DataPathPort == 0 ? kDefaultDataPathPort : request.DataPathPort;
  if (cluster.DataPathPort < 1024 || cluster.DataPathPort > 49151) {
    return error(Code::kInvalidArgument,
                 "Datapath port number is not in valid range (1024-49151) : {}",
                 cluster.DataPathPort);
  }

  api::Node& node = plan.node;
  node.ID = ctx.ids.next();
  node.Spec.Role = api::NodeRole::kManager;
  node.Spec.Availability = request.Availability == api::NodeAvailability::kUnset
                               ? api::NodeAvailability::kActive
                               : request.Availability;
  node.Description = ctx.local.description();
  node.Status.State = api::NodeState::kReady;
  node.Status.Addr = addresses.advertise_ip;
  node.ManagerStatus = api::ManagerStatus{true, api::Reachability::kReachable, addresses.advertise};
  SHOAL_ASSIGN_OR_RETURN(plan.certs, plan_cluster_ca(ctx, cluster, node));

  api::Network& ingress = plan.ingress;
  ingress.ID = ctx.ids.next();
  ingress.Spec.Name = std::string(kIngressNetworkName);
  ingress.Spec.DriverConfiguration = api::Driver{"overlay", {}};
  ingress.Spec.Ingress = true;
  ingress.Spec.Scope = "swarm";
  api::IPAMOptions ipam{api::Driver{"default", {}}, {}};
  api::IPAMConfig subnet = ingress_subnet(cluster.DefaultAddrPool, cluster.SubnetSize);
  if (!subnet.Subnet.empty()) ipam.Configs.push_back(subnet);
  ingress.Spec.IPAMOptions = ipam;

  plan.membership =
      Membership{node.ID,          cluster.ID,         api::NodeRole::kManager, addresses.advertise,
                 addresses.listen, addresses.data_path};
  return plan;
}

}  // namespace shoal::manager::controlapi
