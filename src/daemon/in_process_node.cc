#include "daemon/in_process_node.h"

namespace shoal::daemon {

namespace {
agent::AgentOptions agent_options(const InProcessNodeOptions& options) {
  agent::AgentOptions agent = options.agent;
  agent.node_id = options.node_id;
  return agent;
}
}  // namespace

InProcessNode::InProcessNode(store::Store& store, const Clock& clock, IdGenerator& ids,
                             agent::Executor& executor, InProcessNodeOptions options)
    : dispatcher_(store, clock, ids, options.dispatcher),
      client_(dispatcher_, protocol::Peer{options.node_id, options.addr}),
      agent_(client_, executor, clock, agent_options(options)) {}

InProcessNode::~InProcessNode() { stop(); }

Status InProcessNode::start() {
  SHOAL_RETURN_IF_ERROR(dispatcher_.start());
  Status started = agent_.start();
  if (!started.is_ok()) dispatcher_.stop();
  return started;
}

void InProcessNode::stop() {
  agent_.stop();
  dispatcher_.stop();
}

}  // namespace shoal::daemon
