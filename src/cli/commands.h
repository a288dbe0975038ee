// The shoal binary's subcommands: one file per subcommand, each adding itself to the app.
//
// A subcommand's add_* function registers its options and a callback; the callback stores
// the process exit code in `*exit_code` (CLI11 callbacks return nothing).
#pragma once

#include <CLI/CLI.hpp>

namespace shoal::cli {

// `shoal daemon`: runs the node process in the foreground until SIGTERM/SIGINT.
void add_daemon_command(CLI::App& app, int* exit_code);
// `shoal ps`: the containers this node's daemon runs.
void add_ps_command(CLI::App& app, int* exit_code);
// `shoal image ls|pull|rm|load`: the daemon's images, over its socket.
void add_image_command(CLI::App& app, int* exit_code);
// `shoal bench scale`: the control plane at scale with a hollow fleet.
void add_bench_command(CLI::App& app, int* exit_code);
// `shoal cluster create|ls|rm|env`: clusters of machines made by a provider.
void add_cluster_command(CLI::App& app, int* exit_code);
// `shoal machine add|rm|ls|kill|start`: a cluster's machines.
void add_machine_command(CLI::App& app, int* exit_code);

}  // namespace shoal::cli
