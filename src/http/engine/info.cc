#include "http/engine/info.h"

#include <sys/utsname.h>

#include <filesystem>
#include <fstream>
#include <string_view>

#include "api/codec.h"

namespace shoal::http::engine {
namespace {

// The value of KEY="value" or KEY=value in an os-release file.
std::string os_release_value(const std::string& text, std::string_view key) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line(text.data() + pos, (end == std::string::npos ? text.size() : end) - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != '=') continue;
    std::string_view value = line.substr(key.size() + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return "";
}

std::string read_file(const char* path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

nlohmann::ordered_json commit() { return {{"ID", ""}, {"Expected", ""}}; }

}  // namespace

void read_host_facts(HostFacts& facts) {
  utsname uts{};
  if (uname(&uts) == 0) {
    facts.kernel_version = uts.release;
    facts.architecture = uts.machine;
    if (facts.name.empty()) facts.name = uts.nodename;
  }
  std::string os_release = read_file("/etc/os-release");
  facts.operating_system = os_release_value(os_release, "PRETTY_NAME");
  facts.os_version = os_release_value(os_release, "VERSION_ID");
  std::error_code ec;
  facts.cgroup_version =
      std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers", ec) ? "2" : "1";
  facts.ipv4_forwarding = read_file("/proc/sys/net/ipv4/ip_forward").starts_with("1");
}

nlohmann::ordered_json info_body(const HostFacts& f, const api::Info& swarm) {
  using J = nlohmann::ordered_json;
  J body;
  body["ID"] = f.id;
  body["Containers"] = f.containers;
  body["ContainersRunning"] = f.containers_running;
  body["ContainersPaused"] = 0;
  body["ContainersStopped"] = f.containers_stopped;
  body["Images"] = 0;
  body["Driver"] = "overlay2";
  body["DriverStatus"] = J::array();
  body["Plugins"] = {{"Volume", J::array({"local"})},
                     {"Network", J::array({"overlay"})},
                     {"Authorization", nullptr},
                     {"Log", J::array({"json-file"})}};
  // Capabilities the CLI warns about when false (API < 1.42). shoal runs containers with
  // runc on cgroups, and its networking does not rely on br_netfilter, so the bridge-nf
  // warnings would be misleading.
  for (const char* flag : {"MemoryLimit", "SwapLimit"}) body[flag] = true;
  body["KernelMemory"] = false;
  body["KernelMemoryTCP"] = false;
  for (const char* flag : {"CpuCfsPeriod", "CpuCfsQuota", "CPUShares", "CPUSet", "PidsLimit"}) {
    body[flag] = true;
  }
  body["IPv4Forwarding"] = f.ipv4_forwarding;
  body["BridgeNfIptables"] = true;
  body["BridgeNfIp6tables"] = true;
  body["Debug"] = false;
  body["NFd"] = 0;
  body["OomKillDisable"] = f.cgroup_version != "2";
  body["NGoroutines"] = 0;
  body["SystemTime"] = format_rfc3339_nano(f.now);
  body["LoggingDriver"] = "json-file";
  body["CgroupDriver"] = "cgroupfs";
  body["CgroupVersion"] = f.cgroup_version;
  body["NEventsListener"] = 0;
  body["KernelVersion"] = f.kernel_version;
  body["OperatingSystem"] = f.operating_system;
  body["OSVersion"] = f.os_version;
  body["OSType"] = "linux";
  body["Architecture"] = f.architecture;
  body["IndexServerAddress"] = "https://index.docker.io/v1/";
  body["RegistryConfig"] = {{"AllowNondistributableArtifactsCIDRs", J::array()},
                            {"AllowNondistributableArtifactsHostnames", J::array()},
                            {"InsecureRegistryCIDRs", J::array({"127.0.0.0/8"})},
                            {"IndexConfigs", J::object()},
                            {"Mirrors", J::array()}};
  body["NCPU"] = f.ncpu;
  body["MemTotal"] = f.mem_total;
  body["GenericResources"] = nullptr;
  body["DockerRootDir"] = f.root_dir;
  body["HttpProxy"] = "";
  body["HttpsProxy"] = "";
  body["NoProxy"] = "";
  body["Name"] = f.name;
  body["Labels"] = J::array();
  body["ExperimentalBuild"] = false;
  body["ServerVersion"] = f.server_version;
  body["Runtimes"] = {{"runc", {{"path", "runc"}}}};
  body["DefaultRuntime"] = "runc";
  body["Swarm"] = api::to_json(swarm);
  body["LiveRestoreEnabled"] = false;
  body["Isolation"] = "";
  body["InitBinary"] = "";
  body["ContainerdCommit"] = commit();
  body["RuncCommit"] = commit();
  body["InitCommit"] = commit();
  body["SecurityOptions"] = J::array();
  body["Warnings"] = nullptr;
  return body;
}

}  // namespace shoal::http::engine
