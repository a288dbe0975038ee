#include "cli/cluster_support.h"

#include <fmt/format.h>

#include <filesystem>

#include "cli/engine_client.h"
#include "provider/names.h"

namespace shoal::cli {

int command_failed(std::string_view group, std::string_view command, const Status& st) {
  fmt::print(stderr, "shoal {} {}: {}\n", group, command, st.message());
  return 1;
}

using nlohmann::json;

void add_state_dir_option(CLI::App& cmd, std::string& dir) {
  cmd.add_option("--state-dir", dir, "Where cluster states are kept")
      ->capture_default_str()
      ->envname("SHOAL_CLUSTERS_DIR");
}

std::unique_ptr<provider::NetnsProvider> make_netns_provider(const std::string& clusters_dir) {
  provider::NetnsOptions options;
  options.clusters_dir = clusters_dir;
  std::error_code ec;
  options.shoal_binary = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  return std::make_unique<provider::NetnsProvider>(std::move(options));
}

Result<OpenCluster> open_cluster(const std::string& clusters_dir, const std::string& name) {
  SHOAL_RETURN_IF_ERROR(provider::validate_name("cluster", name));
  auto state = provider::load_state(clusters_dir + "/" + name);
  if (!state.is_ok()) {
    if (state.status().code() == Code::kNotFound) {
      return error(Code::kNotFound, "no cluster {} (in {}; see shoal cluster ls)", name,
                   clusters_dir);
    }
    return state.status();
  }
  if (state->provider != "netns") {
    return error(Code::kFailedPrecondition,
                 "cluster {} was made by provider \"{}\", which this shoal does not have", name,
                 state->provider);
  }
  return OpenCluster{std::move(*state), make_netns_provider(clusters_dir)};
}

Result<provider::MachineState> manager_of(const provider::ClusterState& state) {
  for (const auto& m : state.machines) {
    if (m.role == "manager") return m;
  }
  return error(Code::kFailedPrecondition, "cluster {} has no manager machine", state.name);
}

Status init_swarm(const provider::MachineState& machine) {
  json body{{"ListenAddr", fmt::format("{}:{}", machine.ip, provider::kSwarmPort)},
            {"AdvertiseAddr", machine.ip},
            {"Spec", json::object()}};
  auto r = engine_call(machine.socket, "POST", "/swarm/init", body);
  if (!r.is_ok())
    return error(r.status().code(), "swarm init on {}: {}", machine.name, r.status().message());
  return Status::ok();
}

Status join_as_worker(const provider::MachineState& manager,
                      const provider::MachineState& machine) {
  SHOAL_ASSIGN_OR_RETURN(json swarm, engine_call(manager.socket, "GET", "/swarm"));
  std::string token = swarm.value("JoinTokens", json::object()).value("Worker", "");
  if (token.empty())
    return error(Code::kInternal, "the manager {} answered no worker token", manager.name);
  json body{{"ListenAddr", fmt::format("{}:{}", machine.ip, provider::kSwarmPort)},
            {"AdvertiseAddr", machine.ip},
            {"RemoteAddrs", {fmt::format("{}:{}", manager.ip, provider::kSwarmPort)}},
            {"JoinToken", token}};
  auto r = engine_call(machine.socket, "POST", "/swarm/join", body);
  if (!r.is_ok())
    return error(r.status().code(), "swarm join of {}: {}", machine.name, r.status().message());
  return Status::ok();
}

Status remove_node(const provider::ClusterState& state, const std::string& machine) {
  SHOAL_ASSIGN_OR_RETURN(provider::MachineState manager, manager_of(state));
  SHOAL_ASSIGN_OR_RETURN(json nodes, engine_call(manager.socket, "GET", "/nodes"));
  std::string hostname = state.name + "-" + machine;
  for (const auto& node : nodes) {
    if (node.value("Description", json::object()).value("Hostname", "") != hostname) continue;
    std::string id = node.value("ID", "");
    auto r = engine_call(manager.socket, "DELETE", "/nodes/" + id + "?force=1");
    if (!r.is_ok() && r.status().code() != Code::kNotFound) {
      return error(r.status().code(), "node rm {} ({}): {}", id, machine, r.status().message());
    }
  }
  return Status::ok();
}

void print_machines(const provider::ClusterState& state,
                    const std::vector<provider::Instance>& instances) {
  fmt::print("{:<10} {:<8} {:<15} {:<8} {}\n", "MACHINE", "ROLE", "IP", "STATE", "DOCKER_HOST");
  for (const auto& in : instances) {
    std::string role;
    for (const auto& m : state.machines) {
      if (m.name == in.id) role = m.role;
    }
    const char* st = in.state == provider::InstanceState::kRunning ? "running" : "stopped";
    fmt::print("{:<10} {:<8} {:<15} {:<8} {}\n", in.id, role, in.address, st, in.docker_host);
  }
}

}  // namespace shoal::cli
