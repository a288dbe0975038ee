#include "provider/netns_provider.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/cgroups.h"
#include "network/ipam.h"
#include "network/netlink.h"
#include "network/netns.h"
#include "network/nftables.h"
#include "provider/cleanup.h"
#include "provider/machine_process.h"
#include "provider/names.h"

namespace shoal::provider {
namespace fs = std::filesystem;
namespace {

std::string nft_table(const std::string& cluster) { return "shoal-cluster-" + cluster; }

const MachineState* find_machine(const ClusterState& state, const std::string& id) {
  for (const auto& m : state.machines) {
    if (m.name == id) return &m;
  }
  return nullptr;
}

Status write_proc(const char* path, const char* value) {
  std::ofstream out(path);
  out << value;
  out.flush();
  if (!out) return error(Code::kInternal, "cannot write {} to {}", value, path);
  return Status::ok();
}

// What `ip netns add` does first: the namespace directory is a shared mount of itself, so
// that removing a namespace's bind mount reaches the mount namespaces made since (each
// machine's is a slave of the host's).
Status prepare_netns_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return error(Code::kInternal, "create {}: {}", dir, ec.message());
  if (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) == 0) return Status::ok();
  if (errno != EINVAL) {
    return error(Code::kInternal, "make {} a shared mount: {}", dir, std::strerror(errno));
  }
  if (::mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0 ||
      ::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
    return error(Code::kInternal, "bind {} onto itself: {}", dir, std::strerror(errno));
  }
  return Status::ok();
}

// The container IDs a machine's daemon had (its state dirs), for the cgroups runc left.
std::vector<std::string> container_ids(const std::string& data_dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(data_dir + "/containers", ec)) {
    ids.push_back(e.path().filename().string());
  }
  return ids;
}

// The init PIDs recorded for `machine` (one while it runs; none once it was killed).
std::vector<Resource> init_pids(const ClusterState& state, const std::string& machine) {
  std::vector<Resource> out;
  for (const auto& r : state.made) {
    if (r.kind == ResourceKind::kPid && r.machine == machine) out.push_back(r);
  }
  return out;
}

}  // namespace

NetnsProvider::NetnsProvider(NetnsOptions options) : options_(std::move(options)) {}

std::string NetnsProvider::cluster_dir(const std::string& name) const {
  return options_.clusters_dir + "/" + name;
}

std::string NetnsProvider::netns_path(const ClusterState& state, const std::string& machine) const {
  return options_.netns_dir + "/" + netns_name(state.name, machine);
}

Status NetnsProvider::save(const ClusterState& state) const {
  return save_state(cluster_dir(state.name), state);
}

Status NetnsProvider::record(ClusterState& state, Resource resource) const {
  if (std::find(state.made.begin(), state.made.end(), resource) == state.made.end()) {
    state.made.push_back(std::move(resource));
  }
  return save(state);
}

std::vector<std::string> NetnsProvider::subnets_in_use(const std::string& except) const {
  std::vector<std::string> used;
  // Every IPv4 network this host is on (another cluster kept elsewhere, a VPN, a LAN).
  ifaddrs* addrs = nullptr;
  if (::getifaddrs(&addrs) == 0) {
    for (ifaddrs* a = addrs; a; a = a->ifa_next) {
      if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
      uint32_t ip = ntohl(reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr);
      used.push_back(network::format_ipv4(ip & 0xffffff00u) + "/24");
    }
    ::freeifaddrs(addrs);
  }
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(options_.clusters_dir, ec)) {
    if (e.path().filename() == except) continue;
    auto other = load_state(e.path().string());
    if (other.is_ok() && !other->subnet.empty()) used.push_back(other->subnet);
  }
  return used;
}

