#include "daemon/rotation_finisher.h"

#include <spdlog/spdlog.h>

namespace shoal::daemon {

store::WatchFilter RotationFinisher::filter() const {
  return store::WatchFilter::of({store::Kind::kCluster, store::Kind::kNode});
}

void RotationFinisher::on_snapshot(const store::ReadTxn& snapshot) {
  in_progress_ = false;
  snapshot.for_each<api::Swarm>(store::by::All{}, [&](const std::shared_ptr<const api::Swarm>& c) {
    in_progress_ = in_progress_ || c->RootRotationInProgress;
  });
  dirty_ = in_progress_;
}

void RotationFinisher::on_event(const store::Event& event) {
  if (event.kind == store::Kind::kCluster) {
    const auto& cluster = event.new_as<api::Swarm>();
    in_progress_ = cluster != nullptr && cluster->RootRotationInProgress;
  }
  // A node that changed state or was removed may have been the last one holding it up.
  dirty_ = in_progress_;
}

std::optional<Timestamp> RotationFinisher::tick(Timestamp now) {
  if (!dirty_) return std::nullopt;
  dirty_ = false;
  if (Status st = node_ca_.finish_rotation_if_done(); !st.is_ok()) {
    spdlog::warn("root rotation: checking whether it is done: {}", st.message());
    dirty_ = true;
    return now + std::chrono::seconds(1);
  }
  return std::nullopt;
}

}  // namespace shoal::daemon
