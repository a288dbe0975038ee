// `shoal ps`: the containers of this node's daemon (GET /shoal/containers over its socket):
// task ID, service, image, state, pid.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "runtime/image/http_fetch.h"

namespace shoal::cli {
namespace {

struct PsFlags {
  std::string socket = "/run/shoal/shoal.sock";
  bool no_trunc = false;
  bool quiet = false;
};

int run_ps(const PsFlags& flags) {
  runtime::image::HttpRequest req;
  req.unix_socket = flags.socket.starts_with("unix://") ? flags.socket.substr(7) : flags.socket;
  req.url = "http://localhost/shoal/containers";
  auto r = runtime::image::http_fetch(req);
  if (!r.is_ok()) {
    fmt::print(stderr, "Cannot connect to the shoal daemon at unix://{}. Is the daemon running?\n",
               req.unix_socket);
    return 1;
  }
  nlohmann::json list = nlohmann::json::parse(r->body, nullptr, false);
  if (r->status != 200 || !list.is_array()) {
    fmt::print(stderr, "Error response from daemon: {}\n", r->body);
    return 1;
  }
  if (!flags.quiet)
    fmt::print("{:<26} {:<27} {:<31} {:<10} {}\n", "TASK ID", "SERVICE", "IMAGE", "STATE", "PID");
  for (const auto& c : list) {
    std::string id = c.value("TaskID", "");
    if (flags.quiet) {
      fmt::print("{}\n", id);
      continue;
    }
    std::string service = c.value("ServiceName", "");
    if (service.empty()) service = c.value("ServiceID", "");
    if (!service.empty() && c.value("Slot", 0) > 0)
      service += "." + std::to_string(c.value("Slot", 0));
    std::string image = c.value("Image", "");
    if (!flags.no_trunc) {
      if (size_t at = image.find('@'); at != std::string::npos) image.resize(at);
    }
    std::string state = c.value("State", "");
    if (c.contains("ExitCode")) state += fmt::format(" ({})", c["ExitCode"].get<int64_t>());
    int64_t pid = c.value("PID", int64_t{0});
    fmt::print("{:<26} {:<27} {:<31} {:<10} {}\n", id, service, image, state,
               pid > 0 ? std::to_string(pid) : "-");
  }
  return 0;
}

}  // namespace

void add_ps_command(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<PsFlags>();
  CLI::App* cmd = app.add_subcommand("ps", "List the containers this node's daemon runs");
  cmd->add_option("-H,--socket", flags->socket, "The daemon's socket (PATH or unix://PATH)")
      ->capture_default_str();
  cmd->add_flag("--no-trunc", flags->no_trunc, "Show image references in full");
  cmd->add_flag("-q,--quiet", flags->quiet, "Only task IDs");
  cmd->callback([flags, exit_code] { *exit_code = run_ps(*flags); });
}

}  // namespace shoal::cli
