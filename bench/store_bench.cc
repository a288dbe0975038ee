// Store benchmarks: commit latency and batched task-write throughput on SQLite and on etcd
// side by side, snapshot and lookup cost with 1,000,000 tasks loaded, memory per task, and
// the record codec against JSON+CBOR.
//
// Data dirs are temporary directories on the same file system as /tmp (fsync is real there:
// synchronous=FULL, one fsync per commit). Run: build/bench/store_bench
//   --benchmark_filter=<regex>; the 1M-task benchmarks build their store once (≈10 s).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "api/codec.h"
#include "common/id.h"
#include "etcd/datastore.h"
#include "etcd/member.h"
#include "store/codec.h"
#include "store/datastore/sqlite.h"
#include "store/store.h"

namespace shoal::store {
namespace {

constexpr int kServices = 100;
constexpr int kNodes = 1000;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "shoal-bench-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A swarmkit-shaped ID (25 base-36 characters, random-looking) derived from (kind, i), so a
// benchmark can name object i without keeping a million IDs around.
std::string fixed_id(const char* kind, int i) {
  uint64_t x =
      (static_cast<uint64_t>(static_cast<unsigned char>(kind[0])) << 32) ^ static_cast<uint64_t>(i);
  auto mix = [](uint64_t z) {  // splitmix64
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  return format_id(mix(x), mix(x + 1));
}

std::shared_ptr<const api::TaskSpec> service_spec(int service) {
  api::TaskSpec spec;
  spec.ContainerSpec.emplace();
  spec.ContainerSpec->Image = "registry.example.com/team/app-" + std::to_string(service) +
                              ":1.2.3@sha256:" + std::string(64, 'a');
  spec.ContainerSpec->Env = {"MODE=production", "LOG_LEVEL=info", "PORT=8080"};
  spec.ContainerSpec->Labels = {{"com.example.team", "payments"}};
  spec.RestartPolicy.emplace();
  spec.RestartPolicy->Condition = api::RestartPolicyCondition::kAny;
  spec.Placement.emplace();
  spec.Placement->Constraints = {"node.role==worker"};
  spec.Runtime = api::RuntimeType::kContainer;
  return std::make_shared<const api::TaskSpec>(std::move(spec));
}

// A running task of `service`, as the dispatcher would have it.
api::Task make_task(int i, const std::vector<std::shared_ptr<const api::TaskSpec>>& specs) {
  int service = i % kServices;
  api::Task t;
  t.ID = fixed_id("t", i);
  t.ServiceID = fixed_id("s", service);
  t.Slot = i / kServices + 1;
  t.NodeID = fixed_id("n", i % kNodes);
  t.Spec = specs[service];
  t.DesiredState = api::TaskState::kRunning;
  t.Status.State = api::TaskState::kRunning;
  t.Status.Message = "started";
  t.Status.Timestamp = Timestamp::from_unix_nanos(1'700'000'000'000'000'000 + i);
  t.Status.ContainerStatus.emplace();
  t.Status.ContainerStatus->ContainerID = std::string(64, 'c');
  t.Status.ContainerStatus->PID = 4000 + i % 30000;
  return t;
}

std::vector<std::shared_ptr<const api::TaskSpec>> make_specs() {
  std::vector<std::shared_ptr<const api::TaskSpec>> specs;
  for (int s = 0; s < kServices; ++s) specs.push_back(service_spec(s));
  return specs;
}

std::unique_ptr<Store> open_sqlite(const std::string& dir, SqliteDatastore::Sync sync) {
  auto ds = SqliteDatastore::open(dir, {.sync = sync});
  if (!ds.is_ok()) std::abort();
  auto store = Store::open(std::move(ds).value(), std::make_shared<SystemClock>());
  if (!store.is_ok()) std::abort();
  return std::move(store).value();
}

// The datastore a commit benchmark runs on, side by side: SQLite in a temporary dir, or a
// one-member etcd cluster started for the benchmark (Debian's etcd-server on loopback, its
// data in a temporary dir on the same file system; fsync is real in both).
enum class Backend { kSqlite, kEtcd };

struct BenchStore {
  TempDir dir;
  std::unique_ptr<etcd::Member> member;
  std::unique_ptr<Store> store;
};

std::unique_ptr<BenchStore> open_store(Backend backend) {
  auto out = std::make_unique<BenchStore>();
  if (backend == Backend::kSqlite) {
    out->store = open_sqlite(out->dir.path(), SqliteDatastore::Sync::kFull);
    return out;
  }
  etcd::MemberOptions member;
  member.name = "bench";
  member.data_dir = out->dir.path() + "/etcd";
  member.log_file = out->dir.path() + "/etcd.log";
  member.client_address = "127.0.0.1:" + std::to_string(etcd::free_loopback_port());
  member.peer_address = "127.0.0.1:" + std::to_string(etcd::free_loopback_port());
  auto started = etcd::Member::start(member, std::chrono::seconds(30));
  if (!started.is_ok()) {
    fprintf(stderr, "%s\n", started.status().to_string().c_str());
    std::abort();
  }
  out->member = std::move(started).value();
  etcd::EtcdDatastoreOptions options;
  options.client.endpoints = {member.client_address};
  auto store =
      Store::open(std::make_unique<etcd::EtcdDatastore>(options), std::make_shared<SystemClock>());
  if (!store.is_ok()) std::abort();
  out->store = std::move(store).value();
  return out;
}

double process_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Reports the CPU the whole process (SQLite, background snapshots included) spent per item,
// which on a shared machine says more than wall time.
class CpuPerItem {
 public:
  explicit CpuPerItem(benchmark::State& state) : state_(state), start_(process_cpu_seconds()) {}
  ~CpuPerItem() {
    double items = static_cast<double>(state_.items_processed());
    if (items > 0) {
      state_.counters["proc_cpu_us_per_item"] = (process_cpu_seconds() - start_) * 1e6 / items;
    }
  }

 private:
  benchmark::State& state_;
  double start_;
};

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Commit latency: one task update per transaction, durable (one fsync each).

void BM_CommitOne(benchmark::State& state, Backend backend) {
  auto bench_store = open_store(backend);
  Store* store = bench_store->store.get();
  auto specs = make_specs();
  Status s = store->update([&](WriteTxn& tx) { return tx.create(make_task(0, specs)); });
  CpuPerItem cpu(state);
  for (auto _ : state) {
    s = store->update([&](WriteTxn& tx) {
      api::Task t = *tx.get<api::Task>(fixed_id("t", 0));
      t.Status.Message = "tick";
      return tx.update(std::move(t));
    });
    if (!s.is_ok()) state.SkipWithError(s.to_string().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_CommitOne, sqlite, Backend::kSqlite)->UseRealTime()->MinTime(2);
BENCHMARK_CAPTURE(BM_CommitOne, etcd, Backend::kEtcd)->UseRealTime()->MinTime(2);

// ---------------------------------------------------------------------------------------------
// Batched throughput: Store::batch of N task creations, then N status updates.

void BM_BatchCreate(benchmark::State& state, Backend backend) {
  const int n = static_cast<int>(state.range(0));
  auto bench_store = open_store(backend);
  Store* store = bench_store->store.get();
  auto specs = make_specs();
  int next = 0;
  CpuPerItem cpu(state);
  for (auto _ : state) {
    Status s = store->batch([&](Batch& batch) {
      for (int i = 0; i < n; ++i) {
        api::Task t = make_task(next++, specs);
        SHOAL_RETURN_IF_ERROR(batch.update([&](WriteTxn& tx) { return tx.create(std::move(t)); }));
      }
      return Status::ok();
    });
    if (!s.is_ok()) state.SkipWithError(s.to_string().c_str());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK_CAPTURE(BM_BatchCreate, sqlite, Backend::kSqlite)
    ->Arg(1)
    ->Arg(100)
    ->Arg(10000)
    ->UseRealTime()
    ->MinTime(2);
BENCHMARK_CAPTURE(BM_BatchCreate, etcd, Backend::kEtcd)
    ->Arg(1)
    ->Arg(100)
    ->Arg(10000)
    ->UseRealTime()
    ->MinTime(2);

void BM_BatchStatusUpdate(benchmark::State& state, Backend backend) {
  const int n = static_cast<int>(state.range(0));
  auto bench_store = open_store(backend);
  Store* store = bench_store->store.get();
  auto specs = make_specs();
  const int population = std::max(n, 10000);
  Status s = store->batch([&](Batch& batch) {
    for (int i = 0; i < population; ++i) {
      SHOAL_RETURN_IF_ERROR(
          batch.update([&](WriteTxn& tx) { return tx.create(make_task(i, specs)); }));
    }
    return Status::ok();
  });
  if (!s.is_ok()) state.SkipWithError(s.to_string().c_str());
  int next = 0;
  int64_t round = 0;
  CpuPerItem cpu(state);
  for (auto _ : state) {
    ++round;
    s = store->batch([&](Batch& batch) {
      for (int i = 0; i < n; ++i) {
        std::string id = fixed_id("t", next++ % population);
        SHOAL_RETURN_IF_ERROR(batch.update([&](WriteTxn& tx) {
          api::Task t = *tx.get<api::Task>(id);
          t.Status.Timestamp = t.Status.Timestamp + std::chrono::nanoseconds(round);
          t.Status.Message = "heartbeat";
          return tx.update(std::move(t));
        }));
      }
      return Status::ok();
    });
    if (!s.is_ok()) state.SkipWithError(s.to_string().c_str());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK_CAPTURE(BM_BatchStatusUpdate, sqlite, Backend::kSqlite)
    ->Arg(1)
    ->Arg(100)
    ->Arg(10000)
    ->UseRealTime()
    ->MinTime(2);
BENCHMARK_CAPTURE(BM_BatchStatusUpdate, etcd, Backend::kEtcd)
    ->Arg(1)
    ->Arg(100)
    ->Arg(10000)
    ->UseRealTime()
    ->MinTime(2);

// ---------------------------------------------------------------------------------------------
// 1,000,000 tasks: written once through batches, then the store is reopened (loaded from
// SQLite) and its memory measured.

struct Million {
  TempDir dir;
  std::unique_ptr<Store> store;
  double write_seconds = 0;
  double load_seconds = 0;
  long rss_before_kib = 0;
  long rss_after_kib = 0;
  long rss_trimmed_kib = 0;
};

constexpr int kMillion = 1'000'000;

Million& million() {
  static Million* m = [] {
    auto* m = new Million;
    auto specs = make_specs();
    {
      auto store = open_sqlite(m->dir.path(), SqliteDatastore::Sync::kFull);
      auto start = std::chrono::steady_clock::now();
      Status s = store->batch([&](Batch& batch) {
        for (int i = 0; i < kMillion; ++i) {
          SHOAL_RETURN_IF_ERROR(
              batch.update([&](WriteTxn& tx) { return tx.create(make_task(i, specs)); }));
        }
        return Status::ok();
      });
      if (!s.is_ok()) std::abort();
      m->write_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    specs.clear();
    malloc_trim(0);
    m->rss_before_kib = rss_kib();
    auto start = std::chrono::steady_clock::now();
    m->store = open_sqlite(m->dir.path(), SqliteDatastore::Sync::kFull);
    m->load_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m->rss_after_kib = rss_kib();
    malloc_trim(0);
    m->rss_trimmed_kib = rss_kib();
    return m;
  }();
  return *m;
}

void BM_Million_Memory(benchmark::State& state) {
  Million& m = million();
  for (auto _ : state) benchmark::DoNotOptimize(m.store->revision());
  state.counters["tasks"] = static_cast<double>(m.store->view().count<api::Task>());
  state.counters["rss_MiB"] = (m.rss_after_kib - m.rss_before_kib) / 1024.0;
  state.counters["bytes_per_task"] = (m.rss_after_kib - m.rss_before_kib) * 1024.0 / kMillion;
  state.counters["bytes_per_task_trimmed"] =
      (m.rss_trimmed_kib - m.rss_before_kib) * 1024.0 / kMillion;
  state.counters["load_s"] = m.load_seconds;
  state.counters["write_1M_s"] = m.write_seconds;
  state.counters["write_tasks_per_s"] = kMillion / m.write_seconds;
}
BENCHMARK(BM_Million_Memory)->Iterations(1);

// 100,000 task IDs spread over the million, made outside the timed loops.
const std::vector<std::string>& probe_ids() {
  static const auto* ids = [] {
    auto* out = new std::vector<std::string>;
    for (int i = 0; i < 100'000; ++i) out->push_back(fixed_id("t", (i * 7919) % kMillion));
    return out;
  }();
  return *ids;
}

// Closes and reopens the million-task store: what a manager restart costs.
void BM_Million_Reopen(benchmark::State& state) {
  Million& m = million();
  for (auto _ : state) {
    m.store.reset();
    m.store = open_sqlite(m.dir.path(), SqliteDatastore::Sync::kFull);
  }
  state.SetItemsProcessed(state.iterations() * kMillion);
}
BENCHMARK(BM_Million_Reopen)->Iterations(1)->UseRealTime();

void BM_Million_SnapshotGet(benchmark::State& state) {
  Million& m = million();
  const auto& ids = probe_ids();
  size_t i = 0;
  for (auto _ : state) {
    auto view = m.store->view();
    benchmark::DoNotOptimize(view.get<api::Task>(ids[i++ % ids.size()]));
  }
}
BENCHMARK(BM_Million_SnapshotGet);

void BM_Million_Snapshot(benchmark::State& state) {
  Million& m = million();
  for (auto _ : state) {
    auto view = m.store->view();
    benchmark::DoNotOptimize(view.revision());
  }
}
BENCHMARK(BM_Million_Snapshot);

void BM_Million_LookupPrefix(benchmark::State& state) {
  Million& m = million();
  const auto& ids = probe_ids();
  size_t i = 0;
  for (auto _ : state) {
    std::string_view prefix = std::string_view(ids[i++ % ids.size()]).substr(0, 12);
    auto view = m.store->view();
    benchmark::DoNotOptimize(view.lookup<api::Task>(prefix));
  }
}
BENCHMARK(BM_Million_LookupPrefix);

void BM_Million_TasksOfService(benchmark::State& state) {
  Million& m = million();
  int i = 0;
  size_t n = 0;
  for (auto _ : state) {
    std::string service = fixed_id("s", i++ % kServices);
    auto view = m.store->view();
    view.for_each<api::Task>(by::Service{service}, [&](const std::shared_ptr<const api::Task>& t) {
      n += t->Slot > 0 ? 1 : 0;
    });
  }
  benchmark::DoNotOptimize(n);
  state.SetItemsProcessed(state.iterations() * (kMillion / kServices));
}
BENCHMARK(BM_Million_TasksOfService);

void BM_Million_TasksOfNode(benchmark::State& state) {
  Million& m = million();
  int i = 0;
  for (auto _ : state) {
    std::string node = fixed_id("n", i++ % kNodes);
    auto view = m.store->view();
    benchmark::DoNotOptimize(view.find<api::Task>(by::Node{node}));
  }
  state.SetItemsProcessed(state.iterations() * (kMillion / kNodes));
}
BENCHMARK(BM_Million_TasksOfNode);

// What the write benchmarks spend building their input (an ID and a task), per task.
void BM_MakeTask(benchmark::State& state) {
  auto specs = make_specs();
  int i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(make_task(i++, specs));
}
BENCHMARK(BM_MakeTask);

// ---------------------------------------------------------------------------------------------
// The record codec against the api JSON codec + CBOR (the alternative the design allowed).

void BM_Codec_EncodeTask(benchmark::State& state) {
  auto specs = make_specs();
  api::Task task = make_task(1, specs);
  std::string out;
  for (auto _ : state) {
    out.clear();
    codec::encode(task, "0123456789abcdef0123456789abcdef", &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Codec_EncodeTask);

void BM_Codec_DecodeTask(benchmark::State& state) {
  auto specs = make_specs();
  std::string record;
  codec::encode(make_task(1, specs), "0123456789abcdef0123456789abcdef", &record);
  codec::SpecResolver resolve =
      [&](std::string_view) -> Result<std::shared_ptr<const api::TaskSpec>> { return specs[0]; };
  for (auto _ : state) {
    api::Task task;
    Status s = codec::decode(record, resolve, &task);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_Codec_DecodeTask);

void BM_JsonCbor_EncodeTask(benchmark::State& state) {
  auto specs = make_specs();
  api::Task task = make_task(1, specs);
  std::vector<uint8_t> out;
  for (auto _ : state) {
    api::Json j = api::to_json(task);
    j.erase("Spec");
    j["SpecRef"] = "0123456789abcdef0123456789abcdef";
    out.clear();
    api::Json::to_cbor(j, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_JsonCbor_EncodeTask);

void BM_JsonCbor_DecodeTask(benchmark::State& state) {
  auto specs = make_specs();
  api::Json j = api::to_json(make_task(1, specs));
  j.erase("Spec");
  j["SpecRef"] = "0123456789abcdef0123456789abcdef";
  std::vector<uint8_t> cbor = api::Json::to_cbor(j);
  for (auto _ : state) {
    api::Json parsed = api::Json::from_cbor(cbor);
    api::Task task;
    Status s = api::from_json(parsed, task);
    task.Spec = specs[0];
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_JsonCbor_DecodeTask);

}  // namespace
}  // namespace shoal::store

BENCHMARK_MAIN();
