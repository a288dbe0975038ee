#include "manager/orchestrator/snapshot_reads.h"

namespace shoal::manager::orchestrator {

NodeMap all_nodes(const store::ReadTxn& snapshot) {
  NodeMap nodes;
  snapshot.for_each<api::Node>(store::by::All{}, [&](const std::shared_ptr<const api::Node>& n) {
    nodes.emplace(n->ID, n);
  });
  return nodes;
}

}  // namespace shoal::manager::orchestrator
