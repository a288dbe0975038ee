// The container a task runs (moby api/types/swarm container.go): ContainerSpec and what it
// uses: DNSConfig, Privileges (CredentialSpec, SELinuxContext), HealthConfig (from
// api/types/container), Ulimit (go-units) and Isolation. Mounts are in mount.h, secret and
// config references in secret.h and config.h.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/common.h"
#include "api/config.h"
#include "api/enum.h"
#include "api/mount.h"
#include "api/secret.h"

namespace shoal::api {

// Windows isolation technology; Linux uses kUnset or kDefault.
enum class Isolation : uint8_t { kUnset, kDefault, kProcess, kHyperV };
template <>
struct EnumNames<Isolation> {
  static constexpr std::array<std::string_view, 4> kNames{"", "default", "process", "hyperv"};
};

// resolv.conf of the container.
struct DNSConfig {
  std::vector<std::string> Nameservers;
  std::vector<std::string> Search;
  std::vector<std::string> Options;
};

struct SELinuxContext {
  bool Disable = false;
  std::string User;
  std::string Role;
  std::string Type;
  std::string Level;
};

// Windows credential spec; one of Config ("config://<id>"), File or Registry.
struct CredentialSpec {
  std::string Config;
  std::string File;
  std::string Registry;
};

struct Privileges {
  std::optional<api::CredentialSpec> CredentialSpec;
  std::optional<api::SELinuxContext> SELinuxContext;
};

// Container healthcheck. Test: {} inherit, {"NONE"} disable, {"CMD", args...},
// {"CMD-SHELL", command}. Zero durations and Retries mean "inherit".
struct HealthConfig {
  std::vector<std::string> Test;
  std::chrono::nanoseconds Interval{0};
  std::chrono::nanoseconds Timeout{0};
  std::chrono::nanoseconds StartPeriod{0};
  int64_t Retries = 0;
};

// A resource limit (setrlimit): "nofile" soft/hard.
struct Ulimit {
  std::string Name;
  int64_t Hard = 0;
  int64_t Soft = 0;
};

struct ContainerSpec {
  std::string Image;
  StringMap Labels;
  std::vector<std::string> Command;
  std::vector<std::string> Args;
  std::string Hostname;
  std::vector<std::string> Env;
  std::string Dir;
  std::string User;
  std::vector<std::string> Groups;
  std::optional<api::Privileges> Privileges;
  std::optional<bool> Init;
  std::string StopSignal;
  bool TTY = false;
  bool OpenStdin = false;
  bool ReadOnly = false;
  std::vector<Mount> Mounts;
  std::optional<std::chrono::nanoseconds> StopGracePeriod;
  std::optional<HealthConfig> Healthcheck;
  // Extra /etc/hosts lines: "IP_address canonical_hostname [aliases...]".
  std::vector<std::string> Hosts;
  std::optional<api::DNSConfig> DNSConfig;
  std::vector<SecretReference> Secrets;
  std::vector<ConfigReference> Configs;
  api::Isolation Isolation = Isolation::kUnset;
  StringMap Sysctls;
  std::vector<std::string> CapabilityAdd;
  std::vector<std::string> CapabilityDrop;
  std::vector<Ulimit> Ulimits;
  // Not Docker's: the registry credentials of `docker service create|update
  // --with-registry-auth` (the X-Registry-Auth header as sent, swarmkit's
  // ContainerSpec.PullOptions.RegistryAuth). Stored and sent to the node that runs the task;
  // the control API strips it from every answer, and a request body cannot set it.
  std::string RegistryAuth;
};

}  // namespace shoal::api
