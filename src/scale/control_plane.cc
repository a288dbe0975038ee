#include "scale/control_plane.h"

namespace shoal::scale {

ControlPlane::ControlPlane(store::Store& store, const Clock& clock, IdGenerator& ids,
                           manager::dispatcher::DispatcherOptions dispatcher)
    : dispatcher_(store, clock, ids, dispatcher), loops_(store, clock, ids) {}

ControlPlane::~ControlPlane() { stop(); }

Status ControlPlane::start() {
  SHOAL_RETURN_IF_ERROR(dispatcher_.start());
  started_ = true;
  loops_.start();
  return Status::ok();
}

void ControlPlane::stop() {
  if (!started_) return;
  started_ = false;
  loops_.stop();
  dispatcher_.stop();
}

}  // namespace shoal::scale
