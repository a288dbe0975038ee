// A scale run (`shoal bench scale`): the control plane of one manager, in this process, on
// a fresh data dir with the real SQLite datastore, driving a hollow fleet of `nodes`
// agents (hollow_fleet.h) until `tasks` replicas run, then removing them.
//
// Steps, each timed:
//   1. swarm init through the control API (the manager node drained: it runs no tasks, as
//      managers of big clusters do), then the fleet's nodes written to the store in batches
//      (what `docker swarm join` of each would leave there);
//   2. the control plane (control_plane.h) and the fleet start; every node opens its
//      session and becomes READY;
//   3. `services` replicated services totalling `tasks` replicas are created through the
//      control API (controlapi::create_service); progress is printed every second; the
//      run waits until every task is RUNNING;
//   4. meanwhile a sampler thread times the calls a user makes (api_sampler.h);
//   5. every service is removed (controlapi::remove_service) and the run waits until the
//      store holds no task.
// Figures: time to all RUNNING; placements/s (tasks ÷ time from the first assignment to
// the last); store commits/s (store revisions, i.e. datastore commits, from the first create
// to all RUNNING); peak RSS of the process (VmHWM: manager and fleet together); API p50/p99;
// removal time.
//
// Thread safety: run_scale() blocks its caller; one run at a time per data dir.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "scale/api_sampler.h"
#include "scale/hollow_fleet.h"

namespace shoal::scale {

struct ScaleOptions {
  size_t nodes = 10000;
  size_t tasks = 1000000;
  size_t services = 10;
  // The agent–dispatcher transport: "local" (in process) or "grpc" (the real gRPC server
  // and clients with mutual TLS over 127.0.0.1; one certificate and one connection per
  // node, so smaller fleets).
  std::string transport = "local";
  // Where the manager keeps its store; "" = a new temporary dir, removed at the end. A
  // given dir must be absent or empty and is left in place.
  std::string data_dir;
  size_t fleet_threads = 2;
  // Longest wait for any one step (nodes ready, tasks running, tasks removed).
  std::chrono::seconds timeout{900};
  // One round a second: a user watching `docker service ps` and `docker node ls`.
  std::chrono::milliseconds sample_interval{1000};
};

struct ScaleReport {
  ScaleOptions options;
  double nodes_ready_s = 0;     // nodes written → all READY
  double all_assigned_s = 0;    // first create → every task assigned (or further)
  double all_running_s = 0;     // first create → every task RUNNING
  double placements_per_s = 0;  // tasks ÷ (last assignment − first assignment)
  uint64_t commits = 0;         // store commits, first create → all RUNNING
  double commits_per_s = 0;
  uint64_t status_commits = 0;  // of which the dispatcher's status writer made
  double running_cpu_s = 0;     // process CPU time (all threads), first create → all RUNNING
  double removal_s = 0;         // first service rm → no task left
  uint64_t rss_idle_kib = 0;    // RSS with every node READY, before any service
  uint64_t peak_rss_kib = 0;    // VmHWM at the end
  ApiSamples api;
  FleetStats fleet;
};

// Writes one line of output (progress and summary).
using LinePrinter = std::function<void(const std::string&)>;

// Checks `options`. Errors: kInvalidArgument "--nodes must be at least 1", "--services
// must be between 1 and --tasks", `unknown transport "<t>": use local or grpc`.
Status check_options(const ScaleOptions& options);

// Runs the whole benchmark, printing progress through `print`.
// Errors: check_options(); kInvalidArgument "data dir <d> is not empty"; store and control
// API errors (with the step that failed); kInternal "timed out after <n> s waiting for
// <step> (<progress>)".
Result<ScaleReport> run_scale(const ScaleOptions& options, const LinePrinter& print);

// The summary lines of a report, in the order printed.
std::vector<std::string> summary_lines(const ScaleReport& report);

}  // namespace shoal::scale
