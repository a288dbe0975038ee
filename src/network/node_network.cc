#include "network/node_network.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

#include "common/mutex.h"
#include "network/kernel.h"
#include "network/netns.h"
#include "network/nftables.h"
#include "network/record.h"
#include "network/ruleset.h"

namespace shoal::network {

namespace {

namespace fs = std::filesystem;

constexpr size_t kIfNameMax = 15;

ResolvConf read_host_dns(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_resolv_conf(text.str());
}

Sandbox sandbox_of(const SandboxRecord& record) {
  Sandbox out;
  out.netns_path = record.netns_path;
  out.hostname = record.hostname;
  out.hosts = record.hosts;
  out.resolv_conf = record.resolv_conf;
  for (const InterfaceRecord& i : record.interfaces)
    out.addresses.push_back(format_cidr(i.address));
  out.ports = host_ports(record);
  return out;
}

class NodeNetwork final : public Attacher {
 public:
  NodeNetwork(NodeNetworkOptions options, LocalIpam ipam, std::unique_ptr<Nftables> nft,
              RecordFiles files)
      : options_(std::move(options)),
        netns_dir_(options_.data_dir / "netns"),
        records_dir_(options_.data_dir / "network" / "sandboxes"),
        nft_(std::move(nft)),
        ipam_(std::move(ipam)) {
    for (SandboxRecord& record : files.records) adopt(std::move(record));
    for (const std::string& e : files.errors) spdlog::warn("network: unreadable record {}", e);
  }

  Result<Sandbox> attach(const api::Task& task) override;
  Status detach(std::string_view task_id) override { return remove(task_id, false); }
  Status recover(const std::vector<std::string>& live_task_ids) override;

 private:
  struct Entry {
    SandboxRecord record;
    uint64_t seq = 0;    // claim order of its ports
    bool ready = false;  // made whole: its ports are in the ruleset
  };

  void adopt(SandboxRecord record);
  // The task's record and whether it is ready, or nullopt.
  std::optional<std::pair<SandboxRecord, bool>> find(std::string_view task_id);
  Result<SandboxRecord> reserve(const api::Task& task);
  void unreserve(const SandboxRecord& record);
  Status assign_ports(SandboxRecord& record) REQUIRES(mu_);
  // A bridge is made for its first user and removed with its last.
  Status acquire_bridges(RouteSocket& host, const SandboxRecord& record);
  Status release_bridges(RouteSocket& host, const SandboxRecord& record);
  // Releases the bridges of the first `count` interfaces.
  Status release_bridges_locked(RouteSocket& host, const SandboxRecord& record, size_t count)
      REQUIRES(bridge_mu_);
  Result<Sandbox> build(RouteSocket& host, const SandboxRecord& record);
  // detach(); with `purge`, also deletes host veths whose namespace some process still holds.
  Status remove(std::string_view task_id, bool purge);
  Status sync_rules(bool force = false);
  Status remove_strays(RouteSocket& host);

  // Const after construction.
  const NodeNetworkOptions options_;
  const fs::path netns_dir_;
  const fs::path records_dir_;
  const std::unique_ptr<Nftables> nft_;

  Mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_ GUARDED_BY(mu_);
  LocalIpam ipam_ GUARDED_BY(mu_);
  uint64_t next_seq_ GUARDED_BY(mu_) = 0;

  Mutex bridge_mu_;
  std::map<std::string, int> bridge_users_ GUARDED_BY(bridge_mu_);