Status NetnsProvider::bootstrap(ClusterState& state) {
  SHOAL_RETURN_IF_ERROR(validate_name("cluster", state.name));
  if (::geteuid() != 0) {
    return error(Code::kFailedPrecondition,
                 "the netns provider needs root (namespaces, links, nftables)");
  }
  if (state.subnet.empty()) {
    SHOAL_ASSIGN_OR_RETURN(state.subnet,
                           allocate_subnet(options_.subnet_pool, subnets_in_use(state.name)));
  }
  state.provider = "netns";
  state.bridge = bridge_name(state.name);
  SHOAL_RETURN_IF_ERROR(save(state));
  SHOAL_ASSIGN_OR_RETURN(std::string gateway, address_in(state.subnet, 1));
  SHOAL_RETURN_IF_ERROR(prepare_netns_dir(options_.netns_dir));
  // Machines reach the world through the host, as containers on a Docker bridge do.
  SHOAL_RETURN_IF_ERROR(write_proc("/proc/sys/net/ipv4/ip_forward", "1"));

  // A bridge or table of this name that this state did not make belongs to someone else
  // (a cluster of the same name kept in another state directory): never adopt it.
  SHOAL_ASSIGN_OR_RETURN(auto host, network::RouteSocket::open());
  SHOAL_ASSIGN_OR_RETURN(auto nft, network::Nftables::make());
  Resource table{ResourceKind::kNftTable, nft_table(state.name), ""};
  Resource bridge{ResourceKind::kBridge, state.bridge, ""};
  auto made = [&](const Resource& r) {
    return std::find(state.made.begin(), state.made.end(), r) != state.made.end();
  };
  SHOAL_ASSIGN_OR_RETURN(std::string listing, nft->list_table(table.name));
  if ((!listing.empty() && !made(table)) ||
      (host.link_index(bridge.name).is_ok() && !made(bridge))) {
    return error(Code::kAlreadyExists,
                 "the host already has a bridge {} or nft table {} that this cluster did not make",
                 bridge.name, table.name);
  }

  SHOAL_RETURN_IF_ERROR(record(state, table));
  SHOAL_RETURN_IF_ERROR(
      nft->run(fmt::format("table ip {0}\ndelete table ip {0}\n"
                           "table ip {0} {{\n"
                           "  chain postrouting {{\n"
                           "    type nat hook postrouting priority srcnat; policy accept;\n"
                           "    ip saddr {1} ip daddr != {1} masquerade\n"
                           "  }}\n"
                           "}}\n",
                           nft_table(state.name), state.subnet)));

  SHOAL_RETURN_IF_ERROR(record(state, bridge));
  if (!host.link_index(state.bridge).is_ok()) {
    SHOAL_RETURN_IF_ERROR(host.create_bridge({.name = state.bridge}));
  }
  SHOAL_ASSIGN_OR_RETURN(uint32_t gw, network::parse_ipv4(gateway));
  SHOAL_RETURN_IF_ERROR(host.add_address(state.bridge, network::Cidr{gw, 24}));
  SHOAL_RETURN_IF_ERROR(host.set_up(state.bridge));

  std::string machines = cluster_dir(state.name) + "/machines";
  SHOAL_RETURN_IF_ERROR(record(state, {ResourceKind::kDir, machines, ""}));
  std::error_code ec;
  fs::create_directories(machines, ec);
  if (ec) return error(Code::kInternal, "create {}: {}", machines, ec.message());
  return Status::ok();
}

