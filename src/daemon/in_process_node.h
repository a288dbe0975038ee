// InProcessNode: a manager node's dispatcher and its own agent, paired in one process — the
// manager's Dispatcher, a protocol::LocalDispatcherClient calling it as this node, and the
// Agent driving `executor` through that client (a single-node cluster is manager and
// worker). Neither side knows the other: they meet only at protocol/.
// start() starts the dispatcher, then the agent (which registers this node: READY);
// stop() stops the agent, then the dispatcher.
//
// REQUIRES before start(): the store holds this node's Node object (swarm init creates it).
//
// Thread safety: start()/stop() from any thread; stop() is safe twice and joins everything.
// Running tasks survive stop() (the next start() adopts them through the executor).
#pragma once

#include <string>

#include "agent/agent.h"
#include "agent/executor.h"
#include "common/id.h"
#include "common/time.h"
#include "manager/dispatcher/dispatcher.h"
#include "protocol/local_client.h"
#include "store/store.h"

namespace shoal::daemon {

struct InProcessNodeOptions {
  std::string node_id = {};
  // This node's address as the cluster sees it (Node.Status.Addr).
  std::string addr = {};
  manager::dispatcher::DispatcherOptions dispatcher = {};
  agent::AgentOptions agent = {};  // agent.node_id is set from node_id
};

class InProcessNode {
 public:
  // `store`, `clock`, `ids` and `executor` must outlive the node.
  InProcessNode(store::Store& store, const Clock& clock, IdGenerator& ids,
                agent::Executor& executor, InProcessNodeOptions options);
  ~InProcessNode();  // stop()
  InProcessNode(const InProcessNode&) = delete;
  InProcessNode& operator=(const InProcessNode&) = delete;

  // Errors: the dispatcher's start() error; the agent's start() error (the dispatcher is
  // stopped again). REQUIRES: not started before.
  Status start();
  void stop();

  manager::dispatcher::Dispatcher& dispatcher() { return dispatcher_; }
  agent::Agent& agent() { return agent_; }

 private:
  manager::dispatcher::Dispatcher dispatcher_;
  protocol::LocalDispatcherClient client_;
  agent::Agent agent_;
};

}  // namespace shoal::daemon
