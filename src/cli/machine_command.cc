// `shoal machine add|rm|ls|kill|start`: the machines of a cluster made by `shoal cluster
// create`. add joins new machines as workers; rm takes a machine's node out of the swarm
// (node rm --force on the manager) and removes everything made for it; kill is a power
// cut (daemon and containers die at once, the disk stays); start boots a killed machine.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "cli/cluster_support.h"
#include "cli/commands.h"

namespace shoal::cli {
namespace {

struct MachineFlags {
  std::string state_dir = kDefaultClustersDir;
  std::string cluster;
  std::vector<std::string> machines;
  int count = 1;
};

Status save(const OpenCluster& c) {
  return provider::save_state(c.provider->cluster_dir(c.state.name), c.state);
}

int run_add(const MachineFlags& flags) {
  if (flags.count < 1 || flags.count > 250) {
    return command_failed(
        "machine", "add",
        error(Code::kInvalidArgument, "--count must be between 1 and 250, not {}", flags.count));
  }
  auto c = open_cluster(flags.state_dir, flags.cluster);
  if (!c.is_ok()) return command_failed("machine", "add", c.status());
  auto manager = manager_of(c->state);
  if (!manager.is_ok()) return command_failed("machine", "add", manager.status());
  provider::Constraints constraints;
  constraints.count = flags.count;
  constraints.executor = c->state.executor;
  size_t before = c->state.machines.size();
  auto started = c->provider->start_instances(c->state, constraints);
  Status st = started.status();
  for (size_t i = before; st.is_ok() && i < c->state.machines.size(); ++i) {
    st = join_as_worker(*manager, c->state.machines[i]);
    if (st.is_ok()) {
      c->state.machines[i].role = "worker";
      st = save(*c);
    }
  }
  if (!st.is_ok()) {
    // Nothing half-made stays: the machines of this call go again.
    std::vector<std::string> made;
    for (size_t i = before; i < c->state.machines.size(); ++i)
      made.push_back(c->state.machines[i].name);
    for (const auto& m : made) (void)remove_node(c->state, m);
    Status undone = c->provider->stop_instances(c->state, made);
    fmt::print(stderr, "shoal machine add: {}\n", st.message());
    if (!undone.is_ok()) fmt::print(stderr, "shoal machine add: cleanup: {}\n", undone.message());
    return 1;
  }
  print_machines(c->state, *started);
  return 0;
}

int run_rm(const MachineFlags& flags) {
  auto c = open_cluster(flags.state_dir, flags.cluster);
  if (!c.is_ok()) return command_failed("machine", "rm", c.status());
  for (const auto& name : flags.machines) {
    bool known = false;
    for (const auto& m : c->state.machines) {
      if (m.name != name) continue;
      known = true;
      if (m.role == "manager") {
        return command_failed(
            "machine", "rm",
            error(Code::kFailedPrecondition,
                  "machine {} is the manager of cluster {}; remove the cluster instead "
                  "(shoal cluster rm {})",
                  name, flags.cluster, flags.cluster));
      }
    }
    if (!known)
      return command_failed(
          "machine", "rm",
          error(Code::kNotFound, "cluster {} has no machine {}", flags.cluster, name));
  }
  for (const auto& name : flags.machines) {
    if (Status st = remove_node(c->state, name); !st.is_ok())
      return command_failed("machine", "rm", st);
    if (Status st = c->provider->stop_instances(c->state, {name}); !st.is_ok())
      return command_failed("machine", "rm", st);
    fmt::print("{}\n", name);
  }
  return 0;
}

int run_ls(const MachineFlags& flags) {
  auto c = open_cluster(flags.state_dir, flags.cluster);
  if (!c.is_ok()) return command_failed("machine", "ls", c.status());
  auto instances = c->provider->instances(c->state);
  if (!instances.is_ok()) return command_failed("machine", "ls", instances.status());
  print_machines(c->state, *instances);
  return 0;
}

// Applies `step` (kill or start) to each named machine, printing each name when done.
int for_each_machine(const MachineFlags& flags, const char* verb,
                     Status (provider::NetnsProvider::*step)(provider::ClusterState&,
                                                             const std::string&)) {
  auto c = open_cluster(flags.state_dir, flags.cluster);
  if (!c.is_ok()) return command_failed("machine", verb, c.status());
  for (const auto& name : flags.machines) {
    if (Status st = (c->provider.get()->*step)(c->state, name); !st.is_ok())
      return command_failed("machine", verb, st);
    fmt::print("{}\n", name);
  }
  return 0;
}

}  // namespace

void add_machine_command(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<MachineFlags>();
  CLI::App* cmd = app.add_subcommand("machine", "The machines of a cluster");
  cmd->require_subcommand(1);
  add_state_dir_option(*cmd, flags->state_dir);

  CLI::App* add = cmd->add_subcommand("add", "Add machines to a cluster as workers");
  add->add_option("cluster", flags->cluster, "Cluster name")->required();
  add->add_option("--count", flags->count, "How many machines")->capture_default_str();
  add->callback([flags, exit_code] { *exit_code = run_add(*flags); });

  CLI::App* rm = cmd->add_subcommand("rm", "Remove machines (their nodes leave the swarm)");
  rm->add_option("cluster", flags->cluster, "Cluster name")->required();
  rm->add_option("machines", flags->machines, "Machine names")->required();
  rm->callback([flags, exit_code] { *exit_code = run_rm(*flags); });

  CLI::App* ls = cmd->add_subcommand("ls", "List a cluster's machines");
  ls->add_option("cluster", flags->cluster, "Cluster name")->required();
  ls->callback([flags, exit_code] { *exit_code = run_ls(*flags); });

  CLI::App* kill =
      cmd->add_subcommand("kill", "Cut a machine's power: its daemon and containers die");
  kill->add_option("cluster", flags->cluster, "Cluster name")->required();
  kill->add_option("machines", flags->machines, "Machine names")->required();
  kill->callback([flags, exit_code] {
    *exit_code = for_each_machine(*flags, "kill", &provider::NetnsProvider::kill_instance);
  });

  CLI::App* start = cmd->add_subcommand("start", "Boot a killed machine again");
  start->add_option("cluster", flags->cluster, "Cluster name")->required();
  start->add_option("machines", flags->machines, "Machine names")->required();
  start->callback([flags, exit_code] {
    *exit_code = for_each_machine(*flags, "start", &provider::NetnsProvider::restart_instance);
  });

  for (CLI::App* sub : {add, rm, ls, kill, start}) sub->fallthrough();
}

}  // namespace shoal::cli