Result<std::vector<Instance>> NetnsProvider::start_instances(ClusterState& state,
                                                             const Constraints& c) {
  if (state.subnet.empty() || state.bridge.empty()) {
    return error(Code::kFailedPrecondition, "cluster {} is not bootstrapped", state.name);
  }
  if (c.count < 1)
    return error(Code::kInvalidArgument, "the machine count must be at least 1, not {}", c.count);
  SHOAL_RETURN_IF_ERROR(validate_name("machine prefix", c.name_prefix));
  SHOAL_ASSIGN_OR_RETURN(auto host, network::RouteSocket::open());

  std::vector<Instance> started;
  for (int i = 0; i < c.count; ++i) {
    MachineState m;
    for (int n = 1; m.name.empty(); ++n) {
      std::string candidate = c.name_prefix + std::to_string(n);
      if (!find_machine(state, candidate)) m.name = candidate;
    }
    SHOAL_RETURN_IF_ERROR(validate_name("machine", m.name));
    std::vector<std::string> ips;
    for (const auto& other : state.machines) ips.push_back(other.ip);
    SHOAL_ASSIGN_OR_RETURN(int host_number, next_host(state.subnet, ips));
    SHOAL_ASSIGN_OR_RETURN(m.ip, address_in(state.subnet, host_number));
    std::string dir = cluster_dir(state.name) + "/machines/" + m.name;
    m.data_dir = dir + "/data";
    m.socket = dir + "/docker.sock";
    if (m.socket.size() >= sizeof(sockaddr_un{}.sun_path)) {
      return error(Code::kInvalidArgument,
                   "the socket path {} is longer than a unix socket allows; use a shorter "
                   "cluster name or state directory",
                   m.socket);
    }
    state.machines.push_back(m);

    SHOAL_RETURN_IF_ERROR(record(state, {ResourceKind::kDir, dir, m.name}));
    std::error_code ec;
    fs::create_directories(m.data_dir, ec);
    if (ec) return error(Code::kInternal, "create {}: {}", m.data_dir, ec.message());

    // Names taken by something else are refused before they are recorded, so a cleanup
    // after this error never removes what another cluster made.
    std::string ns = netns_path(state, m.name);
    std::string veth = veth_name(state.name, m.name);
    if (fs::exists(ns, ec) || host.link_index(veth).is_ok()) {
      return error(Code::kAlreadyExists, "the host already has a namespace {} or link {}", ns,
                   veth);
    }
    SHOAL_RETURN_IF_ERROR(make_machine_network(state, m));
    SHOAL_RETURN_IF_ERROR(launch(state, m));
    started.push_back({m.name, m.ip, InstanceState::kRunning, "unix://" + m.socket});
  }
  return started;
}

// The machine's namespace and veth, each recorded before it is made. Parts that exist
// already are kept, so after a host reboot (which empties /run/netns and drops links) this
// rebuilds exactly what is missing.
Status NetnsProvider::make_machine_network(ClusterState& state, const MachineState& m) {
  SHOAL_ASSIGN_OR_RETURN(std::string gateway, address_in(state.subnet, 1));
  SHOAL_ASSIGN_OR_RETURN(uint32_t gw, network::parse_ipv4(gateway));
  SHOAL_ASSIGN_OR_RETURN(uint32_t address, network::parse_ipv4(m.ip));
  SHOAL_ASSIGN_OR_RETURN(auto host, network::RouteSocket::open());
  SHOAL_ASSIGN_OR_RETURN(int bridge, host.link_index(state.bridge));
  std::string ns = netns_path(state, m.name);
  std::string veth = veth_name(state.name, m.name);

  SHOAL_RETURN_IF_ERROR(record(state, {ResourceKind::kNetns, ns, m.name}));
  bool fresh = netns_inode(ns) == 0;
  if (fresh) {
    std::error_code ec;
    fs::remove(ns, ec);  // a file left on a tmpfs that survived without its mount
    SHOAL_ASSIGN_OR_RETURN(auto made, network::create_netns(ns));
  }
  SHOAL_ASSIGN_OR_RETURN(auto inside, network::enter_netns(ns));
  SHOAL_RETURN_IF_ERROR(record(state, {ResourceKind::kVeth, veth, m.name}));
  // A host veth beside a new namespace belongs to the old one, which the kernel tears
  // down asynchronously after its file goes: replace it, its peer is not in this one.
  if (fresh) SHOAL_RETURN_IF_ERROR(host.delete_link(veth));
  if (!host.link_index(veth).is_ok()) {
    SHOAL_ASSIGN_OR_RETURN(auto ns_fd, network::open_netns(ns));
    SHOAL_RETURN_IF_ERROR(host.create_veth({.host_name = veth,
                                            .master_index = bridge,
                                            .peer_name = "eth0",
                                            .peer_netns_fd = ns_fd.get()}));
  }
  SHOAL_RETURN_IF_ERROR(inside.set_up("eth0"));
  SHOAL_RETURN_IF_ERROR(inside.add_address("eth0", network::Cidr{address, 24}));
  return inside.add_default_route(gw);
}

