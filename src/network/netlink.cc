#include "network/netlink.h"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <sys/socket.h>

#include <array>

namespace shoal::network {

namespace {

// Owners of libnl objects.
struct LinkDeleter {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
struct AddrDeleter {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct RtAddrDeleter {
  void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct RouteDeleter {
  void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
struct CacheDeleter {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;
using AddrPtr = std::unique_ptr<nl_addr, AddrDeleter>;

Status nl_error(int err, std::string_view what) {
  Code code = Code::kInternal;
  if (err == -NLE_EXIST) code = Code::kAlreadyExists;
  if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) code = Code::kNotFound;
  return error(code, "{}: {}", what, nl_geterror(err));
}

AddrPtr ipv4_addr(uint32_t address, int bits) {
  uint32_t be = htonl(address);
  AddrPtr out(nl_addr_build(AF_INET, &be, sizeof(be)));
  if (out) nl_addr_set_prefixlen(out.get(), bits);
  return out;
}

// A locally administered unicast MAC from an FNV-1a hash of `name`.
std::array<uint8_t, 6> mac_for(std::string_view name) {
  uint64_t h = 1469598103934665603ull;
  for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  std::array<uint8_t, 6> mac{};
  mac[0] = 0x02;
  for (int i = 1; i < 6; ++i) mac[i] = static_cast<uint8_t>(h >> (8 * i));
  return mac;
}

}  // namespace

Result<RouteSocket> RouteSocket::open() {
  nl_sock* sock = nl_socket_alloc();
  if (sock == nullptr) return Status(Code::kInternal, "netlink: cannot allocate a socket");
  if (int err = nl_connect(sock, NETLINK_ROUTE); err < 0) {
    nl_socket_free(sock);
    return nl_error(err, "netlink: connect");
  }
  return RouteSocket(sock);
}

RouteSocket& RouteSocket::operator=(RouteSocket&& other) noexcept {
  if (this != &other) {
    if (sock_ != nullptr) nl_socket_free(sock_);
    sock_ = other.sock_;
    other.sock_ = nullptr;
  }
  return *this;
}

RouteSocket::~RouteSocket() {
  if (sock_ != nullptr) nl_socket_free(sock_);
}

Result<int> RouteSocket::link_index(std::string_view name) {
  rtnl_link* raw = nullptr;
  std::string n(name);
  if (int err = rtnl_link_get_kernel(sock_, 0, n.c_str(), &raw); err < 0) {
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) {
      return error(Code::kNotFound, "link {} not found", name);
    }
    return nl_error(err, fmt::format("netlink: get link {}", name));
  }
  LinkPtr link(raw);
  return rtnl_link_get_ifindex(link.get());
}

Status RouteSocket::create_bridge(const BridgeConfig& config) {
  LinkPtr link(rtnl_link_bridge_alloc());
  if (!link) return Status(Code::kInternal, "netlink: cannot allocate a bridge");
  rtnl_link_set_name(link.get(), config.name.c_str());
  rtnl_link_set_mtu(link.get(), config.mtu);
  auto mac = mac_for(config.name);
  AddrPtr lladdr(nl_addr_build(AF_LLC, mac.data(), mac.size()));
  rtnl_link_set_addr(link.get(), lladdr.get());
  rtnl_link_set_flags(link.get(), IFF_UP);
  if (int err = rtnl_link_add(sock_, link.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0) {
    return nl_error(err, fmt::format("netlink: create bridge {}", config.name));
  }
  return Status::ok();
}

Status RouteSocket::create_veth(const VethConfig& config) {
  rtnl_link* link = rtnl_link_veth_alloc();
  if (link == nullptr) return Status(Code::kInternal, "netlink: cannot allocate a veth pair");
  rtnl_link_set_name(link, config.host_name.c_str());
  rtnl_link_set_mtu(link, config.mtu);
  rtnl_link_set_master(link, config.master_index);
  rtnl_link_set_flags(link, IFF_UP);
  rtnl_link* peer = rtnl_link_veth_get_peer(link);
  rtnl_link_set_name(peer, config.peer_name.c_str());
  rtnl_link_set_mtu(peer, config.mtu);
  rtnl_link_set_ns_fd(peer, config.peer_netns_fd);
  // Not IFF_UP here: the kernel refuses the peer's flags together with a namespace change.
  rtnl_link_put(peer);
  int err = rtnl_link_add(sock_, link, NLM_F_CREATE | NLM_F_EXCL);
  rtnl_link_veth_release(link);
  if (err < 0) return nl_error(err, fmt::format("netlink: create veth {}", config.host_name));
  return Status::ok();
}

Status RouteSocket::delete_link(std::string_view name) {
  LinkPtr link(rtnl_link_alloc());
  std::string n(name);
  rtnl_link_set_name(link.get(), n.c_str());
  int err = rtnl_link_delete(sock_, link.get());
  if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return Status::ok();
  if (err < 0) return nl_error(err, fmt::format("netlink: delete link {}", name));
  return Status::ok();
}

Status RouteSocket::set_up(std::string_view name) {
  SHOAL_ASSIGN_OR_RETURN(int index, link_index(name));
  LinkPtr orig(rtnl_link_alloc());
  rtnl_link_set_ifindex(orig.get(), index);
  LinkPtr change(rtnl_link_alloc());
  rtnl_link_set_flags(change.get(), IFF_UP);
  if (int err = rtnl_link_change(sock_, orig.get(), change.get(), 0); err < 0) {
    return nl_error(err, fmt::format("netlink: set {} up", name));
  }
  return Status::ok();
}

Status RouteSocket::add_address(std::string_view link, Cidr address) {
  SHOAL_ASSIGN_OR_RETURN(int index, link_index(link));
  std::unique_ptr<rtnl_addr, RtAddrDeleter> addr(rtnl_addr_alloc());
  AddrPtr local = ipv4_addr(address.address, address.bits);
  if (!addr || !local) return Status(Code::kInternal, "netlink: cannot allocate an address");
  rtnl_addr_set_ifindex(addr.get(), index);
  rtnl_addr_set_family(addr.get(), AF_INET);
  rtnl_addr_set_local(addr.get(), local.get());
  rtnl_addr_set_prefixlen(addr.get(), address.bits);
  AddrPtr broadcast = ipv4_addr(address.broadcast(), address.bits);
  if (address.bits < 31) rtnl_addr_set_broadcast(addr.get(), broadcast.get());
  int err = rtnl_addr_add(sock_, addr.get(), 0);
  if (err < 0 && err != -NLE_EXIST) {
    return nl_error(err, fmt::format("netlink: add {} to {}", format_cidr(address), link));
  }
  return Status::ok();
}

Status RouteSocket::add_default_route(uint32_t gateway) {
  std::unique_ptr<rtnl_route, RouteDeleter> route(rtnl_route_alloc());
  AddrPtr dst = ipv4_addr(0, 0);
  AddrPtr via = ipv4_addr(gateway, 32);
  rtnl_nexthop* nh = rtnl_route_nh_alloc();
  if (!route || !dst || !via || nh == nullptr) {
    if (nh != nullptr) rtnl_route_nh_free(nh);
    return Status(Code::kInternal, "netlink: cannot allocate a route");
  }
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_protocol(route.get(), RTPROT_BOOT);
  rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  rtnl_route_set_dst(route.get(), dst.get());
  rtnl_route_nh_set_gateway(nh, via.get());
  rtnl_route_add_nexthop(route.get(), nh);  // the route owns nh now
  int err = rtnl_route_add(sock_, route.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err < 0 && err != -NLE_EXIST) {
    return nl_error(err, fmt::format("netlink: default route via {}", format_ipv4(gateway)));
  }
  return Status::ok();
}

Result<std::vector<std::string>> RouteSocket::links_with_prefix(std::string_view prefix) {
  nl_cache* raw = nullptr;
  if (int err = rtnl_link_alloc_cache(sock_, AF_UNSPEC, &raw); err < 0) {
    return nl_error(err, "netlink: list links");
  }
  std::unique_ptr<nl_cache, CacheDeleter> cache(raw);
  std::vector<std::string> out;
  for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
    const char* name = rtnl_link_get_name(reinterpret_cast<rtnl_link*>(o));
    if (name != nullptr && std::string_view(name).starts_with(prefix)) out.emplace_back(name);
  }
  return out;
}

}  // namespace shoal::network
