#include "runtime/oci/capabilities.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace shoal::runtime::oci {
namespace {

// "net_admin" / "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; "all" → "ALL".
std::string normalize(const std::string& name) {
  std::string up;
  up.reserve(name.size() + 4);
  for (char c : name) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (up == "ALL" || up.starts_with("CAP_")) return up;
  return "CAP_" + up;
}

bool known(const std::string& cap) {
  const auto& all = all_capabilities();
  return std::find(all.begin(), all.end(), cap) != all.end();
}

Result<std::set<std::string>> normalize_all(const std::vector<std::string>& names) {
  std::set<std::string> out;
  for (const std::string& n : names) {
    std::string cap = normalize(n);
    if (cap != "ALL" && !known(cap)) {
      return error(Code::kInvalidArgument, "unknown capability: \"{}\"", cap);
    }
    out.insert(std::move(cap));
  }
  return out;
}

}  // namespace

const std::vector<std::string>& default_capabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE"};
  return caps;
}

const std::vector<std::string>& all_capabilities() {
  static const std::vector<std::string> caps = {"CAP_CHOWN",
                                                "CAP_DAC_OVERRIDE",
                                                "CAP_DAC_READ_SEARCH",
                                                "CAP_FOWNER",
                                                "CAP_FSETID",
                                                "CAP_KILL",
                                                "CAP_SETGID",
                                                "CAP_SETUID",
                                                "CAP_SETPCAP",
                                                "CAP_LINUX_IMMUTABLE",
                                                "CAP_NET_BIND_SERVICE",
                                                "CAP_NET_BROADCAST",
                                                "CAP_NET_ADMIN",
                                                "CAP_NET_RAW",
                                                "CAP_IPC_LOCK",
                                                "CAP_IPC_OWNER",
                                                "CAP_SYS_MODULE",
                                                "CAP_SYS_RAWIO",
                                                "CAP_SYS_CHROOT",
                                                "CAP_SYS_PTRACE",
                                                "CAP_SYS_PACCT",
                                                "CAP_SYS_ADMIN",
                                                "CAP_SYS_BOOT",
                                                "CAP_SYS_NICE",
                                                "CAP_SYS_RESOURCE",
                                                "CAP_SYS_TIME",
                                                "CAP_SYS_TTY_CONFIG",
                                                "CAP_MKNOD",
                                                "CAP_LEASE",
                                                "CAP_AUDIT_WRITE",
                                                "CAP_AUDIT_CONTROL",
                                                "CAP_SETFCAP",
                                                "CAP_MAC_OVERRIDE",
                                                "CAP_MAC_ADMIN",
                                                "CAP_SYSLOG",
                                                "CAP_WAKE_ALARM",
                                                "CAP_BLOCK_SUSPEND",
                                                "CAP_AUDIT_READ",
                                                "CAP_PERFMON",
                                                "CAP_BPF",
                                                "CAP_CHECKPOINT_RESTORE"};
  return caps;
}

Result<std::vector<std::string>> tweak_capabilities(const std::vector<std::string>& add,
                                                    const std::vector<std::string>& drop) {
  SHOAL_ASSIGN_OR_RETURN(std::set<std::string> adds, normalize_all(add));
  SHOAL_ASSIGN_OR_RETURN(std::set<std::string> drops, normalize_all(drop));
  std::set<std::string> caps;
  if (adds.contains("ALL")) {
    caps.insert(all_capabilities().begin(), all_capabilities().end());
    for (const std::string& d : drops) caps.erase(d);
  } else if (drops.contains("ALL")) {
    caps = adds;
  } else {
    caps.insert(default_capabilities().begin(), default_capabilities().end());
    for (const std::string& d : drops) caps.erase(d);
    caps.insert(adds.begin(), adds.end());
  }
  return std::vector<std::string>(caps.begin(), caps.end());
}

}  // namespace shoal::runtime::oci