// Starts the machine's daemon. Its init's PID is recorded after the fork (it cannot be
// known before); a crash in between leaves a process that the namespace's cleanup step
// still finds, since it kills whatever runs in the machine's network namespace.
Status NetnsProvider::launch(ClusterState& state, const MachineState& m) {
  std::string dir = cluster_dir(state.name) + "/machines/" + m.name;
  MachineLaunch launch;
  launch.netns_path = netns_path(state, m.name);
  launch.hostname = state.name + "-" + m.name;
  launch.log_file = dir + "/daemon.log";
  launch.argv = {
      options_.shoal_binary,          "daemon",
      "--data-dir=" + m.data_dir,     "--socket=" + m.socket,
      "--executor=" + state.executor, fmt::format("--listen-addr={}:{}", m.ip, kSwarmPort),
      "--advertise-addr=" + m.ip};
  if (!options_.monitor_binary.empty())
    launch.argv.push_back("--monitor=" + options_.monitor_binary);
  launch.argv.insert(launch.argv.end(), options_.daemon_flags.begin(), options_.daemon_flags.end());
  SHOAL_ASSIGN_OR_RETURN(pid_t pid, launch_machine(launch));
  SHOAL_RETURN_IF_ERROR(record(state, {ResourceKind::kPid, std::to_string(pid), m.name}));
  Status ready =
      wait_for_api(m.socket, pid, netns_inode(launch.netns_path), options_.start_timeout);
  if (!ready.is_ok()) {
    return error(ready.code(), "machine {}: {} (see {})", m.name, ready.message(), launch.log_file);
  }
  return Status::ok();
}

Status NetnsProvider::stop_instances(ClusterState& state, const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    if (!find_machine(state, id)) {
      return error(Code::kNotFound, "cluster {} has no machine {}", state.name, id);
    }
  }
  for (const auto& id : ids) {
    SHOAL_RETURN_IF_ERROR(run_cleanup(state, id));
    std::erase_if(state.machines, [&](const MachineState& m) { return m.name == id; });
    SHOAL_RETURN_IF_ERROR(save(state));
  }
  return Status::ok();
}

Status NetnsProvider::kill_instance(ClusterState& state, const std::string& id) {
  if (!find_machine(state, id))
    return error(Code::kNotFound, "cluster {} has no machine {}", state.name, id);
  ino_t inode = netns_inode(netns_path(state, id));
  for (const auto& r : init_pids(state, id)) {
    if (!signal_and_wait(std::stoi(r.name), inode, SIGKILL, options_.stop_timeout)) {
      return error(Code::kInternal, "machine {}: process {} outlived SIGKILL", id, r.name);
    }
    forget(state, r);
  }
  // Anything the init did not take down (it cannot happen, but a crash mid-launch could
  // leave a launcher) goes too.
  if (!kill_netns_processes(inode, options_.stop_timeout)) {
    return error(Code::kInternal, "machine {}: processes outlived SIGKILL", id);
  }
  return save(state);
}

Status NetnsProvider::restart_instance(ClusterState& state, const std::string& id) {
  const MachineState* m = find_machine(state, id);
  if (!m) return error(Code::kNotFound, "cluster {} has no machine {}", state.name, id);
  if (running(state, id)) return Status::ok();
  for (const auto& r : init_pids(state, id)) forget(state, r);
  // Containers that died with the machine leave cgroups behind; the restarted daemon
  // reports them lost, and their cgroups go now.
  for (const auto& cid : container_ids(m->data_dir)) remove_container_cgroups(cid);
  MachineState copy = *m;
  // After a host reboot the bridge, the NAT table, the namespace and the veth are gone while
  // the disk stays: make again whatever is missing.
  SHOAL_RETURN_IF_ERROR(bootstrap(state));
  SHOAL_RETURN_IF_ERROR(make_machine_network(state, copy));
  return launch(state, copy);
}

bool NetnsProvider::running(const ClusterState& state, const std::string& machine) const {
  ino_t inode = netns_inode(netns_path(state, machine));
  for (const auto& r : init_pids(state, machine)) {
    if (alive_in_netns(std::stoi(r.name), inode)) return true;
  }
  return false;
}

