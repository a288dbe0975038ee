// The runc executor's per-task operations after prepare: start, wait, signals, remove, and
// the cleanup that remove and recovery share.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/cgroups.h"
#include "common/mutex.h"
#include "common/process.h"
#include "runtime/executor_core.h"
#include "runtime/monitor_client.h"
#include "runtime/rootfs/overlay.h"

namespace shoal::runtime {
namespace fs = std::filesystem;
namespace {

constexpr auto kLaunchTimeout = std::chrono::seconds(120);
constexpr auto kRuntimeTimeout = std::chrono::seconds(60);
constexpr auto kDefaultStopGrace = std::chrono::seconds(10);

// Whether the bundle's process has a terminal (ContainerSpec.TTY), read from config.json so
// that a task only recovery knows (no spec at hand) starts the same way.
bool wants_terminal(const fs::path& bundle) {
  std::ifstream in(bundle / "config.json");
  nlohmann::json config = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object() || !config.contains("process")) return false;
  return config["process"].value("terminal", false);
}

void remove_cgroups(const std::string& id) {
  if (!remove_container_cgroups(id)) spdlog::debug("task {}: a cgroup could not be removed", id);
}

}  // namespace

int parse_signal(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, int>, 20> kSignals{
      {{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},
       {"TRAP", SIGTRAP}, {"ABRT", SIGABRT}, {"BUS", SIGBUS},   {"FPE", SIGFPE},
       {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
       {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"CHLD", SIGCHLD},
       {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"WINCH", SIGWINCH}}};
  if (name.starts_with("SIG")) name.remove_prefix(3);
  if (!name.empty() && std::isdigit(static_cast<unsigned char>(name.front()))) {
    int n = std::atoi(std::string(name).c_str());
    return n > 0 && n < 65 ? n : 0;
  }
  for (const auto& [n, sig] : kSignals) {
    if (n == name) return sig;
  }
  return 0;
}

int RuncExecutor::Core::stop_signal(const TaskMeta& meta) const {
  int sig = meta.StopSignal.empty() ? SIGTERM : parse_signal(meta.StopSignal);
  return sig > 0 ? sig : SIGTERM;
}

std::chrono::nanoseconds RuncExecutor::Core::stop_grace(const RecordPtr& rec) const {
  if (rec->meta.StopGraceNanos > 0) return std::chrono::nanoseconds(rec->meta.StopGraceNanos);
  return kDefaultStopGrace;
}

std::vector<std::string> RuncExecutor::Core::runtime_argv(
    std::initializer_list<std::string> tail) const {
  std::vector<std::string> argv = {runtime_path, "--root", runc_root.string()};
  argv.insert(argv.end(), tail);
  return argv;
}

Status RuncExecutor::Core::start(const RecordPtr& rec) {
  TaskRecord::Phase phase;
  {
    MutexLock lock(mu);
    phase = rec->phase;
  }
  if (phase == TaskRecord::Phase::kRunning || phase == TaskRecord::Phase::kExited)
    return Status::ok();
  if (phase == TaskRecord::Phase::kNew) {
    return error(Code::kFailedPrecondition, "task {} is not prepared", rec->id);
  }
  MonitorStatus status;
  auto began = std::chrono::steady_clock::now();
  if (phase == TaskRecord::Phase::kCreated) {
    // A monitor a previous daemon launched holds the created container: ask it to start.
    SHOAL_ASSIGN_OR_RETURN(std::string line, monitor_request(rec->dir.string(), "start"));
    SHOAL_ASSIGN_OR_RETURN(status, parse_status_line(line));
  } else {
    MonitorLaunch launch;
    launch.monitor_binary = monitor_path;
    launch.id = rec->id;
    launch.bundle = rec->dir.string();
    launch.state_dir = rec->dir.string();
    launch.runtime = runtime_path;
    launch.runtime_root = runc_root.string();
    launch.log_max_bytes = options.log_max_bytes;
    launch.start = true;
    launch.tty = wants_terminal(rec->dir);
    SHOAL_ASSIGN_OR_RETURN(status, launch_monitor(launch, kLaunchTimeout));
  }
  {
    MutexLock lock(mu);
    rec->run++;
    rec->pid = status.pid;
    rec->started = now();
    rec->health = HealthState{};
    rec->unhealthy = false;
    if (status.state == MonitorStatus::State::kExited) {
      rec->phase = TaskRecord::Phase::kRunning;  // the exit arrives through watch_exit
    } else {
      rec->phase = TaskRecord::Phase::kRunning;
    }
  }
  watch_exit(rec);
  arm_health(rec);
  spdlog::debug("task {}: started (pid {}) in {} ms", rec->id, status.pid,
                std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - began)
                    .count());
  return Status::ok();
}

