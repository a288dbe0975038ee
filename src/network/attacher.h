// What the container runtime needs from node networking: a network namespace per task, set
// up from the task's network attachments (addresses chosen by the manager's allocator), with
// the files the container sees as /etc/hosts and /etc/resolv.conf, and the task's published
// ports forwarded to it. The runtime puts `netns_path` into the OCI config (runc joins it),
// so the network is ready before the container's process starts and survives a daemon
// restart (the namespace is bind-mounted under the node's state dir).
//
// Thread safety: safe to call from any thread; calls for one task are not concurrent.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "api/task.h"
#include "common/status.h"

namespace shoal::network {

struct Sandbox {
  std::filesystem::path netns_path;    // a bind-mounted network namespace
  std::string hostname;                // the container's hostname (the task's Spec or its ID)
  std::string hosts;                   // contents of /etc/hosts
  std::string resolv_conf;             // contents of /etc/resolv.conf
  std::vector<std::string> addresses;  // "10.0.0.5/24", one per attachment
  // The task's host-mode ports as published on this node (a PublishedPort of 0 in the spec
  // is the node port chosen for it): what the runtime reports as Status.PortStatus.
  std::vector<api::PortConfig> ports;
};

class Attacher {
 public:
  virtual ~Attacher() = default;

  // Creates (or finds, when it exists: idempotent) the task's namespace with one interface
  // per network attachment, routes, and forwarding of its published ports (host mode: the
  // node's port to this task; ingress: the port balanced over this node's tasks of the
  // service). Errors: kUnavailable for a temporary failure (retried), kInvalidArgument for
  // an attachment this node cannot provide; nothing is left half made on error.
  virtual Result<Sandbox> attach(const api::Task& task) = 0;

  // Removes everything attach() made for the task. Idempotent: OK when nothing is left.
  virtual Status detach(std::string_view task_id) = 0;

  // After a daemon restart: keeps the sandboxes of `live_task_ids` (rebuilding port
  // forwarding for them) and removes every other sandbox this node has.
  virtual Status recover(const std::vector<std::string>& live_task_ids) = 0;
};

}  // namespace shoal::network
