#include "http/engine/system.h"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "http/api_version.h"

#ifndef SHOAL_GIT_COMMIT
#define SHOAL_GIT_COMMIT "unknown"
#endif

namespace shoal::http::engine {
namespace {

// Go's GOARCH names, which the docker CLI prints as OS/Arch.
std::string go_arch(const char* machine) {
  std::string_view m = machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m == "i386" || m == "i686") return "386";
  if (m.starts_with("armv")) return "arm";
  return std::string(m);
}

// __DATE__ ("Nov 23 2025") and __TIME__ ("13:08:00") as RFC 3339, which the CLI reformats.
std::string build_time() {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const char* date = __DATE__;
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (std::strncmp(date, kMonths[i], 3) == 0) month = i + 1;
  }
  int day = std::atoi(date + 4);
  int year = std::atoi(date + 7);
  return fmt::format("{:04}-{:02}-{:02}T{}.000000000+00:00", year, month, day, __TIME__);
}

}  // namespace

nlohmann::json version_body(const SystemInfo& info) {
  utsname uts{};
  uname(&uts);
  std::string arch = go_arch(uts.machine);
  std::string compiler = std::string("g++ ") + __VERSION__;
  std::string built = build_time();
  nlohmann::json details = {
      {"ApiVersion", kApiVersion},
      {"Arch", arch},
      {"BuildTime", built},
      {"Experimental", "false"},
      {"GitCommit", SHOAL_GIT_COMMIT},
      {"GoVersion", compiler},
      {"KernelVersion", uts.release},
      {"MinAPIVersion", kMinApiVersion},
      {"Os", "linux"},
  };
  return {
      {"Platform", {{"Name", "shoal"}}},
      {"Components", nlohmann::json::array(
                         {{{"Name", "Engine"}, {"Version", info.version}, {"Details", details}}})},
      {"Version", info.version},
      {"ApiVersion", kApiVersion},
      {"MinAPIVersion", kMinApiVersion},
      {"GitCommit", SHOAL_GIT_COMMIT},
      {"GoVersion", compiler},
      {"Os", "linux"},
      {"Arch", arch},
      {"KernelVersion", uts.release},
      {"BuildTime", built},
  };
}

Status register_system_routes(Router& router, SystemInfo info) {
  auto swarm = info.swarm_state;
  auto ping = [swarm](Request& req) -> Result<Response> {
    Response r = req.method == Method::kHead ? Response::empty(200) : Response::text(200, "OK");
    r.headers.set("Cache-Control", "no-cache, no-store, must-revalidate");
    r.headers.set("Pragma", "no-cache");
    r.headers.set("Swarm", swarm ? swarm() : "inactive");
    if (req.method == Method::kHead) {
      r.headers.set("Content-Type", "text/plain; charset=utf-8");
      r.headers.set("Content-Length", "0");
    }
    return r;
  };
  SHOAL_RETURN_IF_ERROR(router.add(Method::kGet, "/_ping", ping));
  SHOAL_RETURN_IF_ERROR(router.add(Method::kHead, "/_ping", ping));
  SHOAL_RETURN_IF_ERROR(router.add(Method::kGet, "/version", [info](Request&) -> Result<Response> {
    return Response::json(200, version_body(info));
  }));
  return Status::ok();
}

}  // namespace shoal::http::engine
