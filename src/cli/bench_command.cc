// `shoal bench`: benchmarks that run inside the shoal binary. `shoal bench scale` drives an
// in-process manager with a hollow fleet (src/scale/scale_run.h) and prints progress every
// second, then the summary. Exit 0 when the run completed, 1 with the reason on stderr.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "scale/scale_run.h"

namespace shoal::cli {
namespace {

struct ScaleFlags {
  scale::ScaleOptions options;
  std::string log_level = "warn";
};

int run_scale(const ScaleFlags& flags) {
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  auto print = [](const std::string& line) {
    std::fputs(line.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  };
  auto report = scale::run_scale(flags.options, print);
  if (!report.is_ok()) {
    std::fprintf(stderr, "shoal bench scale: %s\n", report.status().message().c_str());
    return 1;
  }
  for (const std::string& line : scale::summary_lines(*report)) print(line);
  return 0;
}

void add_scale(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<ScaleFlags>();
  scale::ScaleOptions& o = flags->options;
  CLI::App* cmd = bench.add_subcommand(
      "scale",
      "The control plane at scale: an in-process manager on a temporary data dir (SQLite) "
      "and N hollow agents until every task runs, then service rm");
  cmd->add_option("--nodes", o.nodes, "Hollow nodes (agents)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--tasks", o.tasks, "Replicas in total")->capture_default_str();
  cmd->add_option("--services", o.services, "Replicated services sharing the replicas")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--transport", o.transport,
                  "Agent-dispatcher transport: local (in process) or grpc (gRPC with mutual "
                  "TLS over 127.0.0.1, a certificate per node)")
      ->capture_default_str();
  cmd->add_option("--data-dir", o.data_dir,
                  "Manager data dir, absent or empty, kept afterwards (default: a temporary "
                  "dir, removed)");
  cmd->add_option("--fleet-threads", o.fleet_threads, "Threads serving the hollow agents")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--log-level", flags->log_level, "Log level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  cmd->callback([flags, exit_code] { *exit_code = run_scale(*flags); });
}

}  // namespace

void add_bench_command(CLI::App& app, int* exit_code) {
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks of shoal itself");
  bench->require_subcommand(1);
  add_scale(*bench, exit_code);
}

}  // namespace shoal::cli
