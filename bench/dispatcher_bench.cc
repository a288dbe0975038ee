// Dispatcher + agent + hollow executor: how long N tasks take from the commit that assigns
// them to a node until the store shows every one RUNNING (and, separately, SHUTDOWN after
// their desired state changes). This is the control plane's share of `docker service
// create --replicas N` on one node, with no container runtime in the way.
//
//   build/bench/dispatcher_bench [--benchmark_filter=...]
// Reports per repetition and the median; counters: cpu_ms (process CPU time, all threads,
// during the timed part) and status-report commits per run.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <time.h>

#include <filesystem>

#include "agent/agent.h"
#include "agent/hollow/hollow_executor.h"
#include "manager/dispatcher/dispatcher.h"
#include "protocol/local_client.h"
#include "store/datastore/memory.h"
#include "store/datastore/sqlite.h"
#include "store/store.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using api::TaskState;

enum class Backend { kMemory, kSqlite };

// CPU time of the whole process (every thread), in milliseconds: a figure that a loaded
// machine distorts less than wall time.
double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// One single-node control plane: store, dispatcher, in-process client, agent, hollow executor.
class World {
 public:
  explicit World(Backend backend) {
    std::unique_ptr<store::Datastore> datastore;
    if (backend == Backend::kSqlite) {
      char dir_template[] = "/tmp/shoal-dispatcher-bench-XXXXXX";
      dir_ = mkdtemp(dir_template);
      datastore = std::move(store::SqliteDatastore::open(dir_)).value();
    } else {
      datastore = std::make_unique<store::MemoryDatastore>();
    }
    store_ = std::move(store::Store::open(std::move(datastore), clock_)).value();
    api::Node node;
    node.ID = "node1";
    node.Spec.Role = api::NodeRole::kManager;
    node.Spec.Availability = api::NodeAvailability::kActive;
    check(store_->update([&](store::WriteTxn& tx) { return tx.create(node); }));
    dispatcher_ = std::make_unique<manager::dispatcher::Dispatcher>(*store_, *clock_, ids_);
    check(dispatcher_->start());
    client_ = std::make_unique<protocol::LocalDispatcherClient>(
        *dispatcher_, manager::dispatcher::Peer{"node1", "127.0.0.1"});
    agent_ = std::make_unique<agent::Agent>(*client_, executor_, *clock_,
                                            agent::AgentOptions{.node_id = "node1"});
    check(agent_->start());
    while (store_->view().get<api::Node>("node1")->Status.State != api::NodeState::kReady) {
      std::this_thread::sleep_for(1ms);
    }
  }

