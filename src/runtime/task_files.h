// The files a task's container sees that are not in its image: /etc/hosts, /etc/resolv.conf
// and /etc/hostname (written in the task dir and bind-mounted), and its secrets and configs
// (files on a tmpfs of its own at <task dir>/secrets, each bind-mounted read-only at its
// target; the tmpfs never reaches the disk and is unmounted by remove()).
//
// Docker's rules: a secret's target is File.Name under /run/secrets unless absolute, a
// config's under / unless absolute; UID and GID default to 0, Mode to 0444.
//
// Thread safety: free functions.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/executor.h"
#include "api/container.h"
#include "common/status.h"

namespace shoal::runtime {

// /etc/hosts without a network sandbox: localhost lines, the hostname on 127.0.1.1, then the
// spec's extra Hosts lines ("IP name [aliases...]").
std::string default_hosts(const std::string& hostname, const std::vector<std::string>& extra);

// /etc/resolv.conf: DNSConfig's nameservers/search/options when it names nameservers; else
// `host` (the host's resolv.conf) without loopback nameservers (unreachable from a container),
// with Docker's fallback 8.8.8.8 / 8.8.4.4 when none is left.
std::string resolv_conf(std::string_view host, const std::optional<api::DNSConfig>& dns);

struct SecretFile {
  std::string file_name;  // under <task dir>/secrets
  std::string data;
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0444;
  std::string target;  // absolute, in the container
};

// The secret and config files of `spec`, looked up in `deps`. Errors: kNotFound "secret <name>
// (<id>) is not available on this node" (config likewise); kInvalidArgument for a UID/GID
// that is not a number.
Result<std::vector<SecretFile>> secret_files(const api::ContainerSpec& spec,
                                             const agent::DependencyGetter& deps);

// Mounts a tmpfs at <task_dir>/secrets (mode 0700; OK if mounted) and writes `files` there.
// Errors: kInternal.
Status write_secret_files(const std::filesystem::path& task_dir,
                          const std::vector<SecretFile>& files);

}  // namespace shoal::runtime
