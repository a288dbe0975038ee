// Scheduler throughput: placements per second.
//
//   BM_Plan:  the planner alone (filters, spread tree, node heaps, counters) on a ClusterState.
//   BM_Tick:  a whole scheduler tick on a store over MemoryDatastore: plan, then commit every
//             assignment (Store::batch, 10,000 writes per datastore commit).
// Arguments: pending tasks, nodes (BM_Plan also at the 1,000,000-task goal size). Tasks belong to
// 10 services; each reserves a little CPU and memory so the resource filter runs; nodes carry a
// zone label (4 zones) and half the services spread over it. Run with --benchmark_repetitions=5 for
// medians.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "api/model.h"
#include "manager/scheduler/placement.h"
#include "manager/scheduler/scheduler.h"
#include "store/datastore/memory.h"
#include "store/store.h"

namespace shoal::manager::scheduler {
namespace {

constexpr int kServices = 10;
constexpr int64_t kCpu = 1'000'000'000;

api::Node bench_node(int i) {
  api::Node n;
  n.ID = "node" + std::to_string(i);
  n.Spec.Role = api::NodeRole::kWorker;
  n.Spec.Availability = api::NodeAvailability::kActive;
  n.Spec.Labels["zone"] = "z" + std::to_string(i % 4);
  n.Description.Hostname = n.ID;
  n.Description.Platform = {"x86_64", "linux"};
  n.Description.Resources.NanoCPUs = 64 * kCpu;
  n.Description.Resources.MemoryBytes = int64_t{256} << 30;
  n.Status.State = api::NodeState::kReady;
  return n;
}

std::vector<std::shared_ptr<const api::TaskSpec>> bench_specs() {
  std::vector<std::shared_ptr<const api::TaskSpec>> specs;
  for (int s = 0; s < kServices; ++s) {
    api::TaskSpec spec;
    spec.ContainerSpec.emplace();
    spec.ContainerSpec->Image = "busybox";
    spec.Resources.emplace();
    spec.Resources->Reservations = api::Resources{kCpu / 100, 1 << 20, {}};
    spec.Placement.emplace();
    spec.Placement->Constraints = {"node.platform.os==linux"};
    if (s % 2 == 0) {
      api::PlacementPreference p;
      p.Spread = api::SpreadOver{"node.labels.zone"};
      spec.Placement->Preferences.push_back(p);
    }
    specs.push_back(std::make_shared<const api::TaskSpec>(std::move(spec)));
  }
  return specs;
}

api::Task bench_task(int i, const std::vector<std::shared_ptr<const api::TaskSpec>>& specs) {
  api::Task t;
  t.ID = "task" + std::to_string(i);
  t.ServiceID = "svc" + std::to_string(i % kServices);
  t.Slot = i / kServices + 1;
  t.Spec = specs[i % kServices];
  t.DesiredState = api::TaskState::kRunning;
  t.Status.State = api::TaskState::kPending;
  t.Status.Message = "pending task scheduling";
  return t;
}

void BM_Plan(benchmark::State& bench) {
  const int tasks = static_cast<int>(bench.range(0));
  const int nodes = static_cast<int>(bench.range(1));
  auto specs = bench_specs();
  std::vector<std::shared_ptr<const api::Task>> pending;
  for (int i = 0; i < tasks; ++i)
    pending.push_back(std::make_shared<const api::Task>(bench_task(i, specs)));
  for (auto _ : bench) {
    bench.PauseTiming();
    auto state = std::make_unique<ClusterState>();
    for (int i = 0; i < nodes; ++i)
      state->upsert_node(std::make_shared<const api::Node>(bench_node(i)));
    bench.ResumeTiming();
    Plan plan = plan_placements(*state, pending);
    if (plan.assigned.size() != pending.size()) bench.SkipWithError("not every task was placed");
    bench.PauseTiming();
    state.reset();  // not timed
    bench.ResumeTiming();
  }
  bench.SetItemsProcessed(bench.iterations() * tasks);
}

void BM_Tick(benchmark::State& bench) {
  const int tasks = static_cast<int>(bench.range(0));
  const int nodes = static_cast<int>(bench.range(1));
  auto specs = bench_specs();
  auto clock = std::make_shared<SystemClock>();
  for (auto _ : bench) {
    bench.PauseTiming();
    auto store =
        std::move(store::Store::open(std::make_unique<store::MemoryDatastore>(), clock)).value();
    Status s = store->batch([&](store::Batch& batch) {
      for (int i = 0; i < nodes; ++i) {
        SHOAL_RETURN_IF_ERROR(
            batch.update([&](store::WriteTxn& tx) { return tx.create(bench_node(i)); }));
      }
      for (int i = 0; i < tasks; ++i) {
        SHOAL_RETURN_IF_ERROR(
            batch.update([&](store::WriteTxn& tx) { return tx.create(bench_task(i, specs)); }));
      }
      return Status::ok();
    });
    if (!s.is_ok()) bench.SkipWithError(s.to_string().c_str());
    Scheduler scheduler(*store);
    scheduler.on_snapshot(store->view());
    bench.ResumeTiming();
    scheduler.tick(clock->now());
    bench.PauseTiming();
    if (scheduler.pending_tasks() != 0) bench.SkipWithError("not every task was placed");
    store.reset();
    bench.ResumeTiming();
  }
  bench.SetItemsProcessed(bench.iterations() * tasks);
}

BENCHMARK(BM_Plan)
    ->Args({10'000, 1'000})
    ->Args({100'000, 10'000})
    ->Args({1'000'000, 10'000})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Tick)
    ->Args({10'000, 1'000})
    ->Args({100'000, 10'000})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace
}  // namespace shoal::manager::scheduler

BENCHMARK_MAIN();