void RuncExecutor::Core::wait(const RecordPtr& rec, agent::ExitCallback on_exit) {
  MutexLock lock(mu);
  if (rec->exit) {
    agent::ExitStatus exit = *rec->exit;
    lock.unlock();
    on_exit(exit);
    return;
  }
  if (rec->phase != TaskRecord::Phase::kRunning) {
    lock.unlock();
    on_exit(error(Code::kNotFound, "task {} is not running", rec->id));
    return;
  }
  rec->on_exit = std::move(on_exit);
}

Status RuncExecutor::Core::signal(const RecordPtr& rec, int sig, bool stop) {
  {
    MutexLock lock(mu);
    if (rec->phase != TaskRecord::Phase::kRunning && rec->phase != TaskRecord::Phase::kCreated) {
      return Status::ok();
    }
    if (rec->exit) return Status::ok();
  }
  auto reply =
      monitor_request(rec->dir.string(), (stop ? "stop " : "signal ") + std::to_string(sig));
  if (!reply.is_ok()) {
    if (reply.status().code() == Code::kNotFound) return Status::ok();  // it has exited
    return error(Code::kInternal, "cannot signal task {}: {}", rec->id, reply.status().message());
  }
  if (!reply.value().starts_with("ok")) {
    return error(Code::kInternal, "cannot signal task {}: {}", rec->id, reply.value());
  }
  return Status::ok();
}

Status RuncExecutor::Core::remove(const RecordPtr& rec) {
  {
    MutexLock lock(mu);
    if (rec->phase == TaskRecord::Phase::kRunning && !rec->exit) {
      return error(Code::kFailedPrecondition, "task {} is still running", rec->id);
    }
  }
  if (auto live = monitor_request(rec->dir.string(), "status", std::chrono::seconds(5));
      live.is_ok()) {
    auto st = parse_status_line(live.value());
    if (st.is_ok() && st->state == MonitorStatus::State::kRunning) {
      return error(Code::kFailedPrecondition, "task {} is still running", rec->id);
    }
    if (st.is_ok() && st->state == MonitorStatus::State::kCreated) {
      monitor_request(rec->dir.string(), "signal 9", std::chrono::seconds(5));
    }
  }
  TaskMeta meta;
  {
    MutexLock lock(mu);
    meta = rec->meta;
    if (rec->health_timer != 0) loop.cancel_timer(rec->health_timer);
    if (rec->kill_timer != 0) loop.cancel_timer(rec->kill_timer);
    rec->health_timer = rec->kill_timer = 0;
  }
  bool has_meta = !meta.TaskID.empty();
  SHOAL_RETURN_IF_ERROR(cleanup(rec->id, rec->dir, has_meta ? &meta : nullptr));
  MutexLock lock(mu);
  rec->phase = TaskRecord::Phase::kNew;
  rec->exit.reset();
  rec->meta = TaskMeta{};
  auto it = tasks.find(rec->id);
  if (it != tasks.end() && it->second == rec) tasks.erase(it);
  return Status::ok();
}

Status RuncExecutor::Core::cleanup(const std::string& id, const fs::path& dir,
                                   const TaskMeta* meta) {
  if (fs::exists(runc_root / id)) {
    auto deleted = run(runtime_argv({"delete", "--force", id}), kRuntimeTimeout);
    if (!deleted.is_ok()) return deleted.status();
    if (deleted->exit_code != 0 && fs::exists(runc_root / id)) {
      return error(Code::kInternal, "runc delete {}: {}", id, deleted->output);
    }
  }
  remove_cgroups(id);
  SHOAL_RETURN_IF_ERROR(rootfs::unmount(dir / "secrets"));
  SHOAL_RETURN_IF_ERROR(rootfs::unmount_rootfs(dir));
  if (options.network != nullptr && (meta == nullptr || meta->NetworkAttached)) {
    SHOAL_RETURN_IF_ERROR(options.network->detach(id));
  }
  std::error_code ec;
  if (meta != nullptr) {
    for (const std::string& name : meta->AnonymousVolumes) fs::remove_all(volumes / name, ec);
  }
  fs::remove_all(dir, ec);
  if (ec) return error(Code::kInternal, "cannot remove {}: {}", dir.string(), ec.message());
  return Status::ok();
}

}  // namespace shoal::runtime
