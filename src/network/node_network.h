// Node networking for tasks on one node (docs/networking.md): the network::Attacher the
// container runtime uses. Per task: a network namespace bound at <data-dir>/netns/<task ID>,
// a veth pair per network attachment (host end on the network's bridge, created on first use
// and deleted with its last task), addresses and the default route, /etc/hosts and
// /etc/resolv.conf contents, and the task's published ports in shoal's nftables table
// (ruleset.h). Tasks without a network attachment use a per-node default bridge whose
// addresses come from a local IPAM (ipam.h).
//
// State: one record per sandbox under <data-dir>/network/sandboxes (record.h), written before
// the kernel is touched and removed last; the IPAM, the bridges' users and the port table are
// rebuilt from those records when the node network is made, so a daemon restart loses
// nothing and recover() can remove what a crash left half made.
//
// Requires root (CAP_NET_ADMIN and CAP_SYS_ADMIN for namespaces and mounts).
//
// Thread safety: as Attacher: safe from any thread; calls for one task are not concurrent.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/status.h"
#include "network/attacher.h"

namespace shoal::network {

struct NodeNetworkOptions {
  // The node's data dir: namespaces in <data_dir>/netns, records in <data_dir>/network.
  std::filesystem::path data_dir;
  // The bridge of tasks without a network attachment, and its subnet (gateway = the first
  // address). Must not overlap a swarm network's subnet or a host route.
  std::string default_bridge = "shoal0";
  std::string default_subnet = "172.18.0.0/16";
  // Swarm networks' bridges are <bridge_prefix><network ID>, 15 characters.
  std::string bridge_prefix = "shl";
  // The nftables table (family ip) shoal owns.
  std::string nft_table = "shoal";
  // The MTU of networks that do not set com.docker.network.driver.mtu.
  uint32_t default_mtu = 1500;
  // Where the host's nameservers are read (at each attach).
  std::filesystem::path resolv_conf = "/etc/resolv.conf";
  // Node ports given to host-mode ports published as 0 (Docker's ephemeral range).
  uint32_t dynamic_port_min = 32768;
  uint32_t dynamic_port_max = 60999;
};

// Makes the node network: reads the sandbox records of a previous daemon, turns IPv4
// forwarding on. It changes no namespace, link or rule until attach/detach/recover.
// Errors: kInvalidArgument for bad options (a malformed subnet, names too long for a
// network device); kInternal when the state dir cannot be read or made, forwarding cannot be
// turned on, or libnftables cannot start. Unreadable records are logged and left for
// recover() to clean up.
Result<std::unique_ptr<Attacher>> make_node_network(NodeNetworkOptions options);

}  // namespace shoal::network
