// RuncExecutor: runs tasks as real containers through an OCI runtime (runc by default), one
// shoal-monitor per container (monitor_protocol.h), implementing agent::Executor exactly
// (agent/executor.h: phases, idempotency, error meanings, recovery, threading).
//
//   prepare    image (ImageSource, pull if missing) → <data>/containers/<id>/: overlay rootfs
//              (rootfs/overlay.h), network sandbox (network::Attacher, or a fresh netns with
//              only lo), hosts/resolv.conf/hostname, secrets and configs on a tmpfs, volume
//              dirs, config.json (oci/spec.h), task.json (task_meta.h). Nothing is left half
//              made on error. "No such image" is final (REJECTED); an unreachable registry is
//              kUnavailable (retried).
//   start      launches the monitor, which runs `runc create` + `runc start` (or asks a
//              recovered monitor to start its created container); then opens a "wait"
//              connection to the monitor on the event loop and arms the healthcheck.
//   wait       the monitor's exit report, delivered from the event loop.
//   shutdown   the stop signal (StopSignal, default SIGTERM) through the monitor;
//   terminate  SIGKILL through the monitor.
//   remove     runc delete (which removes the cgroup), unmount secrets and rootfs, detach the
//              network, remove anonymous volumes and the task dir.
//   recover    classifies every task dir (recovery.h): live monitors are re-attached
//              (RUNNING, no restart), exits that happened meanwhile are reported with their
//              code, half-prepared dirs are cleaned up.
//
// Containers: runc --root <data>/runc (shoal's containers only), container ID = task ID,
// cgroupsPath /shoal/<task-id> (cgroupfs; on a v1/hybrid host runc makes it in every
// controller hierarchy), Docker's default seccomp filter (oci/seccomp.h). An exit after an
// OOM kill in that cgroup is reported with the cause "OOMKilled" (exit_status.h).
//
// Threads: controller calls run on the worker's pool (prepare/start of many tasks run
// concurrently); exits, healthchecks and stop timers run on one EventLoop thread.
//
// Thread safety: every method is thread-safe (Executor's contract). Controllers must not
// outlive the executor.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/executor.h"
#include "common/time.h"
#include "network/attacher.h"
#include "runtime/image/image.h"
#include "runtime/node_containers.h"

namespace shoal::runtime {

struct RuncExecutorOptions {
  std::filesystem::path data_dir;  // containers/, runc/, volumes/ live under it
  // The OCI runtime: a path, or a name looked up in PATH ("runc", "crun").
  std::string oci_runtime = "runc";
  // shoal-monitor; empty = next to the running executable (/proc/self/exe).
  std::string monitor_binary;
  // A static init for ContainerSpec.Init (Debian's tini-static); empty = none (Init refused).
  std::string init_binary = "/usr/bin/tini-static";
  image::ImageSource* images = nullptr;  // required; outlives the executor
  network::Attacher* network = nullptr;  // optional; null = a fresh netns with only lo
  const Clock* clock = nullptr;          // null = the system clock
  int64_t log_max_bytes = 16 << 20;      // per log file (one rotation kept)
  // Reported by describe(); unset = the real host, engine "shoal <version>".
  std::optional<api::NodeDescription> description;
};

class RuncExecutor final : public agent::Executor, public NodeContainers {
 public:
  // Errors: kInvalidArgument without an image source; kNotFound when the OCI runtime or the
  // monitor binary cannot be found; kInternal when the state dirs cannot be made.
  static Result<std::unique_ptr<RuncExecutor>> create(RuncExecutorOptions options);
  ~RuncExecutor() override;  // stops the event loop; containers keep running

  Result<std::vector<agent::RecoveredTask>> recover() override;
  Result<api::NodeDescription> describe() override;
  // Errors: kInvalidArgument "task <id> has no container spec".
  Result<std::unique_ptr<agent::Controller>> controller(
      std::shared_ptr<const api::Task> task, const agent::DependencyGetter& deps) override;

  // ---- NodeContainers
  // Every container this node holds (task dirs), sorted by creation.
  std::vector<ContainerInfo> list() const override;
  // Takes only the executor's lock.
  std::optional<std::string> container_using(const std::string& image_id) const override;

  // Where task dirs live: <data-dir>/containers.
  const std::filesystem::path& containers_dir() const;

  struct Core;

 private:
  explicit RuncExecutor(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace shoal::runtime
