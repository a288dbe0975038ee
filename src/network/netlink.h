// Links, addresses and routes through rtnetlink (libnl-route-3): the kernel calls node
// networking makes on its hot path, with no `ip` subprocess.
//
// A RouteSocket belongs to the network namespace it was opened in (netns.h opens one inside a
// task's namespace), so one thread can configure the host and a container side by side.
//
// Thread safety: a RouteSocket is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "network/ipam.h"

struct nl_sock;

namespace shoal::network {

struct BridgeConfig {
  std::string name;
  uint32_t mtu = 1500;
};

struct VethConfig {
  std::string host_name;   // the end that stays in this socket's namespace
  int master_index = 0;    // the bridge the host end joins
  std::string peer_name;   // "eth0": the end moved into the namespace
  int peer_netns_fd = -1;  // an fd of that namespace
  uint32_t mtu = 1500;
};

class RouteSocket {
 public:
  // A socket in the calling thread's network namespace.
  // Errors: kInternal when the kernel refuses a netlink socket.
  static Result<RouteSocket> open();

  RouteSocket(RouteSocket&& other) noexcept : sock_(other.sock_) { other.sock_ = nullptr; }
  RouteSocket& operator=(RouteSocket&& other) noexcept;
  ~RouteSocket();

  // The link's index. Errors: kNotFound "link <name> not found"; kInternal.
  Result<int> link_index(std::string_view name);

  // Creates a bridge, up, with a fixed MAC address derived from its name (so it does not
  // change as ports come and go). Errors: kAlreadyExists when a link has that name;
  // kInternal for any other refusal.
  Status create_bridge(const BridgeConfig& config);

  // Creates a veth pair in one call: the host end up on `master_index`, the peer (down) in
  // the namespace of `peer_netns_fd` under `peer_name`.
  // Errors: kAlreadyExists when the host name is taken; kInternal otherwise.
  Status create_veth(const VethConfig& config);

  // Deletes a link (a veth's peer goes with it). OK when there is no such link.
  // Errors: kInternal.
  Status delete_link(std::string_view name);

  // Sets a link up. Errors: kNotFound; kInternal.
  Status set_up(std::string_view name);

  // Adds an address to a link. OK when the link has it already. Errors: kNotFound; kInternal.
  Status add_address(std::string_view link, Cidr address);

  // Adds the default route via `gateway`. OK when it exists. Errors: kInternal.
  Status add_default_route(uint32_t gateway);

  // The names of the links whose name starts with `prefix`. Errors: kInternal.
  Result<std::vector<std::string>> links_with_prefix(std::string_view prefix);

 private:
  explicit RouteSocket(nl_sock* sock) : sock_(sock) {}

  nl_sock* sock_;
};

}  // namespace shoal::network
