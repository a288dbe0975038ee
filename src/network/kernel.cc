#include "network/kernel.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "network/netns.h"

namespace shoal::network {

namespace {

Status build_interfaces(RouteSocket& host, RouteSocket& inside, const UniqueFd& ns,
                        const SandboxRecord& record) {
  for (const InterfaceRecord& i : record.interfaces) {
    SHOAL_ASSIGN_OR_RETURN(int bridge, host.link_index(i.bridge));
    VethConfig veth{i.host_veth, bridge, i.name, ns.get(), i.mtu};
    Status made = host.create_veth(veth);
    if (made.code() == Code::kAlreadyExists) {  // left by a crash: its sandbox is gone
      SHOAL_RETURN_IF_ERROR(host.delete_link(i.host_veth));
      made = host.create_veth(veth);
    }
    SHOAL_RETURN_IF_ERROR(made);
    SHOAL_RETURN_IF_ERROR(inside.set_up(i.name));
    SHOAL_RETURN_IF_ERROR(inside.add_address(i.name, i.address));
  }
  if (const InterfaceRecord* d = record.default_interface()) {
    SHOAL_RETURN_IF_ERROR(inside.add_default_route(d->bridge_address.address));
  }
  return Status::ok();
}

Result<RouteSocket> fresh_netns(const SandboxRecord& record) {
  auto inside = create_netns(record.netns_path);
  if (inside.status().code() != Code::kAlreadyExists) return inside;
  SHOAL_RETURN_IF_ERROR(remove_netns(record.netns_path));  // left by a crash
  return create_netns(record.netns_path);
}

}  // namespace

Status write_sysctl(std::string_view path, std::string_view value) {
  std::string p(path);
  int fd = ::open(p.c_str(), O_WRONLY | O_CLOEXEC);
  bool ok =
      fd >= 0 && ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  int err = errno;
  if (fd >= 0) ::close(fd);
  if (!ok) return error(Code::kInternal, "write {}: {}", path, std::strerror(err));
  return Status::ok();
}

Status ensure_bridge(RouteSocket& host, const InterfaceRecord& interface) {
  Status made = host.create_bridge({interface.bridge, interface.mtu});
  if (!made.is_ok() && made.code() != Code::kAlreadyExists) return made;
  SHOAL_RETURN_IF_ERROR(host.add_address(interface.bridge, interface.bridge_address));
  SHOAL_RETURN_IF_ERROR(host.set_up(interface.bridge));
  return write_sysctl(fmt::format("/proc/sys/net/ipv4/conf/{}/route_localnet", interface.bridge),
                      "1");
}

Status remove_bridge(RouteSocket& host, std::string_view name) { return host.delete_link(name); }

Status build_sandbox(RouteSocket& host, const SandboxRecord& record) {
  SHOAL_ASSIGN_OR_RETURN(RouteSocket inside, fresh_netns(record));
  Status status = [&]() -> Status {
    SHOAL_ASSIGN_OR_RETURN(UniqueFd ns, open_netns(record.netns_path));
    return build_interfaces(host, inside, ns, record);
  }();
  if (!status.is_ok()) {
    Status undone = remove_sandbox(host, record, /*delete_links=*/false);
    if (!undone.is_ok()) {
      return error(status.code(), "{} (and undoing it: {})", status.message(), undone.message());
    }
  }
  return status;
}

Status remove_sandbox(RouteSocket& host, const SandboxRecord& record, bool delete_links) {
  Status first = remove_netns(record.netns_path);
  if (!delete_links) return first;
  for (auto it = record.interfaces.rbegin(); it != record.interfaces.rend(); ++it) {
    Status s = host.delete_link(it->host_veth);
    if (first.is_ok()) first = s;
  }
  return first;
}

bool sandbox_intact(RouteSocket& host, const SandboxRecord& record) {
  if (!is_netns(record.netns_path)) return false;
  for (const InterfaceRecord& i : record.interfaces) {
    if (!host.link_index(i.host_veth).is_ok()) return false;
  }
  return true;
}

}  // namespace shoal::network
