// Allocation planning: the allocator's decisions, as values (docs/control-plane.md, step
// "allocate"). Each planner takes objects as the store holds them and returns, per object
// that needs a write, the object as it should be (a Unit: `base`, the version planned from,
// and `planned`). What a plan allocates is claimed in the AllocState as it is decided, so
// later decisions see it; the allocator undoes the claims of units it does not commit
// (AllocState::unhold(planned), then hold(*base)).
//
//   plan_networks   an unallocated network gets its subnet (the user's IPAM config, else the
//                   next free subnet of the cluster's pool; ingress first), gateway (the
//                   config's, else the subnet's first address), IPAMOptions (driver
//                   "default"), DriverState (the driver, "overlay" by default, with a VXLAN
//                   ID for overlay networks).
//   plan_services   a service's Endpoint from its EndpointSpec: Spec copied; Ports with
//                   ingress PublishedPorts claimed cluster-wide (a port the spec leaves at 0
//                   keeps the one it had, else gets the lowest free of 30000-32767); in VIP
//                   mode one VirtualIP per attached network (the ingress network first when
//                   the service publishes ingress ports), keeping the addresses it had.
//   plan_tasks      a task in state new gets one NetworksAttachment per network (ingress
//                   first when its service publishes ingress ports, then TaskTemplate.Networks
//                   or the service's deprecated Spec.Networks, Target resolved by ID or name)
//                   with an address from the network's subnet, and a copy of the service's
//                   Endpoint (when it has ports or VIPs), then Status.State = pending
//                   ("pending task scheduling"). A task that will not run (desired past
//                   complete) goes to pending without addresses. A task whose network is not
//                   allocated yet waits; one whose network has no free address waits with
//                   Status.Err saying so (written when it changes).
// Networks that do not exist are skipped (the control API validates references).
#pragma once

#include <absl/container/flat_hash_map.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/network.h"
#include "api/service.h"
#include "api/task.h"
#include "common/time.h"
#include "manager/allocator/alloc_state.h"

namespace shoal::manager::allocator {

inline constexpr std::string_view kAllocatedMessage = "pending task scheduling";

template <typename T>
struct Unit {
  std::shared_ptr<const T> base;  // the version planned from
  T planned;                      // what to write instead
};

// Why an object could not be allocated (for logs; the allocator retries it later).
struct PlanError {
  std::string id;
  std::string message;  // "service web (<id>): port '80' is already in use by ..."
};

// The networks services and tasks can attach to, by ID and by name.
class NetworkIndex {
 public:
  void add(std::shared_ptr<const api::Network> network);
  // By exact ID, else exact name; null when unknown.
  const api::Network* resolve(std::string_view target) const;
  // The ingress network, or null.
  const api::Network* ingress() const { return ingress_; }

 private:
  absl::flat_hash_map<std::string, std::shared_ptr<const api::Network>> by_id_;
  absl::flat_hash_map<std::string, const api::Network*> by_name_;
  const api::Network* ingress_ = nullptr;
};

// REQUIRES: no network is allocated (is_allocated() false). A network that cannot be
// allocated (pool exhausted, a requested subnet overlapping one in use) is left as it is;
// `errors` gets one entry per such network.
std::vector<Unit<api::Network>> plan_networks(
    AllocState& state, std::vector<std::shared_ptr<const api::Network>> networks,
    std::vector<PlanError>& errors);

// Services whose Endpoint differs from what their spec asks. A service that cannot be
// allocated (a port held by another service, no free port or address, a network not
// allocated yet) is left as it is; `errors` gets one entry per such service.
std::vector<Unit<api::Service>> plan_services(
    AllocState& state, const NetworkIndex& networks,
    const std::vector<std::shared_ptr<const api::Service>>& services,
    std::vector<PlanError>& errors);

// Tasks in state new. `service_of` gives a task's service (null if none).
template <typename ServiceOf>
std::vector<Unit<api::Task>> plan_tasks(AllocState& state, const NetworkIndex& networks,
                                        const std::vector<std::shared_ptr<const api::Task>>& tasks,
                                        ServiceOf service_of, Timestamp now);

// One task (plan_tasks' body): the unit to write, or nullopt when the task waits unchanged.
std::optional<Unit<api::Task>> plan_task(AllocState& state, const NetworkIndex& networks,
                                         const std::shared_ptr<const api::Task>& task,
                                         const api::Service* service, Timestamp now);

template <typename ServiceOf>
std::vector<Unit<api::Task>> plan_tasks(AllocState& state, const NetworkIndex& networks,
                                        const std::vector<std::shared_ptr<const api::Task>>& tasks,
                                        ServiceOf service_of, Timestamp now) {
  std::vector<Unit<api::Task>> units;
  for (const auto& task : tasks) {
    auto service = service_of(task->ServiceID);
    if (auto unit = plan_task(state, networks, task, service.get(), now)) {
      units.push_back(std::move(*unit));
    }
  }
  return units;
}

}  // namespace shoal::manager::allocator
