#include "runtime/runc_executor.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/host.h"
#include "common/mutex.h"
#include "runtime/executor_core.h"
#include "runtime/exit_status.h"
#include "runtime/monitor_client.h"
#include "runtime/recovery.h"
#include "shoal/version.h"

namespace shoal::runtime {
namespace fs = std::filesystem;
namespace {

// `name` as an absolute path: itself when it has a '/', else looked up in PATH.
std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

Status make_dir(const fs::path& dir, mode_t mode) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return error(Code::kInternal, "cannot create {}: {}", dir.string(), ec.message());
  ::chmod(dir.c_str(), mode);
  return Status::ok();
}

// Each container holds a few descriptors in its monitor, not here; the daemon holds one
// "wait" connection per running container: raise the soft limit to the hard one.
void raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

class RuncController final : public agent::Controller {
 public:
  RuncController(RuncExecutor::Core* core, RecordPtr rec, const agent::DependencyGetter* deps)
      : core_(core), rec_(std::move(rec)), deps_(deps) {}

  Status prepare() override {
    if (deps_ == nullptr) {
      MutexLock lock(core_->mu);
      if (rec_->phase != TaskRecord::Phase::kNew) return Status::ok();
      return error(Code::kFailedPrecondition, "recovered task {} cannot be prepared again",
                   rec_->id);
    }
    return core_->prepare(rec_, *deps_);
  }
  Status start() override { return core_->start(rec_); }
  void wait(agent::ExitCallback on_exit) override { core_->wait(rec_, std::move(on_exit)); }
  Status shutdown() override {
    TaskMeta meta;
    {
      MutexLock lock(core_->mu);
      meta = rec_->meta;
    }
    return core_->signal(rec_, core_->stop_signal(meta), /*stop=*/true);
  }
  Status terminate() override { return core_->signal(rec_, SIGKILL); }
  Status remove() override { return core_->remove(rec_); }
  api::ContainerStatus container_status() const override {
    MutexLock lock(core_->mu);
    api::ContainerStatus status;
    if (rec_->phase != TaskRecord::Phase::kNew) status.ContainerID = rec_->id;
    status.PID = rec_->pid;
    if (rec_->exit) status.ExitCode = rec_->exit->ExitCode;
    return status;
  }
  api::PortStatus port_status() const override {
    MutexLock lock(core_->mu);
    return rec_->meta.Ports;
  }

 private:
  RuncExecutor::Core* const core_;
  const RecordPtr rec_;
  const agent::DependencyGetter* const deps_;  // null for a recovered task
};

}  // namespace

RuncExecutor::Core::Core(RuncExecutorOptions opts) : options(std::move(opts)) {
  clock = options.clock != nullptr ? options.clock : &system_clock;
  containers = options.data_dir / "containers";
  runc_root = options.data_dir / "runc";
  volumes = options.data_dir / "volumes";
}

RuncExecutor::Core::~Core() { loop.stop(); }

RecordPtr RuncExecutor::Core::record(const std::string& id) {
  MutexLock lock(mu);
  auto [it, inserted] = tasks.try_emplace(id);
  if (inserted) {
    it->second = std::make_shared<TaskRecord>();
    it->second->id = id;
    it->second->dir = task_dir(id);
  }
  return it->second;
}

Result<std::unique_ptr<RuncExecutor>> RuncExecutor::create(RuncExecutorOptions options) {
  if (options.images == nullptr) {
    return error(Code::kInvalidArgument, "the runc executor needs an image source");
  }
  auto core = std::make_shared<Core>(std::move(options));
  if (!core->loop.ok()) return error(Code::kInternal, "cannot start the runtime's event loop");
  core->runtime_path = find_program(core->options.oci_runtime);
  if (core->runtime_path.empty()) {
    return error(Code::kNotFound, "OCI runtime {} not found (install it or pass --oci-runtime)",
                 core->options.oci_runtime);
  }
  std::string monitor = core->options.monitor_binary;
  if (monitor.empty()) {
    std::error_code ec;
    monitor = (fs::read_symlink("/proc/self/exe", ec).parent_path() / "shoal-monitor").string();
  }
  core->monitor_path = find_program(monitor);
  if (core->monitor_path.empty())
    return error(Code::kNotFound, "monitor binary {} not found", monitor);
  if (!core->options.init_binary.empty() &&
      ::access(core->options.init_binary.c_str(), X_OK) != 0) {
    core->options.init_binary.clear();
  }
  SHOAL_RETURN_IF_ERROR(make_dir(core->containers, 0700));
  SHOAL_RETURN_IF_ERROR(make_dir(core->runc_root, 0700));
  SHOAL_RETURN_IF_ERROR(make_dir(core->volumes, 0700));
  raise_fd_limit();
  return std::unique_ptr<RuncExecutor>(new RuncExecutor(std::move(core)));
}

RuncExecutor::RuncExecutor(std::shared_ptr<Core> core) : core_(std::move(core)) {}

RuncExecutor::~RuncExecutor() { core_->loop.stop(); }

const fs::path& RuncExecutor::containers_dir() const { return core_->containers; }

Result<api::NodeDescription> RuncExecutor::describe() {
  if (core_->options.description) return *core_->options.description;
  SHOAL_ASSIGN_OR_RETURN(api::NodeDescription d, agent::describe_host());
  d.Engine.EngineVersion = std::string("shoal ") + kVersion;
  d.Engine.Plugins = {{"Log", "json-file"}, {"Network", "bridge"},  {"Network", "host"},
                      {"Network", "null"},  {"Network", "overlay"}, {"Volume", "local"}};
  return d;
}

