// shoal: one binary, subcommands for the daemon and the tools around it.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "shoal/version.h"

int main(int argc, char** argv) {
  CLI::App app{"shoal: a container orchestrator driven by the docker CLI"};
  app.set_version_flag("--version", std::string("shoal version ") + shoal::kVersion);
  app.require_subcommand(0, 1);
  // Options from a file: a [daemon] section holds `shoal daemon`'s (packaging/shoal.conf).
  app.set_config("--config", "",
                 "A TOML file of options, one `long-name = value` per line under a section "
                 "named for the command ([daemon]); flags on the command line override it");
  int exit_code = 0;
  shoal::cli::add_daemon_command(app, &exit_code);
  shoal::cli::add_ps_command(app, &exit_code);
  shoal::cli::add_image_command(app, &exit_code);
  shoal::cli::add_bench_command(app, &exit_code);
  shoal::cli::add_cluster_command(app, &exit_code);
  shoal::cli::add_machine_command(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  if (app.get_subcommands().empty()) {
    std::fputs(app.help().c_str(), stdout);
  }
  return exit_code;
}