  Mutex nft_mu_;
  std::optional<std::string> applied_ GUARDED_BY(nft_mu_);  // the table as last installed
};

void NodeNetwork::adopt(SandboxRecord record) {
  // Uncontended (the constructor recovers before anyone else has the object); taken for
  // the analysis's sake, in the order the other methods use (never both at once there).
  MutexLock lock(mu_);
  MutexLock bridges(bridge_mu_);
  for (const InterfaceRecord& i : record.interfaces) {
    if (i.network_id.empty()) (void)ipam_.hold(i.address.address);
    ++bridge_users_[i.bridge];
  }
  std::string id = record.task_id;
  entries_[id] = Entry{std::move(record), next_seq_++, true};
}

std::optional<std::pair<SandboxRecord, bool>> NodeNetwork::find(std::string_view task_id) {
  MutexLock lock(mu_);
  auto it = entries_.find(task_id);
  if (it == entries_.end()) return std::nullopt;
  return std::make_pair(it->second.record, it->second.ready);
}

Status NodeNetwork::assign_ports(SandboxRecord& record) {
  std::set<std::pair<api::PortConfigProtocol, uint32_t>> used;
  std::vector<PublishedPort> claims;
  std::vector<const Entry*> ordered;
  for (const auto& [id, entry] : entries_) ordered.push_back(&entry);
  std::sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
  for (const Entry* entry : ordered) {
    for (const auto& p : entry->record.ports) used.insert({p.Protocol, p.PublishedPort});
    auto ports = published_ports(entry->record);
    claims.insert(claims.end(), ports.begin(), ports.end());
  }
  for (api::PortConfig& port : record.ports) {
    if (port.PublishMode != api::PortConfigPublishMode::kHost || port.PublishedPort != 0) continue;
    uint32_t p = options_.dynamic_port_min;
    while (p <= options_.dynamic_port_max && used.contains({port.Protocol, p})) ++p;
    if (p > options_.dynamic_port_max) {
      return error(Code::kUnavailable, "no free node port for {}/{}", port.TargetPort,
                   protocol_name(port.Protocol));
    }
    port.PublishedPort = p;
    used.insert({port.Protocol, p});
  }
  auto mine = published_ports(record);
  claims.insert(claims.end(), mine.begin(), mine.end());
  for (const PortConflict& c : plan_ruleset({options_.nft_table, {}, claims}).conflicts) {
    if (c.port.task_id == record.task_id) return Status(Code::kInvalidArgument, c.message);
  }
  return Status::ok();
}

Result<SandboxRecord> NodeNetwork::reserve(const api::Task& task) {
  auto host_dns = read_host_dns(options_.resolv_conf);  // a file read, outside the lock
  MutexLock lock(mu_);
  SandboxContext context{netns_dir_,      options_.bridge_prefix, options_.default_bridge,
                         ipam_.gateway(), options_.default_mtu,   std::move(host_dns)};
  if (entries_.contains(task.ID)) {
    return error(Code::kUnavailable, "task {}: its sandbox is being changed", task.ID);
  }
  std::optional<Cidr> address;
  if (needs_default_bridge(task)) {
    SHOAL_ASSIGN_OR_RETURN(address, ipam_.allocate());
  }
  auto record = plan_sandbox(task, context, address);
  Status status = record.is_ok() ? assign_ports(*record) : record.status();
  if (!status.is_ok()) {
    if (address) ipam_.release(address->address);
    return status;
  }
  entries_[task.ID] = Entry{*record, next_seq_++, false};
  return record;
}

void NodeNetwork::unreserve(const SandboxRecord& record) {
  MutexLock lock(mu_);
  for (const InterfaceRecord& i : record.interfaces) {
    if (i.network_id.empty()) ipam_.release(i.address.address);
  }
  entries_.erase(record.task_id);
}

Status NodeNetwork::acquire_bridges(RouteSocket& host, const SandboxRecord& record) {
  MutexLock lock(bridge_mu_);
  for (size_t n = 0; n < record.interfaces.size(); ++n) {
    const InterfaceRecord& i = record.interfaces[n];
    auto users = bridge_users_.find(i.bridge);
    if (users != bridge_users_.end() && users->second > 0) {
      ++users->second;  // made by its first user
      continue;
    }
    Status made = ensure_bridge(host, i);
    if (!made.is_ok()) {
      if (!bridge_users_.contains(i.bridge)) (void)remove_bridge(host, i.bridge);
      Status undone = release_bridges_locked(host, record, n);
      if (undone.is_ok()) return made;
      return error(made.code(), "{} (and undoing it: {})", made.message(), undone.message());
    }
    ++bridge_users_[i.bridge];
  }
  return Status::ok();
}

Status NodeNetwork::release_bridges(RouteSocket& host, const SandboxRecord& record) {
  MutexLock lock(bridge_mu_);
  return release_bridges_locked(host, record, record.interfaces.size());
}

Status NodeNetwork::release_bridges_locked(RouteSocket& host, const SandboxRecord& record,
                                           size_t count) {
  Status first;
  for (size_t n = count; n-- > 0;) {
    const std::string& bridge = record.interfaces[n].bridge;
    auto it = bridge_users_.find(bridge);
    if (it != bridge_users_.end() && --it->second > 0) continue;
    if (it != bridge_users_.end()) bridge_users_.erase(it);
    Status s = remove_bridge(host, bridge);
    if (first.is_ok()) first = s;
  }
  return first;
}

Result<Sandbox> NodeNetwork::build(RouteSocket& host, const SandboxRecord& record) {
  SHOAL_RETURN_IF_ERROR(write_record(records_dir_, record));
  Status status = acquire_bridges(host, record);
  if (status.is_ok()) {
    status = build_sandbox(host, record);
    if (!status.is_ok()) (void)release_bridges(host, record);
  }
  if (!status.is_ok()) {
    (void)remove_record(records_dir_, record.task_id);
    return status;
  }
  {
    MutexLock lock(mu_);
    entries_[record.task_id].ready = true;
  }
  status = sync_rules();
  if (!status.is_ok()) {
    {
      MutexLock lock(mu_);
      entries_[record.task_id].ready = false;
    }
    (void)sync_rules();
    (void)remove_sandbox(host, record, /*delete_links=*/false);
    (void)release_bridges(host, record);
    (void)remove_record(records_dir_, record.task_id);
    return status;
  }
  return sandbox_of(record);
}

Result<Sandbox> NodeNetwork::attach(const api::Task& task) {
  SHOAL_ASSIGN_OR_RETURN(RouteSocket host, RouteSocket::open());
  if (auto found = find(task.ID)) {
    auto& [record, ready] = *found;
    if (ready && sandbox_intact(host, record)) return sandbox_of(record);
    spdlog::warn("network: sandbox of task {} is incomplete; making it again", task.ID);
    SHOAL_RETURN_IF_ERROR(detach(task.ID));
  }
  SHOAL_ASSIGN_OR_RETURN(SandboxRecord record, reserve(task));
  auto sandbox = build(host, record);
  if (!sandbox.is_ok()) {
    unreserve(record);
    spdlog::warn("network: attach task {}: {}", task.ID, sandbox.status().message());
  }
  return sandbox;
}

Status NodeNetwork::remove(std::string_view task_id, bool purge) {
  SHOAL_ASSIGN_OR_RETURN(RouteSocket host, RouteSocket::open());
  std::optional<SandboxRecord> record;
  {
    MutexLock lock(mu_);
    auto it = entries_.find(task_id);
    if (it != entries_.end()) {
      it->second.ready = false;  // its ports go first
      record = it->second.record;
    }
  }
  if (!record) return remove_netns(netns_dir_ / std::string(task_id));
  SHOAL_RETURN_IF_ERROR(sync_rules());
  SHOAL_RETURN_IF_ERROR(remove_sandbox(host, *record, purge));
  Status bridges = release_bridges(host, *record);
  SHOAL_RETURN_IF_ERROR(remove_record(records_dir_, task_id));
  unreserve(*record);
  return bridges;
}

Status NodeNetwork::sync_rules(bool force) {
  MutexLock nft_lock(nft_mu_);
  RulesetInput input{options_.nft_table, {}, {}};
  {
    MutexLock lock(mu_);
    std::vector<const Entry*> ready;
    for (const auto& [id, entry] : entries_) {
      if (entry.ready) ready.push_back(&entry);
    }
    std::sort(ready.begin(), ready.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
    std::set<std::string> bridges;
    for (const Entry* entry : ready) {
      for (const InterfaceRecord& i : entry->record.interfaces) {
        if (!bridges.insert(i.bridge).second) continue;
        input.bridges.push_back({i.bridge, format_subnet(i.bridge_address), !i.internal});
      }
      auto ports = published_ports(entry->record);
      input.ports.insert(input.ports.end(), ports.begin(), ports.end());
    }
  }
  Ruleset ruleset = plan_ruleset(input);
  for (const PortConflict& c : ruleset.conflicts) spdlog::warn("network: {}", c.message);
  if (!force && applied_ && *applied_ == ruleset.text) return Status::ok();
  applied_.reset();
  SHOAL_RETURN_IF_ERROR(nft_->run(nft_transaction(options_.nft_table, ruleset)));
  applied_ = ruleset.text;
  return Status::ok();
}

Status NodeNetwork::remove_strays(RouteSocket& host) {
  std::set<std::string> known;
  {
    MutexLock lock(mu_);
    for (const auto& [id, entry] : entries_) known.insert(id);
  }
  Status first;
  std::error_code ec;
  for (const auto& file : fs::directory_iterator(netns_dir_, ec)) {
    if (known.contains(file.path().filename().string())) continue;
    Status s = remove_netns(file.path());
    if (first.is_ok()) first = s;
  }
  auto links = host.links_with_prefix(options_.bridge_prefix);
  if (!links.is_ok()) return links.status();
  links->push_back(options_.default_bridge);
  MutexLock lock(bridge_mu_);
  for (const std::string& link : *links) {
    if (bridge_users_.contains(link)) continue;
    Status s = remove_bridge(host, link);
    if (first.is_ok()) first = s;
  }
  return first;
}

Status NodeNetwork::recover(const std::vector<std::string>& live_task_ids) {
  std::set<std::string, std::less<>> live(live_task_ids.begin(), live_task_ids.end());
  SHOAL_ASSIGN_OR_RETURN(RouteSocket host, RouteSocket::open());
  std::vector<SandboxRecord> records;
  {
    MutexLock lock(mu_);
    for (const auto& [id, entry] : entries_) records.push_back(entry.record);
  }
  Status first;
  for (const SandboxRecord& record : records) {
    if (live.contains(record.task_id) && sandbox_intact(host, record)) continue;
    if (live.contains(record.task_id)) {
      spdlog::warn("network: sandbox of live task {} is incomplete; removing it", record.task_id);
    }
    Status s = remove(record.task_id, /*purge=*/true);
    if (first.is_ok()) first = s;
  }
  Status strays = remove_strays(host);
  if (first.is_ok()) first = strays;
  Status rules = sync_rules(/*force=*/true);
  return first.is_ok() ? rules : first;
}

Status check_options(const NodeNetworkOptions& o) {
  if (o.data_dir.empty()) return Status(Code::kInvalidArgument, "network: no data dir");
  if (o.default_bridge.empty() || o.default_bridge.size() > kIfNameMax) {
    return error(Code::kInvalidArgument, "network: bridge name '{}' must have 1 to {} characters",
                 o.default_bridge, kIfNameMax);
  }
  if (o.bridge_prefix.empty() || o.bridge_prefix.size() > 8) {
    return error(Code::kInvalidArgument, "network: bridge prefix '{}' must have 1 to 8 characters",
                 o.bridge_prefix);
  }
  if (o.nft_table.empty() || o.dynamic_port_min == 0 || o.dynamic_port_min > o.dynamic_port_max ||
      o.dynamic_port_max > 65535) {
    return Status(Code::kInvalidArgument, "network: bad nft table name or dynamic port range");
  }
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<Attacher>> make_node_network(NodeNetworkOptions options) {
  SHOAL_RETURN_IF_ERROR(check_options(options));
  SHOAL_ASSIGN_OR_RETURN(LocalIpam ipam, LocalIpam::make(options.default_subnet));
  std::error_code ec;
  fs::create_directories(options.data_dir / "netns", ec);
  if (ec)
    return error(Code::kInternal, "network: create {}/netns: {}", options.data_dir.string(),
                 ec.message());
  SHOAL_ASSIGN_OR_RETURN(RecordFiles files,
                         read_records(options.data_dir / "network" / "sandboxes"));
  SHOAL_RETURN_IF_ERROR(write_sysctl("/proc/sys/net/ipv4/ip_forward", "1"));
  SHOAL_ASSIGN_OR_RETURN(auto nft, Nftables::make());
  return std::unique_ptr<Attacher>(
      new NodeNetwork(std::move(options), std::move(ipam), std::move(nft), std::move(files)));
}

}  // namespace shoal::network
