// LocalNode: what the control API needs from the node it runs on, and nothing more.
//
// The control API (this directory) owns the cluster state in the store; the node process
// (src/daemon) owns everything local: whether this node is in a swarm and in what state,
// its identity and description, its network addresses, the manager loops it runs, and the
// autolock unlock key (which wraps the node's data key at rest, so it must never sit in
// the store in plaintext). This interface is the seam between the two: the daemon
// implements it, the control API calls it, and unit tests use a fake.
//
// Membership life cycle, as the control API drives it:
//   swarm init:  the control API writes the cluster, this node and the ingress network in
//                one store transaction, then calls on_joined(); from then on state() is
//                kActive and is_manager() true. If on_joined() fails, the control API
//                wipes what it wrote and returns the error.
//   swarm join:  the control API checks that the node is inactive and calls join(); the
//                daemon fetches certificates from a manager, persists the membership and
//                starts the worker role; state() is kActive, is_manager() false after it.
//   swarm leave: the control API calls on_leaving() (the daemon stops the manager loops
//                and the agent, and forgets the membership; state() is kInactive after
//                it), then deletes the cluster state from the store.
//   swarm unlock: the control API checks the key's format and calls unlock().
//
// Thread safety: every method may be called from any thread (HTTP handler threads); the
// control API serialises init, join, leave and unlock among themselves.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/node.h"
#include "api/swarm.h"
#include "ca/cert_dir.h"
#include "common/status.h"

namespace shoal::manager::controlapi {

// What swarm init decided about this node, for the daemon to persist and act on.
struct Membership {
  std::string node_id;
  std::string cluster_id;
  api::NodeRole role = api::NodeRole::kManager;
  // "<ip>:<port>" this node advertises to other managers (the 2377 port by default).
  std::string advertise_addr;
  // "<ip>:<port>" to listen on for other nodes ("0.0.0.0:2377" by default).
  std::string listen_addr;
  // Address for VXLAN traffic; "" = the advertise address.
  std::string data_path_addr;
};

class LocalNode {
 public:
  virtual ~LocalNode() = default;

  // ---- state

  // inactive (not in a swarm), pending (joining / manager starting), active, error, locked
  // (autolock is on and the node restarted: needs `docker swarm unlock`).
  virtual api::LocalNodeState state() const = 0;
  // True when this node runs the manager role (its loops may still be starting).
  virtual bool is_manager() const = 0;
  // The error that put the node in the error state; "" otherwise.
  virtual std::string error() const = 0;

  // ---- identity

  // This node's swarm node ID; "" when not in a swarm.
  virtual std::string node_id() const = 0;
  // "<ip>:<port>" this node advertises; "" when not in a swarm.
  virtual std::string advertise_addr() const = 0;
  // What this node reports about itself: hostname, platform, resources, engine version.
  virtual api::NodeDescription description() const = 0;
  // The daemon's own ID (stable across swarm memberships; Docker's Info.ID).
  virtual std::string engine_id() const = 0;
  // The data directory (Docker's DockerRootDir).
  virtual std::string data_dir() const = 0;

  // An address for `host`: an interface name gives that interface's first address; ""
  // autodetects the system's address (the one on the default route, as Docker does).
  // Callers pass IP literals through themselves. Errors: kInvalidArgument with Docker's
  // texts ("could not find the system's IP address", "could not choose an IP address to
  // advertise since this system has multiple addresses on interface ...", "no such
  // interface").
  virtual Result<std::string> resolve_ip(std::string_view host) const = 0;

  // ---- membership hooks

  // The node is now a member as `membership` says: persist it and start the manager's
  // loops and the agent. Afterwards state() is kActive. Errors: the daemon's (nothing
  // started then).
  virtual Status on_joined(const Membership& membership) = 0;
  // Joins the swarm a manager in request.RemoteAddrs runs, as a worker, and returns once
  // this node's first session with that manager is open. Nothing is left behind on error.
  // Errors: kUnimplemented when this daemon cannot join (the default: no transport);
  // otherwise the daemon's (invalid token, CA mismatch, manager unreachable, timeout).
  virtual Status join(const api::JoinRequest& request) {
    (void)request;
    return Status(Code::kUnimplemented, "joining an existing swarm is not supported by this node");
  }
  // The managers this node knows ({node ID or "", "ip:port"}), for a worker's `docker
  // info` (a manager reads them from the store). Empty when not in a swarm.
  virtual std::vector<api::Peer> remote_managers() const { return {}; }
  // The daemon's --listen-addr / --advertise-addr: what swarm init uses when the request
  // leaves Docker's default ("0.0.0.0:2377") / no advertise address. "" = none.
  virtual std::string default_listen_addr() const { return ""; }
  virtual std::string default_advertise_addr() const { return ""; }
  // True when this node's store is shared with other managers (etcd): the store's content
  // is the swarm's, not this node's, so neither init nor leave may wipe it.
  virtual bool shares_store() const { return false; }

  // The node leaves its swarm: stop the manager's loops and the agent, drop the
  // membership and the unlock key. Afterwards state() is kInactive. Idempotent.
  virtual Status on_leaving() = 0;

  // ---- autolock

  // The current unlock key ("SWMKEY-1-..."), "" when autolock is off.
  virtual std::string unlock_key() const = 0;
  // Replaces the unlock key ("" turns autolock off). Errors: the daemon's (key unchanged).
  virtual Status set_unlock_key(std::string key) = 0;
  // Unlocks a locked node with `key` (format already checked). Errors: kUnauthenticated
  // "swarm could not be unlocked: invalid key provided" for a wrong key.
  virtual Status unlock(std::string_view key) = 0;

  // ---- TLS files (the cluster CA's certificate for this node)
  // Persists this node's trust bundle, certificate and key: swarm init and a root rotation
  // call it after the store commit that made them current (before on_joined at init).
  // The default writes <data_dir()>/certificates (ca/cert_dir.h). Errors: CertDir::write's.
  virtual Status save_certificates(const ca::NodeCerts& certs) {
    return ca::CertDir(data_dir()).write(certs);
  }
  // Forgets them (swarm leave, a failed init). The default removes
  // <data_dir()>/certificates. Errors: CertDir::remove's.
  virtual Status remove_certificates() { return ca::CertDir(data_dir()).remove(); }
};

}  // namespace shoal::manager::controlapi