Result<std::unique_ptr<agent::Controller>> RuncExecutor::controller(
    std::shared_ptr<const api::Task> task, const agent::DependencyGetter& deps) {
  if (!task->Spec->ContainerSpec) {
    return error(Code::kInvalidArgument, "task {} has no container spec", task->ID);
  }
  RecordPtr rec = core_->record(task->ID);
  {
    MutexLock lock(core_->mu);
    if (!rec->task) rec->task = std::move(task);
  }
  return std::unique_ptr<agent::Controller>(
      std::make_unique<RuncController>(core_.get(), rec, &deps));
}

Result<std::vector<agent::RecoveredTask>> RuncExecutor::recover() {
  std::vector<agent::RecoveredTask> out;
  std::vector<std::string> live;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(core_->containers, ec)) {
    if (!entry.is_directory()) continue;
    std::string id = entry.path().filename().string();
    fs::path dir = entry.path();
    TaskFacts facts;
    auto meta = read_task_meta(dir);
    facts.has_meta = meta.is_ok();
    facts.prepared = meta.is_ok() && meta->Prepared;
    for (std::string_view f :
         {monitor::kPidFile, monitor::kInitPidFile, monitor::kRuntimeLogFile}) {
      facts.launched = facts.launched || fs::exists(dir / f);
    }
    if (auto line = monitor_request(dir.string(), "status", std::chrono::seconds(5));
        line.is_ok()) {
      if (auto st = parse_status_line(line.value()); st.is_ok()) facts.live = st.value();
    }
    facts.exit_file = read_exit_file(dir.string());
    Verdict verdict = classify(facts);
    spdlog::info("runtime: recovered task {}: {}", id, static_cast<int>(verdict));
    if (verdict == Verdict::kHalfPrepared) {
      Status st = core_->cleanup(id, dir, meta.is_ok() ? &meta.value() : nullptr);
      if (!st.is_ok())
        spdlog::warn("runtime: cleaning up half-prepared task {}: {}", id, st.message());
      continue;
    }
    RecordPtr rec = core_->record(id);
    agent::RecoveredTask task;
    task.TaskID = id;
    {
      MutexLock lock(core_->mu);
      rec->meta = meta.value();
      switch (verdict) {
        case Verdict::kRunning:
          rec->phase = TaskRecord::Phase::kRunning;
          rec->pid = facts.live->pid;
          rec->run++;
          rec->started = core_->now();
          task.state = agent::RecoveredTask::State::kRunning;
          break;
        case Verdict::kCreated:
          rec->phase = TaskRecord::Phase::kCreated;
          rec->pid = facts.live->pid;
          task.state = agent::RecoveredTask::State::kPrepared;
          break;
        case Verdict::kExited:
        case Verdict::kLost:
          rec->phase = TaskRecord::Phase::kExited;
          if (verdict == Verdict::kExited) {
            int64_t code = facts.exit_file->code;
            rec->exit = exit_status(code, /*unhealthy=*/false, code != 0 && oom_killed(id));
          } else {
            rec->exit = agent::ExitStatus{255, std::string(kLostError)};
          }
          task.state = agent::RecoveredTask::State::kExited;
          task.exit = rec->exit;
          break;
        default:
          rec->phase = TaskRecord::Phase::kPrepared;
          task.state = agent::RecoveredTask::State::kPrepared;
          break;
      }
    }
    if (verdict != Verdict::kExited && verdict != Verdict::kLost) live.push_back(id);
    if (verdict == Verdict::kRunning) {
      core_->watch_exit(rec);
      core_->arm_health(rec);
    }
    task.controller = std::make_unique<RuncController>(core_.get(), rec, nullptr);
    out.push_back(std::move(task));
  }
  if (ec)
    return error(Code::kInternal, "cannot read {}: {}", core_->containers.string(), ec.message());
  if (core_->options.network != nullptr) {
    if (Status st = core_->options.network->recover(live); !st.is_ok()) {
      spdlog::warn("runtime: network recovery: {}", st.message());
    }
  }
  return out;
}

std::optional<std::string> RuncExecutor::container_using(const std::string& image_id) const {
  MutexLock lock(core_->mu);
  for (const auto& [id, rec] : core_->tasks) {
    if (rec->phase != TaskRecord::Phase::kNew && rec->meta.ImageID == image_id) return id;
  }
  return std::nullopt;
}

std::vector<ContainerInfo> RuncExecutor::list() const {
  std::vector<ContainerInfo> out;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(core_->containers, ec)) {
    auto meta = read_task_meta(entry.path());
    if (!meta.is_ok()) continue;
    ContainerInfo info;
    info.TaskID = meta->TaskID;
    info.ServiceID = meta->ServiceID;
    info.ServiceName = meta->ServiceName;
    info.NodeID = meta->NodeID;
    info.Slot = meta->Slot;
    info.Image = meta->Image;
    info.Created = meta->Created;
    info.State = meta->Prepared ? "prepared" : "preparing";
    MutexLock lock(core_->mu);
    if (auto it = core_->tasks.find(info.TaskID); it != core_->tasks.end()) {
      const TaskRecord& r = *it->second;
      info.PID = r.pid;
      switch (r.phase) {
        case TaskRecord::Phase::kCreated:
          info.State = "created";
          break;
        case TaskRecord::Phase::kRunning:
          info.State = "running";
          break;
        case TaskRecord::Phase::kExited:
          info.State = "exited";
          break;
        default:
          break;
      }
      if (r.exit) info.ExitCode = r.exit->ExitCode;
    }
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(), [](const ContainerInfo& a, const ContainerInfo& b) {
    return a.Created != b.Created ? a.Created < b.Created : a.TaskID < b.TaskID;
  });
  return out;
}

}  // namespace shoal::runtime
