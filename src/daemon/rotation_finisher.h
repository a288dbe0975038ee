// RotationFinisher: ends a root CA rotation once no READY node holds it up.
//
// A rotation (`docker swarm ca --rotate`) ends when every READY node's Description.TLSInfo
// carries the new root (ca/node_ca.h). Renewals check that as each node renews, but a node
// that goes down, or is removed, after the others renewed would keep the rotation "in
// progress" — and the old root trusted — until some later renewal. This reconciler checks
// again whenever nodes change while a rotation is in progress.
//
// Thread safety: run by one ReconcileLoop.
#pragma once

#include <optional>
#include <string>

#include "ca/node_ca.h"
#include "manager/reconcile_loop.h"

namespace shoal::daemon {

class RotationFinisher final : public manager::Reconciler {
 public:
  // `node_ca` must outlive the reconciler.
  explicit RotationFinisher(ca::NodeCA& node_ca) : node_ca_(node_ca) {}

  std::string name() const override { return "root rotation finisher"; }
  store::WatchFilter filter() const override;
  void on_snapshot(const store::ReadTxn& snapshot) override;
  void on_event(const store::Event& event) override;
  std::optional<Timestamp> tick(Timestamp now) override;

 private:
  ca::NodeCA& node_ca_;
  bool in_progress_ = false;  // the cluster's RootRotationInProgress, as last seen
  bool dirty_ = false;
};

}  // namespace shoal::daemon
