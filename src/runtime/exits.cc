// The runc executor's event-loop side: exit reports from monitors, healthcheck probes and
// the stop of an unhealthy container. Everything here runs on the EventLoop thread except
// watch_exit() and arm_health(), which only register work with it.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "common/mutex.h"
#include "common/process.h"
#include "runtime/executor_core.h"
#include "runtime/exit_status.h"
#include "runtime/monitor_client.h"
#include "runtime/recovery.h"

namespace shoal::runtime {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kHealthPidFile = "health.pid";

// The container's exit as reported; its memory cgroup tells an OOM kill (exit_status.h).
agent::ExitStatus exit_status_of(const std::string& id, const monitor::ExitRecord& record,
                                 bool unhealthy) {
  return exit_status(record.code, unhealthy, record.code != 0 && oom_killed(id));
}

}  // namespace

void RuncExecutor::Core::watch_exit(const RecordPtr& rec) {
  uint64_t run;
  {
    MutexLock lock(mu);
    run = rec->run;
  }
  auto fd = connect_monitor(rec->dir.string());
  if (fd.is_ok()) {
    static constexpr std::string_view kWait = "wait\n";
    if (::send(fd.value(), kWait.data(), kWait.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(kWait.size())) {
      loop.post([this, rec, run, sock = fd.value()] {
        {
          MutexLock lock(mu);
          if (rec->run != run || rec->exit) {
            ::close(sock);
            return;
          }
          rec->wait_fd = sock;
          rec->wait_buf.clear();
        }
        Status added =
            loop.add_fd(sock, EPOLLIN, [this, rec, run](uint32_t) { on_wait_readable(rec, run); });
        if (!added.is_ok()) deliver_exit(rec, run, added);
      });
      return;
    }
    ::close(fd.value());
  }
  // No monitor to ask: it has finished (exit file) or died.
  auto record = read_exit_file(rec->dir.string());
  loop.post([this, rec, run, record] {
    bool unhealthy;
    {
      MutexLock lock(mu);
      unhealthy = rec->unhealthy;
    }
    if (record) {
      deliver_exit(rec, run, exit_status_of(rec->id, *record, unhealthy));
    } else {
      deliver_exit(rec, run, agent::ExitStatus{255, std::string(kLostError)});
    }
  });
}

void RuncExecutor::Core::on_wait_readable(const RecordPtr& rec, uint64_t run) {
  int fd;
  {
    MutexLock lock(mu);
    if (rec->run != run) return;
    fd = rec->wait_fd;
  }
  if (fd < 0) return;
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  std::optional<monitor::ExitRecord> record;
  bool unhealthy;
  {
    MutexLock lock(mu);
    unhealthy = rec->unhealthy;
    if (n > 0) {
      rec->wait_buf.append(buf, static_cast<size_t>(n));
      size_t nl = rec->wait_buf.find('\n');
      if (nl == std::string::npos) return;
      auto status = parse_status_line(rec->wait_buf.substr(0, nl));
      if (status.is_ok() && status->state == MonitorStatus::State::kExited) record = status->exit;
    }
  }
  // A report, or the monitor went away: its exit file has the last word.
  if (!record) record = read_exit_file(rec->dir.string());
  if (record) {
    deliver_exit(rec, run, exit_status_of(rec->id, *record, unhealthy));
  } else {
    deliver_exit(rec, run, agent::ExitStatus{255, std::string(kLostError)});
  }
}

void RuncExecutor::Core::deliver_exit(const RecordPtr& rec, uint64_t run,
                                      Result<agent::ExitStatus> exit) {
  agent::ExitCallback callback;
  int fd = -1;
  bool attached = false;
  {
    MutexLock lock(mu);
    if (rec->run != run || rec->exit) return;
    attached = rec->meta.NetworkAttached;
    rec->exit = exit.is_ok() ? exit.value() : agent::ExitStatus{255, exit.status().message()};
    rec->phase = TaskRecord::Phase::kExited;
    fd = std::exchange(rec->wait_fd, -1);
    for (EventLoop::TimerId* t : {&rec->health_timer, &rec->probe_timeout, &rec->kill_timer}) {
      if (*t != 0) loop.cancel_timer(*t);
      *t = 0;
    }
    callback = std::move(rec->on_exit);
    rec->on_exit = nullptr;
  }
  if (fd >= 0) {
    loop.remove_fd(fd);
    ::close(fd);
  }
  spdlog::debug("task {}: exited with {}", rec->id, exit.is_ok() ? exit->ExitCode : -1);
  // A stopped container's network goes with it, before the exit is reported (Docker
  // releases a stopped container's sandbox too): its host ports are free by the time the
  // orchestrator hears of the exit, so a stop-first update's new task can publish them on
  // this node. remove() detaches again (idempotent), also when this fails.
  if (attached && options.network != nullptr) {
    if (Status st = options.network->detach(rec->id); !st.is_ok()) {
      spdlog::warn("task {}: releasing its network after the exit: {}", rec->id, st.message());
    }
  }
  if (callback) callback(std::move(exit));
}

// ---- healthchecks ----

void RuncExecutor::Core::arm_health(const RecordPtr& rec) {
  MutexLock lock(mu);
  if (!rec->meta.Health || rec->exit) return;
  uint64_t run = rec->run;
  rec->health_timer = loop.add_timer(SteadyClock::now() + rec->meta.Health->interval,
                                     [this, rec, run] { probe(rec, run); });
}

void RuncExecutor::Core::probe(const RecordPtr& rec, uint64_t run) {
  std::vector<std::string> argv;
  {
    MutexLock lock(mu);
    rec->health_timer = 0;
    if (rec->run != run || rec->exit || !rec->meta.Health) return;
    std::vector<std::string> cmd = probe_argv(*rec->meta.Health);
    // runc exec gives the process the umask runc itself runs with (runc 1.1 ignores the
    // process spec's umask for exec), and the daemon runs under 077; Docker's exec'd
    // processes, like a container's first one, get 022. The host's sh sets it, then execs.
    argv = {"/bin/sh", "-c", "umask 022 && exec \"$@\"", "sh"};
    std::vector<std::string> exec =
        runtime_argv({"exec", "--pid-file", (rec->dir / kHealthPidFile).string(), rec->id});
    argv.insert(argv.end(), exec.begin(), exec.end());
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    if (cmd.empty()) argv = {"/bin/false"};
  }
  std::error_code ec;
  std::filesystem::remove(rec->dir / kHealthPidFile, ec);
  SpawnOptions spawn_options;
  spawn_options.argv = std::move(argv);
  auto pid = spawn(spawn_options);
  int pidfd = pid.is_ok() ? open_pidfd(pid.value()) : -1;
  MutexLock lock(mu);
  rec->probe_started = now();
  rec->probe_timed_out = false;
  if (!pid.is_ok() || pidfd < 0) {
    spdlog::warn("task {}: cannot run the healthcheck: {}", rec->id,
                 pid.is_ok() ? "no pidfd" : pid.status().message());
    if (pid.is_ok()) wait_exit_code(pid.value());
    rec->health_timer = loop.add_timer(SteadyClock::now() + rec->meta.Health->interval,
                                       [this, rec, run] { probe(rec, run); });
    return;
  }
  rec->probe_pid = pid.value();
  rec->probe_pidfd = pidfd;
  rec->probe_timeout = loop.add_timer(SteadyClock::now() + rec->meta.Health->timeout,
                                      [this, rec, run] { probe_expired(rec, run); });
  Status added = loop.add_fd(pidfd, EPOLLIN, [this, rec, run](uint32_t) { probe_done(rec, run); });
  if (!added.is_ok()) spdlog::warn("task {}: {}", rec->id, added.message());
}

void RuncExecutor::Core::probe_expired(const RecordPtr& rec, uint64_t run) {
  MutexLock lock(mu);
  rec->probe_timeout = 0;
  if (rec->run != run || rec->probe_pid < 0) return;
  rec->probe_timed_out = true;
  // runc exec does not pass SIGKILL on: kill the probe inside the container, then runc.
  std::ifstream in(rec->dir / kHealthPidFile);
  pid_t inner = 0;
  if (in >> inner && inner > 1) ::kill(inner, SIGKILL);
  ::kill(rec->probe_pid, SIGKILL);
}

void RuncExecutor::Core::probe_done(const RecordPtr& rec, uint64_t run) {
  pid_t pid;
  int pidfd;
  {
    MutexLock lock(mu);
    pid = std::exchange(rec->probe_pid, -1);
    pidfd = std::exchange(rec->probe_pidfd, -1);
    if (rec->probe_timeout != 0) loop.cancel_timer(rec->probe_timeout);
    rec->probe_timeout = 0;
  }
  if (pidfd >= 0) {
    loop.remove_fd(pidfd);
    ::close(pidfd);
  }
  if (pid < 0) return;
  int code = wait_exit_code(pid);
  bool stop = false;
  {
    MutexLock lock(mu);
    if (rec->run != run || rec->exit || !rec->meta.Health) return;
    bool passed = code == 0 && !rec->probe_timed_out;
    HealthStatus before = rec->health.status;
    rec->health =
        on_probe(rec->health, *rec->meta.Health, rec->started, rec->probe_started, passed);
    if (rec->health.status != before) {
      spdlog::info("task {}: health {} (probe exit {})", rec->id,
                   rec->health.status == HealthStatus::kHealthy ? "healthy" : "unhealthy", code);
    }
    if (rec->health.status == HealthStatus::kUnhealthy && !rec->unhealthy) {
      rec->unhealthy = true;
      stop = true;
    } else if (!rec->unhealthy) {
      rec->health_timer = loop.add_timer(SteadyClock::now() + rec->meta.Health->interval,
                                         [this, rec, run] { probe(rec, run); });
    }
  }
  if (stop) stop_unhealthy(rec, run);
}

// Docker stops an unhealthy task's container (stop signal, SIGKILL after the grace period);
// its exit then fails the task with "dockerexec: unhealthy container".
void RuncExecutor::Core::stop_unhealthy(const RecordPtr& rec, uint64_t run) {
  TaskMeta meta;
  {
    MutexLock lock(mu);
    meta = rec->meta;
  }
  if (Status st = signal(rec, stop_signal(meta), /*stop=*/true); !st.is_ok()) {
    spdlog::warn("task {}: {}", rec->id, st.message());
  }
  MutexLock lock(mu);
  if (rec->run != run || rec->exit) return;
  rec->kill_timer = loop.add_timer(SteadyClock::now() + stop_grace(rec), [this, rec, run] {
    {
      MutexLock lock(mu);
      rec->kill_timer = 0;
      if (rec->run != run || rec->exit) return;
    }
    if (Status st = signal(rec, SIGKILL); !st.is_ok())
      spdlog::warn("task {}: {}", rec->id, st.message());
  });
}

}  // namespace shoal::runtime
