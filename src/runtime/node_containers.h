// NodeContainers: what the node-local API asks of an executor that runs real containers —
// the containers behind its tasks (`shoal ps`), and whether an image is in use by one
// (`docker rmi` must not remove it). The runc executor implements it; an executor without
// containers (hollow) has none, and the daemon passes no NodeContainers to the routes.
//
// Thread safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"

namespace shoal::runtime {

// One container as `shoal ps` shows it.
struct ContainerInfo {
  std::string TaskID;
  std::string ServiceID;
  std::string ServiceName;  // "" for tasks prepared before names were recorded
  std::string NodeID;
  int64_t Slot = 0;
  std::string Image;
  std::string State;  // "prepared", "created", "running", "exited"
  int64_t PID = 0;
  std::optional<int64_t> ExitCode;
  Timestamp Created;
};

class NodeContainers {
 public:
  virtual ~NodeContainers() = default;

  // Every container this node holds, sorted by creation.
  virtual std::vector<ContainerInfo> list() const = 0;
  // A task whose container (running or not yet removed) was made from the image `image_id`,
  // or nullopt (image::InUseCheck).
  virtual std::optional<std::string> container_using(const std::string& image_id) const = 0;
};

}  // namespace shoal::runtime
