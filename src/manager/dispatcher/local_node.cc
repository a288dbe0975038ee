#include "manager/dispatcher/local_node.h"

namespace shoal::manager::dispatcher {

namespace {
agent::AgentOptions agent_options(const LocalNodeOptions& options) {
  agent::AgentOptions agent = options.agent;
  agent.node_id = options.node_id;
  return agent;
}
}  // namespace

LocalNode::LocalNode(store::Store& store, const Clock& clock, IdGenerator& ids,
                     agent::Executor& executor, LocalNodeOptions options)
    : dispatcher_(store, clock, ids, options.dispatcher),
      client_(dispatcher_, Peer{options.node_id, options.addr}),
      agent_(client_, executor, clock, agent_options(options)) {}

LocalNode::~LocalNode() { stop(); }

Status LocalNode::start() {
  SHOAL_RETURN_IF_ERROR(dispatcher_.start());
  Status started = agent_.start();
  if (!started.is_ok()) dispatcher_.stop();
  return started;
}

void LocalNode::stop() {
  agent_.stop();
  dispatcher_.stop();
}

}  // namespace shoal::manager::dispatcher
