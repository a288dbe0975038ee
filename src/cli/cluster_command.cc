// `shoal cluster create|ls|rm|env`: whole clusters of machines from a provider (netns: each
// machine a network namespace on this host running its own `shoal daemon`). create makes
// the machines, inits the swarm on the first and joins the others as workers; a failure
// part-way removes everything it made. rm removes everything the cluster's state records,
// also after a crash.
#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "cli/cluster_support.h"
#include "cli/commands.h"
#include "provider/names.h"

namespace shoal::cli {
namespace {

namespace fs = std::filesystem;

struct ClusterFlags {
  std::string state_dir = kDefaultClustersDir;
  std::string name;
  std::string provider = "netns";
  int nodes = 3;
  std::string executor = "runc";
};

// Removes the cluster's host objects and then its directory.
Status remove_cluster(provider::NetnsProvider& provider, provider::ClusterState& state) {
  SHOAL_RETURN_IF_ERROR(provider.destroy(state));
  std::error_code ec;
  fs::remove_all(provider.cluster_dir(state.name), ec);
  if (ec)
    return error(Code::kInternal, "remove {}: {}", provider.cluster_dir(state.name), ec.message());
  return Status::ok();
}

Status create(const ClusterFlags& flags, provider::NetnsProvider& provider,
              provider::ClusterState& state) {
  SHOAL_RETURN_IF_ERROR(provider.bootstrap(state));
  provider::Constraints c;
  c.count = flags.nodes;
  c.executor = flags.executor;
  SHOAL_ASSIGN_OR_RETURN(auto started, provider.start_instances(state, c));
  state.machines.front().role = "manager";
  SHOAL_RETURN_IF_ERROR(provider::save_state(provider.cluster_dir(state.name), state));
  SHOAL_RETURN_IF_ERROR(init_swarm(state.machines.front()));
  for (size_t i = 1; i < state.machines.size(); ++i) {
    SHOAL_RETURN_IF_ERROR(join_as_worker(state.machines.front(), state.machines[i]));
    state.machines[i].role = "worker";
    SHOAL_RETURN_IF_ERROR(provider::save_state(provider.cluster_dir(state.name), state));
  }
  return Status::ok();
}

int run_create(const ClusterFlags& flags) {
  if (Status st = provider::validate_name("cluster", flags.name); !st.is_ok())
    return command_failed("cluster", "create", st);
  if (flags.provider != "netns") {
    return command_failed(
        "cluster", "create",
        error(Code::kInvalidArgument, "--provider: unknown provider \"{}\" (known: netns)",
              flags.provider));
  }
  if (flags.nodes < 1 || flags.nodes > 250) {
    return command_failed(
        "cluster", "create",
        error(Code::kInvalidArgument, "--nodes must be between 1 and 250, not {}", flags.nodes));
  }
  if (flags.executor != "runc" && flags.executor != "hollow") {
    return command_failed(
        "cluster", "create",
        error(Code::kInvalidArgument, "--executor: unknown executor \"{}\" (known: runc, hollow)",
              flags.executor));
  }
  auto provider = make_netns_provider(flags.state_dir);
  if (provider::load_state(provider->cluster_dir(flags.name)).is_ok()) {
    return command_failed(
        "cluster", "create",
        error(Code::kAlreadyExists, "cluster {} exists (remove it with: shoal cluster rm {})",
              flags.name, flags.name));
  }
  provider::ClusterState state;
  state.name = flags.name;
  state.provider = flags.provider;
  state.executor = flags.executor;
  if (Status st = create(flags, *provider, state); !st.is_ok()) {
    fmt::print(stderr, "shoal cluster create: {}\n", st.message());
    Status undone = remove_cluster(*provider, state);
    if (!undone.is_ok()) {
      fmt::print(
          stderr,
          "shoal cluster create: could not remove what was made ({}); run: shoal cluster rm {}\n",
          undone.message(), flags.name);
    }
    return 1;
  }
  auto instances = provider->instances(state);
  fmt::print("Cluster {}: {} machine(s) on {} (bridge {})\n", state.name, state.machines.size(),
             state.subnet, state.bridge);
  if (instances.is_ok()) print_machines(state, *instances);
  fmt::print("\nTo use it: export DOCKER_HOST=unix://{}\n", state.machines.front().socket);
  return 0;
}

int run_ls(const ClusterFlags& flags) {
  fmt::print("{:<16} {:<9} {:<9} {:<16} {}\n", "NAME", "PROVIDER", "MACHINES", "SUBNET",
             "DOCKER_HOST");
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(flags.state_dir, ec)) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    auto state = provider::load_state(dir.string());
    if (!state.is_ok()) continue;
    auto manager = manager_of(*state);
    fmt::print("{:<16} {:<9} {:<9} {:<16} {}\n", state->name, state->provider,
               state->machines.size(), state->subnet,
               manager.is_ok() ? "unix://" + manager->socket : "");
  }
  return 0;
}

int run_rm(const ClusterFlags& flags) {
  auto open = open_cluster(flags.state_dir, flags.name);
  if (!open.is_ok()) return command_failed("cluster", "rm", open.status());
  if (Status st = remove_cluster(*open->provider, open->state); !st.is_ok())
    return command_failed("cluster", "rm", st);
  fmt::print("Removed cluster {}\n", flags.name);
  return 0;
}

int run_env(const ClusterFlags& flags) {
  auto open = open_cluster(flags.state_dir, flags.name);
  if (!open.is_ok()) return command_failed("cluster", "env", open.status());
  auto manager = manager_of(open->state);
  if (!manager.is_ok()) return command_failed("cluster", "env", manager.status());
  fmt::print("export DOCKER_HOST=unix://{}\n", manager->socket);
  return 0;
}

}  // namespace

void add_cluster_command(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ClusterFlags>();
  CLI::App* cmd = app.add_subcommand("cluster", "Clusters of machines made by a provider");
  cmd->require_subcommand(1);
  add_state_dir_option(*cmd, flags->state_dir);

  CLI::App* create =
      cmd->add_subcommand("create", "Make machines, init a swarm on the first, join the rest");
  create->add_option("name", flags->name, "Cluster name (a-z, 0-9, -)")->required();
  create->add_option("--provider", flags->provider, "Machine provider")->capture_default_str();
  create->add_option("--nodes", flags->nodes, "Number of machines")->capture_default_str();
  create->add_option("--executor", flags->executor, "Each daemon's executor (runc|hollow)")
      ->capture_default_str();
  create->callback([flags, exit_code] { *exit_code = run_create(*flags); });

  CLI::App* ls = cmd->add_subcommand("ls", "List clusters");
  ls->callback([flags, exit_code] { *exit_code = run_ls(*flags); });

  CLI::App* rm = cmd->add_subcommand("rm", "Remove a cluster and everything made for it");
  rm->add_option("name", flags->name, "Cluster name")->required();
  rm->callback([flags, exit_code] { *exit_code = run_rm(*flags); });

  CLI::App* env = cmd->add_subcommand("env", "Print the DOCKER_HOST of a cluster's manager");
  env->add_option("name", flags->name, "Cluster name")->required();
  env->callback([flags, exit_code] { *exit_code = run_env(*flags); });
  for (CLI::App* sub : {create, ls, rm, env}) sub->fallthrough();  // --state-dir after the verb
}

}  // namespace shoal::cli
