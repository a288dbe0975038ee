// The OCI runtime config (config.json of a bundle) for a task's container, built from its
// ContainerSpec, its resource limits and its image's config the way Docker builds a swarm
// task's container (moby daemon/cluster/executor/container + daemon/oci_linux.go):
//
//   argv     Command set: Command + Args (the image's Entrypoint and Cmd are ignored);
//            else Args set: image Entrypoint + Args; else image Entrypoint + image Cmd.
//            Init: "/sbin/docker-init" "--" argv, with tini-static bind-mounted there.
//   env      PATH (default), HOSTNAME and, with TTY, TERM=xterm, replaced or extended by the
//            spec's Env, then the image's Env for keys the spec does not set; HOME from
//            passwd when unset.
//   cwd      Dir, else the image's WorkingDir, else "/".
//   user     User, else the image's User, resolved in the rootfs (user.h); Groups added.
//   mounts   Docker's defaults (/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys,
//            /sys/fs/cgroup), /etc/hosts, /etc/resolv.conf, /etc/hostname from the task dir,
//            secrets and configs (read-only files), then the spec's bind / volume / tmpfs
//            mounts sorted parents first; a user mount replaces a default at the same path.
//   security Docker's default capabilities ± CapabilityAdd/Drop, its masked and read-only
//            paths, Docker's default seccomp filter for those capabilities (seccomp.h); no
//            AppArmor/SELinux profile, no noNewPrivileges (Docker sets it only when asked,
//            which API 1.41's ContainerSpec cannot say).
//   limits   NanoCPUs → cpu quota over a 100 ms period, MemoryBytes → memory limit,
//            Pids → pids limit, Ulimits → rlimits, Sysctls.
//   other    TTY → process.terminal (runc then needs a console socket), Hostname, ReadOnly
//            rootfs, labels as annotations, cgroupsPath, the network namespace to join (or a
//            new one: runc brings up its lo).
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/common.h"
#include "api/container.h"
#include "common/status.h"
#include "runtime/image/image.h"
#include "runtime/oci/seccomp.h"
#include "runtime/oci/user.h"

namespace shoal::runtime::oci {

inline constexpr std::string_view kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
inline constexpr std::string_view kInitPathInContainer = "/sbin/docker-init";

// A file the container sees read-only: a secret or config written on the task's tmpfs.
struct FileMount {
  std::string source;  // on the host
  std::string target;  // absolute, in the container
};

// A user mount with its host side decided by the executor (volume dirs made).
struct ResolvedMount {
  api::Mount mount;
  std::string source;  // host path for bind and volume mounts; empty for tmpfs
};

struct SpecInputs {
  const api::ContainerSpec* spec = nullptr;   // required
  std::optional<api::Limit> limits;           // the task's Resources.Limits
  const image::ImageConfig* image = nullptr;  // required
  const UserDb* users = nullptr;              // required: the rootfs's passwd and group
  std::string rootfs;                         // absolute
  std::string hostname;
  std::string netns_path;                                   // empty: a new network namespace
  std::string hosts_file, resolv_conf_file, hostname_file;  // host paths to bind
  std::vector<FileMount> files;                             // secrets and configs
  std::vector<ResolvedMount> mounts;                        // the spec's mounts, resolved
  std::string cgroups_path;                                 // "/shoal/<task-id>"
  std::string init_binary;                                  // tini-static on the host, for Init
  std::map<std::string, std::string> annotations;           // labels (spec and swarm's)
  std::optional<SeccompArch> seccomp_arch = native_seccomp_arch();  // nullopt: no filter
};

// The process arguments Docker runs (see the file comment), before Init.
// Errors: kInvalidArgument "no command specified" when both sides are empty.
Result<std::vector<std::string>> command_line(const api::ContainerSpec& spec,
                                              const image::ImageConfig& image);

// The environment (see the file comment), without HOME.
std::vector<std::string> environment(const api::ContainerSpec& spec,
                                     const image::ImageConfig& image, const std::string& hostname);

// Errors: kInvalidArgument "invalid ulimit name: x" for an unknown name.
Result<nlohmann::json> rlimits(const std::vector<api::Ulimit>& ulimits);

// The whole config.json. Errors: kInvalidArgument from the parts above, user resolution,
// capabilities, a mount without a target, Init without an init binary.
Result<nlohmann::json> build_spec(const SpecInputs& in);

}  // namespace shoal::runtime::oci
