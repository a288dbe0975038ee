#include "scale/scale_run.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <thread>
#include <unordered_map>

#include "ca/node_ca.h"
#include "ca/root_ca.h"
#include "manager/controlapi/node.h"
#include "manager/controlapi/service.h"
#include "manager/controlapi/swarm.h"
#include "protocol/local_client.h"
#include "rpc/dispatcher_client.h"
#include "rpc/server.h"
#include "scale/bench_node.h"
#include "scale/census.h"
#include "scale/control_plane.h"
#include "scale/process_memory.h"
#include "store/datastore/sqlite.h"

namespace shoal::scale {

namespace {

namespace fs = std::filesystem;
namespace controlapi = manager::controlapi;
using Steady = std::chrono::steady_clock;
using api::TaskState;

double seconds_since(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

// The run's data dir: made here; removed at the end when it is a temporary one.
class DataDir {
 public:
  static Result<DataDir> make(const std::string& given) {
    std::error_code ec;
    if (given.empty()) {
      std::string tmpl = (fs::temp_directory_path(ec) / "shoal-bench-scale-XXXXXX").string();
      if (mkdtemp(tmpl.data()) == nullptr) {
        return error(Code::kInternal, "cannot make a temporary data dir {}", tmpl);
      }
      return DataDir(tmpl, true);
    }
    if (fs::exists(given, ec) && !fs::is_empty(given, ec)) {
      return error(Code::kInvalidArgument, "data dir {} is not empty", given);
    }
    fs::create_directories(given, ec);
    if (ec) return error(Code::kInternal, "cannot make data dir {}: {}", given, ec.message());
    return DataDir(given, false);
  }
  DataDir(DataDir&& other) noexcept : path_(std::move(other.path_)), temporary_(other.temporary_) {
    other.temporary_ = false;
  }
  ~DataDir() {
    std::error_code ec;
    if (temporary_) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  DataDir(std::string path, bool temporary) : path_(std::move(path)), temporary_(temporary) {}
  std::string path_;
  bool temporary_;
};

std::string progress_text(const Census& c) {
  return fmt::format("tasks created {}, pending {}, assigned {}, running {}", c.created,
                     c.between(TaskState::kNew, TaskState::kPending),
                     c.between(TaskState::kAssigned, TaskState::kStarting),
                     c.in(TaskState::kRunning));
}

api::NodeDescription hollow_description() {
  api::NodeDescription d;
  d.Platform.OS = "linux";
  d.Platform.Architecture = "x86_64";
  d.Resources.NanoCPUs = 4'000'000'000;
  d.Resources.MemoryBytes = int64_t{8} << 30;
  d.Engine.EngineVersion = "hollow";
  return d;
}

// Everything one run holds, in construction order (destroyed in reverse).
class Run {
 public:
  Run(const ScaleOptions& options, const LinePrinter& print, DataDir dir)
      : options_(options), print_(print), dir_(std::move(dir)) {}
  ~Run() { stop(); }

  Status setup();
  Status start_fleet();
  Status run_services();
  Status remove_services();
  void stop();
  ScaleReport& report() { return report_; }

 private:
  Status register_nodes();
  // --transport grpc: the manager's RpcServer on 127.0.0.1 (its certificate signed by the
  // cluster CA that swarm init made) and a certificate per fleet node.
  Status start_rpc();
  // Waits until `done`, printing `what` and the progress every second.
  Status wait(const std::string& what, const std::function<bool(const Census&)>& done);
  void print(const std::string& line) { print_(line); }
  std::string elapsed() const { return fmt::format("[{:6.1f} s]", seconds_since(started_)); }

  const ScaleOptions options_;
  const LinePrinter& print_;
  DataDir dir_;
  Steady::time_point started_ = Steady::now();
  ScaleReport report_;

  std::shared_ptr<SystemClock> clock_ = std::make_shared<SystemClock>();
  IdGenerator ids_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<BenchNode> local_;
  std::unique_ptr<controlapi::Context> ctx_;
  std::vector<FleetNode> nodes_;
  std::unique_ptr<ControlPlane> plane_;
  TaskCensus census_;
  std::unique_ptr<manager::ReconcileLoop> census_loop_;
  std::unique_ptr<ca::NodeCA> node_ca_;
  std::unique_ptr<rpc::RpcServer> server_;
  std::string server_addr_;
  std::unordered_map<std::string, rpc::TlsIdentity> identities_;  // by node ID
  std::unique_ptr<HollowFleet> fleet_;
  std::unique_ptr<ApiSampler> sampler_;
  std::vector<std::string> services_;
};

Status Run::setup() {
  SHOAL_ASSIGN_OR_RETURN(auto datastore, store::SqliteDatastore::open(dir_.path() + "/store"));
  SHOAL_ASSIGN_OR_RETURN(store_, store::Store::open(std::move(datastore), clock_));
  local_ = std::make_unique<BenchNode>(dir_.path());
  ctx_ = std::make_unique<controlapi::Context>(*store_, *clock_, ids_, *local_);
  api::InitRequest init;
  init.ListenAddr = "127.0.0.1:2377";
  init.AdvertiseAddr = "127.0.0.1";
  init.Availability = api::NodeAvailability::kDrain;
  auto swarm = controlapi::init_swarm(*ctx_, init);
  if (!swarm.is_ok()) return error(Code::kInternal, "swarm init: {}", swarm.status().message());
  SHOAL_RETURN_IF_ERROR(register_nodes());
  plane_ = std::make_unique<ControlPlane>(*store_, *clock_, ids_);
  SHOAL_RETURN_IF_ERROR(plane_->start());
  census_loop_ = std::make_unique<manager::ReconcileLoop>(*store_, *clock_, census_);
  census_loop_->start();
  return Status::ok();
}

// The fleet's Node objects, as joins would leave them: workers, active, state unknown
// until their agents register.
Status Run::register_nodes() {
  for (size_t i = 0; i < options_.nodes; ++i) {
    nodes_.push_back({ids_.next(), fmt::format("hollow-{:05}", i + 1)});
  }
  auto description = hollow_description();
  Status status = store_->batch([&](store::Batch& batch) {
    for (const FleetNode& n : nodes_) {
      SHOAL_RETURN_IF_ERROR(batch.update([&](store::WriteTxn& tx) {
        api::Node node;
        node.ID = n.id;
        node.Spec.Role = api::NodeRole::kWorker;
        node.Spec.Availability = api::NodeAvailability::kActive;
        node.Description = description;
        node.Description.Hostname = n.hostname;
        node.Status.State = api::NodeState::kUnknown;
        return tx.create(std::move(node));
      }));
    }
    return Status::ok();
  });
  if (!status.is_ok()) return error(Code::kInternal, "registering nodes: {}", status.message());
  print(fmt::format("{} {} nodes registered", elapsed(), options_.nodes));
  return Status::ok();
}

Status Run::start_rpc() {
  auto began = Steady::now();
  std::shared_ptr<const api::Swarm> cluster;
  {
    store::ReadTxn view = store_->view();
    view.for_each<api::Swarm>(store::by::All{},
                              [&](const std::shared_ptr<const api::Swarm>& c) { cluster = c; });
  }
  if (cluster == nullptr) return error(Code::kInternal, "gRPC transport: no cluster");
  SHOAL_ASSIGN_OR_RETURN(ca::ClusterCA authority, ca::cluster_ca(*cluster));
  auto sign = [&](const std::string& node_id, api::NodeRole role) -> Result<rpc::TlsIdentity> {
    SHOAL_ASSIGN_OR_RETURN(ca::KeyAndCsr key, ca::make_key_and_csr());
    ca::SignRequest request{key.csr_pem, node_id, role, cluster->ID, std::chrono::hours(24)};
    SHOAL_ASSIGN_OR_RETURN(std::string cert,
                           ca::sign_csr(authority.current, request, clock_->now()));
    return rpc::TlsIdentity{authority.bundle_pem, authority.chain(std::move(cert)), key.key_pem};
  };
  SHOAL_ASSIGN_OR_RETURN(rpc::TlsIdentity manager,
                         sign(local_->node_id(), api::NodeRole::kManager));
  for (const FleetNode& n : nodes_) {
    SHOAL_ASSIGN_OR_RETURN(rpc::TlsIdentity identity, sign(n.id, api::NodeRole::kWorker));
    identities_.emplace(n.id, std::move(identity));
  }
  node_ca_ = std::make_unique<ca::NodeCA>(*store_, *clock_, ids_);
  server_ = std::make_unique<rpc::RpcServer>("127.0.0.1:0", std::move(manager),
                                             plane_->dispatcher(), *node_ca_);
  SHOAL_RETURN_IF_ERROR(server_->start());
  server_addr_ = fmt::format("127.0.0.1:{}", server_->port());
  print(fmt::format("{} gRPC + mutual TLS on {}: {} node certificates signed in {:.2f} s",
                    elapsed(), server_addr_, nodes_.size(), seconds_since(began)));
  return Status::ok();
}

Status Run::start_fleet() {
  FleetOptions fleet;
  fleet.threads = options_.fleet_threads;
  fleet.description = hollow_description();
  auto& dispatcher = plane_->dispatcher();
  ClientFactory make_client = [&dispatcher](const std::string& node_id) {
    return std::unique_ptr<protocol::DispatcherClient>(
        std::make_unique<protocol::LocalDispatcherClient>(
            dispatcher, manager::dispatcher::Peer{node_id, "127.0.0.1"}));
  };
  if (options_.transport == "grpc") {
    SHOAL_RETURN_IF_ERROR(start_rpc());
    make_client = [this](const std::string& node_id) {
      return std::unique_ptr<protocol::DispatcherClient>(
          std::make_unique<rpc::GrpcDispatcherClient>(server_addr_, identities_.at(node_id)));
    };
  }
  fleet_ = std::make_unique<HollowFleet>(nodes_, make_client, *clock_, fleet);
  auto start = Steady::now();
  fleet_->start();
  auto deadline = start + options_.timeout;
  Steady::time_point next_print = start + std::chrono::seconds(1);
  for (;;) {
    size_t ready = 0;
    {
      store::ReadTxn view = store_->view();
      view.for_each<api::Node>(store::by::All{}, [&](const std::shared_ptr<const api::Node>& n) {
        ready += n->Status.State == api::NodeState::kReady ? 1 : 0;
      });
    }
    if (ready == options_.nodes) break;
    if (Steady::now() > deadline) {
      return error(Code::kInternal, "timed out after {} s waiting for nodes to be ready ({} of {})",
                   options_.timeout.count(), ready, options_.nodes);
    }
    if (Steady::now() >= next_print) {
      print(fmt::format("{} nodes ready {} of {}", elapsed(), ready, options_.nodes));
      next_print += std::chrono::seconds(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  report_.nodes_ready_s = seconds_since(start);
  report_.rss_idle_kib = process_memory().rss_kib;
  print(fmt::format("{} {} nodes ready in {:.2f} s; RSS {} MiB", elapsed(), options_.nodes,
                    report_.nodes_ready_s, report_.rss_idle_kib / 1024));
  return Status::ok();
}

Status Run::wait(const std::string& what, const std::function<bool(const Census&)>& done) {
  auto deadline = Steady::now() + options_.timeout;
  for (;;) {
    auto [census, held] = census_.wait(done, std::chrono::seconds(1));
    if (held) return Status::ok();
    FleetStats fleet = fleet_->stats();
    print(fmt::format("{} {}; RSS {} MiB; fleet: {} connected, {} failures", elapsed(),
                      progress_text(census), process_memory().rss_kib / 1024, fleet.connected,
                      fleet.failures));
    if (Steady::now() > deadline) {
      return error(Code::kInternal, "timed out after {} s waiting for {} ({})",
                   options_.timeout.count(), what, progress_text(census));
    }
  }
}

Status Run::run_services() {
  sampler_ = std::make_unique<ApiSampler>(*ctx_, options_.sample_interval);
  sampler_->start();
  uint64_t revision = store_->revision();
  uint64_t status_commits = plane_->dispatcher().status_commits();
  const uint64_t total = options_.tasks;
  double cpu = process_cpu_seconds();
  auto start = Steady::now();
  for (size_t s = 0; s < options_.services; ++s) {
    uint64_t replicas = total / options_.services + (s < total % options_.services ? 1 : 0);
    api::ServiceSpec spec;
    spec.Name = fmt::format("scale-{}", s + 1);
    spec.TaskTemplate.ContainerSpec.emplace();
    spec.TaskTemplate.ContainerSpec->Image = "busybox:latest";
    spec.Mode.Replicated = api::ReplicatedService{replicas};
    auto created = controlapi::create_service(*ctx_, std::move(spec));
    if (!created.is_ok())
      return error(Code::kInternal, "service create: {}", created.status().message());
    services_.push_back(created->ID);
    if (s == 0) sampler_->set_service(created->ID);
  }
  print(fmt::format("{} {} services created ({} replicas)", elapsed(), options_.services, total));

  Steady::time_point first_assigned{};
  SHOAL_RETURN_IF_ERROR(
      wait("the first assignment", [](const Census& c) { return c.ever_assigned > 0; }));
  first_assigned = Steady::now();
  SHOAL_RETURN_IF_ERROR(
      wait("every task assigned", [&](const Census& c) { return c.ever_assigned >= total; }));
  report_.all_assigned_s = seconds_since(start);
  double placing = std::chrono::duration<double>(Steady::now() - first_assigned).count();
  report_.placements_per_s = placing > 0 ? static_cast<double>(total) / placing : 0;
  SHOAL_RETURN_IF_ERROR(wait("every task running",
                             [&](const Census& c) { return c.in(TaskState::kRunning) >= total; }));
  report_.all_running_s = seconds_since(start);
  report_.running_cpu_s = process_cpu_seconds() - cpu;
  report_.commits = store_->revision() - revision;
  report_.commits_per_s = static_cast<double>(report_.commits) / report_.all_running_s;
  report_.status_commits = plane_->dispatcher().status_commits() - status_commits;
  print(fmt::format("{} all {} tasks running", elapsed(), total));
  sampler_->stop();
  report_.api = sampler_->samples();
  return Status::ok();
}

Status Run::remove_services() {
  auto start = Steady::now();
  for (const std::string& id : services_) {
    Status removed = controlapi::remove_service(*ctx_, id);
    if (!removed.is_ok()) return error(Code::kInternal, "service rm: {}", removed.message());
  }
  SHOAL_RETURN_IF_ERROR(wait("every task removed", [](const Census& c) { return c.total == 0; }));
  report_.removal_s = seconds_since(start);
  print(fmt::format("{} all tasks removed", elapsed()));
  return Status::ok();
}

void Run::stop() {
  if (sampler_) sampler_->stop();
  if (fleet_) {
    report_.fleet = fleet_->stats();
    fleet_->stop();
  }
  if (server_) server_->stop();
  if (census_loop_) census_loop_->stop();
  if (plane_) plane_->stop();
  if (store_) store_->close();
  report_.peak_rss_kib = process_memory().peak_rss_kib;
}

std::string ms_pair(const std::vector<double>& v) {
  return fmt::format("p50 {:.2f} ms, p99 {:.2f} ms ({} calls)", percentile(v, 0.5),
                     percentile(v, 0.99), v.size());
}

}  // namespace

Status check_options(const ScaleOptions& o) {
  if (o.nodes < 1) return Status(Code::kInvalidArgument, "--nodes must be at least 1");
  if (o.services < 1 || (o.tasks > 0 && o.services > o.tasks)) {
    return Status(Code::kInvalidArgument, "--services must be between 1 and --tasks");
  }
  if (o.transport != "local" && o.transport != "grpc") {
    return error(Code::kInvalidArgument, "unknown transport \"{}\": use local or grpc",
                 o.transport);
  }
  return Status::ok();
}

Result<ScaleReport> run_scale(const ScaleOptions& options, const LinePrinter& print) {
  SHOAL_RETURN_IF_ERROR(check_options(options));
  SHOAL_ASSIGN_OR_RETURN(DataDir dir, DataDir::make(options.data_dir));
  print(fmt::format("scale run: {} nodes, {} tasks in {} services, transport {}, data dir {}",
                    options.nodes, options.tasks, options.services, options.transport, dir.path()));
  Run run(options, print, std::move(dir));
  SHOAL_RETURN_IF_ERROR(run.setup());
  SHOAL_RETURN_IF_ERROR(run.start_fleet());
  SHOAL_RETURN_IF_ERROR(run.run_services());
  SHOAL_RETURN_IF_ERROR(run.remove_services());
  run.stop();
  ScaleReport report = run.report();
  report.options = options;
  return report;
}

std::vector<std::string> summary_lines(const ScaleReport& r) {
  const auto& o = r.options;
  std::vector<std::string> out;
  out.push_back(fmt::format("nodes ready: {} in {:.2f} s", o.nodes, r.nodes_ready_s));
  out.push_back(fmt::format("time to all RUNNING: {:.2f} s ({} tasks, {} services)",
                            r.all_running_s, o.tasks, o.services));
  out.push_back(fmt::format("time to all assigned: {:.2f} s", r.all_assigned_s));
  out.push_back(fmt::format("CPU time to all RUNNING: {:.1f} s (all threads, user + system)",
                            r.running_cpu_s));
  out.push_back(fmt::format("placements/s: {:.0f}", r.placements_per_s));
  out.push_back(fmt::format("commits/s: {:.0f} ({} store commits, {} of them status reports)",
                            r.commits_per_s, r.commits, r.status_commits));
  out.push_back(
      fmt::format("manager peak RSS: {} MiB (VmHWM; fleet in the same process; {} MiB "
                  "with the nodes ready and no task)",
                  r.peak_rss_kib / 1024, r.rss_idle_kib / 1024));
  out.push_back("API service inspect: " + ms_pair(r.api.inspect_ms));
  out.push_back("API task list (service, desired-state=running): " + ms_pair(r.api.task_list_ms));
  out.push_back("API node list: " + ms_pair(r.api.node_list_ms));
  if (r.api.errors > 0) out.push_back(fmt::format("API errors: {}", r.api.errors));
  out.push_back(fmt::format("removal: {:.2f} s (service rm → no task left)", r.removal_s));
  out.push_back(
      fmt::format("fleet: {} sessions, {} heartbeats, {} messages, {} report calls "
                  "({} reports), {} failures",
                  r.fleet.sessions, r.fleet.heartbeats, r.fleet.messages, r.fleet.report_calls,
                  r.fleet.reports, r.fleet.failures));
  return out;
}

}  // namespace shoal::scale