  ~World() {
    agent_.reset();
    dispatcher_->stop();
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Commits `n` tasks assigned to the node, in one transaction (as the scheduler does).
  void assign(int n) {
    auto spec = std::make_shared<api::TaskSpec>();
    spec->ContainerSpec.emplace();
    spec->ContainerSpec->Image = "busybox";
    check(store_->update([&](store::WriteTxn& tx) {
      for (int i = 0; i < n; ++i) {
        api::Task task;
        task.ID = ids_.next();
        task.ServiceID = "svc";
        task.Slot = i + 1;
        task.NodeID = "node1";
        task.Spec = spec;
        task.DesiredState = TaskState::kRunning;
        task.Status.State = TaskState::kAssigned;
        SHOAL_RETURN_IF_ERROR(tx.create(std::move(task)));
      }
      return Status::ok();
    }));
  }

  // Sets every task's desired state to shutdown, in one transaction.
  void shut_down_all() {
    check(store_->update([&](store::WriteTxn& tx) {
      for (const auto& t : tx.find<api::Task>(store::by::Node{"node1"})) {
        api::Task task = *t;
        task.DesiredState = TaskState::kShutdown;
        SHOAL_RETURN_IF_ERROR(tx.update(std::move(task)));
      }
      return Status::ok();
    }));
  }

  // Blocks until `n` tasks have moved to `state` (counted from store events).
  void wait_for(store::Watch& watch, int n, TaskState state) {
    int reached = 0;
    while (reached < n) {
      auto changes = watch.next(10s);
      if (!changes) {
        fprintf(stderr, "timed out: %d of %d tasks reached the state\n", reached, n);
        abort();
      }
      for (const store::Event& event : changes->events) {
        const auto& now = event.new_as<api::Task>();
        const auto& before = event.old_as<api::Task>();
        if (now && now->Status.State == state && (!before || before->Status.State != state)) {
          reached++;
        }
      }
    }
  }

  store::Store& store() { return *store_; }
  manager::dispatcher::Dispatcher& dispatcher() { return *dispatcher_; }

 private:
  static void check(const Status& s) {
    if (!s.is_ok()) {
      fprintf(stderr, "%s\n", s.to_string().c_str());
      abort();
    }
  }

  std::string dir_;
  std::shared_ptr<SystemClock> clock_ = std::make_shared<SystemClock>();
  IdGenerator ids_{1};
  agent::hollow::HollowExecutor executor_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<manager::dispatcher::Dispatcher> dispatcher_;
  std::unique_ptr<protocol::LocalDispatcherClient> client_;
  std::unique_ptr<agent::Agent> agent_;
};

void run_to_running(benchmark::State& state, Backend backend) {
  const int n = static_cast<int>(state.range(0));
  uint64_t commits = 0;
  double cpu_ms = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto world = std::make_unique<World>(backend);
    auto watch = world->store().watch(store::WatchFilter::of({store::Kind::kTask}),
                                      store::WatchOptions{.max_queued = 1 << 20});
    uint64_t commits_before = world->dispatcher().status_commits();
    double cpu_before = process_cpu_ms();
    state.ResumeTiming();

    world->assign(n);
    world->wait_for(watch, n, TaskState::kRunning);

    state.PauseTiming();
    cpu_ms += process_cpu_ms() - cpu_before;
    commits += world->dispatcher().status_commits() - commits_before;
    world.reset();
    state.ResumeTiming();
  }
  state.counters["tasks"] = n;
  state.counters["cpu_ms"] = benchmark::Counter(cpu_ms, benchmark::Counter::kAvgIterations);
  state.counters["status_commits"] =
      benchmark::Counter(static_cast<double>(commits), benchmark::Counter::kAvgIterations);
}

void run_to_shutdown(benchmark::State& state, Backend backend) {
  const int n = static_cast<int>(state.range(0));
  double cpu_ms = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto world = std::make_unique<World>(backend);
    auto watch = world->store().watch(store::WatchFilter::of({store::Kind::kTask}),
                                      store::WatchOptions{.max_queued = 1 << 20});
    world->assign(n);
    world->wait_for(watch, n, TaskState::kRunning);
    double cpu_before = process_cpu_ms();
    state.ResumeTiming();

    world->shut_down_all();
    world->wait_for(watch, n, TaskState::kShutdown);

    state.PauseTiming();
    cpu_ms += process_cpu_ms() - cpu_before;
    world.reset();
    state.ResumeTiming();
  }
  state.counters["tasks"] = n;
  state.counters["cpu_ms"] = benchmark::Counter(cpu_ms, benchmark::Counter::kAvgIterations);
}

void BM_AssignedToRunning_Memory(benchmark::State& s) { run_to_running(s, Backend::kMemory); }
void BM_AssignedToRunning_Sqlite(benchmark::State& s) { run_to_running(s, Backend::kSqlite); }
void BM_RunningToShutdown_Memory(benchmark::State& s) { run_to_shutdown(s, Backend::kMemory); }

BENCHMARK(BM_AssignedToRunning_Memory)
    ->Arg(100)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(5);
BENCHMARK(BM_AssignedToRunning_Sqlite)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(5);
BENCHMARK(BM_RunningToShutdown_Memory)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(5);

}  // namespace
}  // namespace shoal

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);  // one "node registered" line per run is noise here
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
