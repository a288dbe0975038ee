// LocalNode: the single-node wiring of a daemon that is both the manager and a worker —
// its Dispatcher, the in-process LocalDispatcherClient, and its Agent driving `executor`.
// start() starts the dispatcher, then the agent (which registers this node: READY);
// stop() stops the agent, then the dispatcher.
//
// REQUIRES before start(): the store holds this node's Node object (swarm init creates it).
//
// Thread safety: start()/stop() from any thread; stop() is safe twice and joins everything.
// Running tasks survive stop() (the next start() adopts them through the executor).
#pragma once

#include <memory>
#include <string>

#include "agent/agent.h"
#include "agent/executor.h"
#include "common/id.h"
#include "common/time.h"
#include "manager/dispatcher/dispatcher.h"
#include "manager/dispatcher/local_client.h"
#include "store/store.h"

namespace shoal::manager::dispatcher {

struct LocalNodeOptions {
  std::string node_id = {};
  // This node's address as the cluster sees it (Node.Status.Addr).
  std::string addr = {};
  DispatcherOptions dispatcher = {};
  agent::AgentOptions agent = {};  // agent.node_id is set from node_id
};

class LocalNode {
 public:
  // `store`, `clock`, `ids` and `executor` must outlive the LocalNode.
  LocalNode(store::Store& store, const Clock& clock, IdGenerator& ids, agent::Executor& executor,
            LocalNodeOptions options);
  ~LocalNode();  // stop()
  LocalNode(const LocalNode&) = delete;
  LocalNode& operator=(const LocalNode&) = delete;

  // Errors: the dispatcher's start() error; the agent's start() error (the dispatcher is
  // stopped again). REQUIRES: not started before.
  Status start();
  void stop();

  Dispatcher& dispatcher() { return dispatcher_; }
  agent::Agent& agent() { return agent_; }

 private:
  Dispatcher dispatcher_;
  LocalDispatcherClient client_;
  agent::Agent agent_;
};

}  // namespace shoal::manager::dispatcher
