// Context: what every control API call works with — the store, the clock, the ID
// generator, the source of secret randomness and the local node — passed as the first
// argument of every operation in this directory (swarm.h, node.h, service.h, task.h,
// secret.h, config.h, network.h, info.h).
//
// The control API is the only writer of user intent into the store: it validates a
// request in pure functions, then applies it in one store transaction, so on any error
// nothing changes. It speaks no HTTP (src/http/engine/ maps it onto Docker's routes) so
// that a gRPC front end can call it later.
//
// Thread safety: a Context is shared by every handler thread. Its referents must be
// thread-safe (Store, Clock, IdGenerator, LocalNode are); `random` must be safe to call
// concurrently. membership_mu serialises init, join, leave and unlock.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include "common/id.h"
#include "common/mutex.h"
#include "common/status.h"
#include "common/time.h"
#include "manager/controlapi/limits.h"
#include "manager/controlapi/local_node.h"
#include "store/store.h"

namespace shoal::manager::controlapi {

// `n` bytes of secret randomness (join token secrets, unlock keys, generated names).
using RandomBytes = std::function<std::string(size_t n)>;

// The operating system's CSPRNG (OpenSSL RAND_bytes). Aborts if it cannot produce bytes,
// as swarmkit panics: a join token must never come from a weak source.
RandomBytes system_random();

class Context {
 public:
  // Every referent must outlive the Context.
  Context(store::Store& store, const Clock& clock, IdGenerator& ids, LocalNode& local,
          RandomBytes random = system_random())
      : store(store), clock(clock), ids(ids), local(local), random(std::move(random)) {}
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  store::Store& store;
  const Clock& clock;
  IdGenerator& ids;
  LocalNode& local;
  const RandomBytes random;
  // Set before the context serves requests; read-only afterwards.
  Limits limits;

  // Held by init, join, leave and unlock for their whole run.
  Mutex membership_mu;
};

// OK when this node can serve cluster calls (an active manager); otherwise the 503 error
// Docker answers in the node's state (errors.h manager_state_error).
Status require_manager(const Context& ctx);

}  // namespace shoal::manager::controlapi
