// `shoal daemon`: the node process in the foreground. Logs go to stderr; SIGTERM or SIGINT
// stops it cleanly (exit 0); a failure to start exits 1 with the reason on stderr.
#include <pthread.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "common/go_duration.h"
#include "daemon/daemon.h"
#include "daemon/grpc_transport.h"

namespace shoal::cli {
namespace {

struct DaemonFlags {
  DaemonFlags() { daemon.executor = "runc"; }  // the command's default: real containers
  daemon::DaemonOptions daemon;
  std::string log_level = "info";
};

// A non-negative duration in Go's syntax ("30s", "2m", "1h30m", "0"), rounded to whole
// milliseconds; a positive one shorter than 1 ms counts as 1 ms (0 disables a timeout).
Result<std::chrono::milliseconds> parse_timeout(const std::string& text) {
  SHOAL_ASSIGN_OR_RETURN(std::chrono::nanoseconds d, parse_go_duration(text));
  if (d.count() < 0) return error(Code::kInvalidArgument, "negative duration {}", text);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d);
  if (ms.count() == 0 && d.count() > 0) ms = std::chrono::milliseconds(1);
  return ms;
}

// --<name> DURATION, stored in `*target`.
void add_timeout_flag(CLI::App* cmd, const std::string& name, std::chrono::milliseconds* target,
                      const std::string& description) {
  std::string default_text = target->count() % 1000 == 0
                                 ? std::to_string(target->count() / 1000) + "s"
                                 : std::to_string(target->count()) + "ms";
  cmd->add_option_function<std::string>(
         name, [target](const std::string& text) { *target = parse_timeout(text).value(); },
         description)
      ->type_name("DURATION")
      ->default_str(default_text)
      ->check(CLI::Validator(
          [](std::string& text) {
            Result<std::chrono::milliseconds> d = parse_timeout(text);
            return d.is_ok() ? std::string() : d.status().message();
          },
          "DURATION"));
}

int run_daemon(const DaemonFlags& flags) {
  auto logger = spdlog::stderr_color_mt("shoal");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(flags.log_level));

  // Signals are taken synchronously by this thread (sigwait) rather than in a handler:
  // block them before any thread starts, so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that goes away is an error code, not a death
  // Everything shoal and its children (shoal-monitor, runc) create is private unless a mode is
  // set on purpose (fchmod/chmod): the files that containers read, image layers. runc itself
  // runs with 022 at create time (see src/monitor/monitor.cc).
  ::umask(077);

  daemon::DaemonOptions options = flags.daemon;
  options.transport = daemon::make_grpc_transport();
  auto started = daemon::Daemon::start(options);
  if (!started.is_ok()) {
    spdlog::error("shoal daemon: {}", started.status().message());
    return 1;
  }
  std::unique_ptr<daemon::Daemon> d = std::move(started).value();

  int sig = 0;
  while (sigwait(&stop_signals, &sig) != 0) {
  }
  spdlog::info("received {}, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  d->stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

void add_daemon_command(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<DaemonFlags>();
  CLI::App* cmd = app.add_subcommand(
      "daemon",
      "Run the shoal node process in the foreground (Docker Engine API on a unix socket)");
  cmd->add_option("--data-dir", flags->daemon.data_dir, "Directory for shoal's state")
      ->capture_default_str();
  cmd->add_option("--socket", flags->daemon.socket_path,
                  "Unix socket for the Docker-compatible API (DOCKER_HOST=unix://PATH)")
      ->capture_default_str();
  cmd->add_option("--executor", flags->daemon.executor,
                  "What runs tasks: runc (containers through an OCI runtime) or hollow (no "
                  "containers; tasks walk their lifecycle at once)")
      ->check(CLI::IsMember({"runc", "hollow"}))
      ->capture_default_str();
  cmd->add_option("--oci-runtime", flags->daemon.oci_runtime,
                  "The OCI runtime of the runc executor: runc, crun, or a path")
      ->capture_default_str();
  cmd->add_option("--monitor", flags->daemon.monitor_binary,
                  "The shoal-monitor binary (default: next to this binary)");
  cmd->add_option("--insecure-registry", flags->daemon.insecure_registries,
                  "A registry (host or host:port) to pull from over plain http; repeatable "
                  "(localhost and 127.0.0.0/8 always are)");
  cmd->add_option("--listen-addr", flags->daemon.listen_addr,
                  "ADDR:PORT where a manager serves other nodes (joins, agents) when `docker "
                  "swarm init` gives none of its own (default 0.0.0.0:2377)");
  cmd->add_option("--advertise-addr", flags->daemon.advertise_addr,
                  "IP (or interface) this node advertises to the others when `docker swarm "
                  "init|join` gives none (default: the address of the default route)");
  cmd->add_option("--max-replicas", flags->daemon.limits.max_replicas,
                  "The most replicas (or job MaxConcurrent/TotalCompletions) a service may ask "
                  "for; a larger count is refused with 400")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--etcd-endpoints", flags->daemon.etcd_endpoints,
                  "Keep the store in this etcd cluster instead of the embedded SQLite: its "
                  "client endpoints, host:port (comma-separated or repeated)")
      ->delimiter(',');
  cmd->add_option("--etcd-cafile", flags->daemon.etcd_ca_file,
                  "TLS to etcd: the CA certificate (PEM) its members' certificates chain to");
  cmd->add_option("--etcd-certfile", flags->daemon.etcd_cert_file,
                  "TLS to etcd: this client's certificate (PEM)");
  cmd->add_option("--etcd-keyfile", flags->daemon.etcd_key_file,
                  "TLS to etcd: this client's private key (PEM)");
  http::ConnectionLimits& limits = flags->daemon.http_limits;
  add_timeout_flag(cmd, "--http-header-timeout", &limits.header_timeout,
                   "API connections: time for a request head to arrive whole (from accept, or "
                   "from the first byte on a kept-alive connection); 0 disables");
  add_timeout_flag(cmd, "--http-idle-timeout", &limits.idle_timeout,
                   "API connections: how long a kept-alive connection may wait for its next "
                   "request; 0 disables");
  add_timeout_flag(cmd, "--http-body-timeout", &limits.body_timeout,
                   "API connections: how long a request body may go without a byte arriving; "
                   "0 disables");
  cmd->add_option("--http-max-connections", limits.max_connections,
                  "Open API connections per listener; past it new ones are answered 503 and "
                  "closed (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--log-level", flags->log_level, "Log level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  cmd->callback([flags, exit_code] { *exit_code = run_daemon(*flags); });
}

}  // namespace shoal::cli