Result<std::vector<Instance>> NetnsProvider::instances(const ClusterState& state) {
  std::vector<Instance> out;
  for (const auto& m : state.machines) {
    InstanceState st = running(state, m.name) ? InstanceState::kRunning : InstanceState::kStopped;
    out.push_back({m.name, m.ip, st, "unix://" + m.socket});
  }
  return out;
}

Status NetnsProvider::open_ports(ClusterState&, const std::vector<PortRange>&) {
  return error(Code::kUnimplemented,
               "netns machines need no open ports: the host reaches every machine's IP directly");
}

Status NetnsProvider::close_ports(ClusterState&, const std::vector<PortRange>&) {
  return error(Code::kUnimplemented,
               "netns machines need no open ports: the host reaches every machine's IP directly");
}

std::vector<std::string> NetnsProvider::subnets(const ClusterState& state) const {
  if (state.subnet.empty()) return {};
  return {state.subnet};
}

Status NetnsProvider::destroy(ClusterState& state) {
  SHOAL_RETURN_IF_ERROR(run_cleanup(state, std::nullopt));
  state.machines.clear();
  return save(state);
}

Status NetnsProvider::run_cleanup(ClusterState& state, const std::optional<std::string>& machine) {
  for (const CleanupStep& step : plan_cleanup(state, machine)) {
    SHOAL_RETURN_IF_ERROR(remove(state, step.resource));
    forget(state, step.resource);
    SHOAL_RETURN_IF_ERROR(save(state));
  }
  return Status::ok();
}

// Removes one recorded object; an object that is already gone counts as removed.
Status NetnsProvider::remove(const ClusterState& state, const Resource& r) {
  switch (r.kind) {
    case ResourceKind::kPid: {
      ino_t inode = netns_inode(netns_path(state, r.machine));
      pid_t pid = std::stoi(r.name);
      if (!signal_and_wait(pid, inode, SIGTERM, options_.stop_timeout) &&
          !signal_and_wait(pid, inode, SIGKILL, options_.stop_timeout)) {
        return error(Code::kInternal, "machine {}: process {} outlived SIGKILL", r.machine, pid);
      }
      return Status::ok();
    }
    case ResourceKind::kMount:
      if (::umount2(r.name.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
        return error(Code::kInternal, "unmount {}: {}", r.name, std::strerror(errno));
      }
      return Status::ok();
    case ResourceKind::kNetns: {
      if (!kill_netns_processes(netns_inode(r.name), options_.stop_timeout)) {
        return error(Code::kInternal, "processes in {} outlived SIGKILL", r.name);
      }
      return network::remove_netns(r.name);
    }
    case ResourceKind::kVeth:
    case ResourceKind::kBridge: {
      SHOAL_ASSIGN_OR_RETURN(auto host, network::RouteSocket::open());
      return host.delete_link(r.name);
    }
    case ResourceKind::kNftTable: {
      SHOAL_ASSIGN_OR_RETURN(auto nft, network::Nftables::make());
      SHOAL_ASSIGN_OR_RETURN(std::string listing, nft->list_table(r.name));
      if (listing.empty()) return Status::ok();
      return nft->run(fmt::format("delete table ip {}\n", r.name));
    }
    case ResourceKind::kDir: {
      // Only what this provider made: a path inside the cluster's directory.
      std::string root = cluster_dir(state.name) + "/";
      if (!r.name.starts_with(root)) {
        return error(Code::kFailedPrecondition, "refusing to remove {}: not under {}", r.name,
                     root);
      }
      if (!r.machine.empty()) {
        for (const auto& cid : container_ids(r.name + "/data")) {
          // The containers' processes were killed with the machine; the kernel may still be
          // tearing them down, so their cgroups can take a moment to empty.
          for (int attempt = 0; attempt < 50 && !remove_container_cgroups(cid); ++attempt) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }
      }
      std::error_code ec;
      fs::remove_all(r.name, ec);
      if (ec) return error(Code::kInternal, "remove {}: {}", r.name, ec.message());
      return Status::ok();
    }
  }
  return Status::ok();
}

void add_netns_provider(ProviderRegistry& registry, NetnsOptions options) {
  registry.add("netns", [options] { return std::make_unique<NetnsProvider>(options); });
}

}  // namespace shoal::provider
