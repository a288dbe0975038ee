#include "runtime/oci/seccomp.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "runtime/oci/capabilities.h"

namespace shoal::runtime::oci {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

// Docker's default capabilities plus `add` (tweak_capabilities' rules).
Strings caps_with(const Strings& add) {
  auto caps = tweak_capabilities(add, {});
  EXPECT_TRUE(caps.is_ok());
  return caps.is_ok() ? caps.value() : Strings{};
}

// Whether `name` may be called with any arguments: listed by an ALLOW rule without args.
bool allowed_unconditionally(const json& profile, std::string_view name) {
  for (const json& rule : profile["syscalls"]) {
    if (rule["action"] != "SCMP_ACT_ALLOW" || rule.contains("args")) continue;
    const json& names = rule["names"];
    if (std::find(names.begin(), names.end(), name) != names.end()) return true;
  }
  return false;
}

// The rules naming `name` that carry an argument condition or another action.
std::vector<json> conditioned_rules(const json& profile, std::string_view name) {
  std::vector<json> out;
  for (const json& rule : profile["syscalls"]) {
    const json& names = rule["names"];
    bool names_it = std::find(names.begin(), names.end(), name) != names.end();
    if (names_it && (rule.contains("args") || rule["action"] != "SCMP_ACT_ALLOW")) {
      out.push_back(rule);
    }
  }
  return out;
}

TEST(SeccompProfile, DeniesWithEpermByDefault) {
  json p = default_seccomp_profile(caps_with({}), SeccompArch::kX86_64);
  EXPECT_EQ(p["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(p["defaultErrnoRet"], 1);
  EXPECT_EQ(p["architectures"], json({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  json arm = default_seccomp_profile(caps_with({}), SeccompArch::kAarch64);
  EXPECT_EQ(arm["architectures"], json({"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
}

TEST(SeccompProfile, WhatEachCapabilityAllows) {
  struct Case {
    const char* name;
    Strings add;
    Strings allowed, denied;
  } cases[] = {
      {"default capabilities",
       {},
       {"read", "openat", "execve", "getrandom", "chroot", "ptrace", "setuid", "socketpair",
        "io_setup", "statx", "rseq", "membarrier", "fchmodat2", "arch_prctl", "adjtimex"},
       {"mount",
        "umount2",
        "unshare",
        "setns",
        "keyctl",
        "add_key",
        "request_key",
        "reboot",
        "init_module",
        "delete_module",
        "settimeofday",
        "clock_settime",
        "syslog",
        "iopl",
        "acct",
        "bpf",
        "perf_event_open",
        "open_by_handle_at",
        "mbind",
        "kcmp",
        "pidfd_getfd",
        "vhangup",
        "sethostname",
        "pivot_root",
        "kexec_load",
        "swapon",
        "userfaultfd",
        "io_uring_setup",
        "personality",
        "socket",
        "clone3",
        "lookup_dcookie",
        "fsopen"}},
      {"CAP_SYS_ADMIN",
       {"SYS_ADMIN"},
       {"mount", "umount2", "unshare", "setns", "clone", "clone3", "sethostname", "setdomainname",
        "fsopen", "move_mount", "quotactl", "bpf", "perf_event_open", "syslog", "fanotify_init"},
       {"keyctl", "reboot", "init_module", "settimeofday", "pivot_root"}},
      {"CAP_SYS_PTRACE", {"SYS_PTRACE"}, {"kcmp", "pidfd_getfd", "process_madvise"}, {"mount"}},
      {"CAP_SYS_MODULE",
       {"SYS_MODULE"},
       {"init_module", "finit_module", "delete_module"},
       {"kexec_load"}},
      {"CAP_SYS_BOOT", {"SYS_BOOT"}, {"reboot"}, {"kexec_load"}},
      {"CAP_SYS_TIME",
       {"SYS_TIME"},
       {"settimeofday", "stime", "clock_settime", "clock_settime64"},
       {}},
      {"CAP_SYSLOG", {"SYSLOG"}, {"syslog"}, {"mount"}},
      {"CAP_SYS_NICE",
       {"SYS_NICE"},
       {"mbind", "get_mempolicy", "set_mempolicy", "set_mempolicy_home_node"},
       {}},
      {"CAP_SYS_RAWIO", {"SYS_RAWIO"}, {"iopl", "ioperm"}, {}},
      {"CAP_SYS_PACCT", {"SYS_PACCT"}, {"acct"}, {}},
      {"CAP_SYS_TTY_CONFIG", {"SYS_TTY_CONFIG"}, {"vhangup"}, {}},
      {"CAP_BPF and CAP_PERFMON", {"BPF", "PERFMON"}, {"bpf", "perf_event_open"}, {"mount"}},
      {"CAP_DAC_READ_SEARCH", {"DAC_READ_SEARCH"}, {"open_by_handle_at"}, {}},
  };
  for (const Case& c : cases) {
    json p = default_seccomp_profile(caps_with(c.add), SeccompArch::kX86_64);
    for (const std::string& name : c.allowed) {
      EXPECT_TRUE(allowed_unconditionally(p, name)) << c.name << ": " << name;
    }
    for (const std::string& name : c.denied) {
      EXPECT_FALSE(allowed_unconditionally(p, name)) << c.name << ": " << name;
    }
  }
}

TEST(SeccompProfile, DroppingChrootDeniesIt) {
  auto caps = tweak_capabilities({}, {"SYS_CHROOT"});
  ASSERT_TRUE(caps.is_ok());
  EXPECT_FALSE(allowed_unconditionally(default_seccomp_profile(caps.value(), SeccompArch::kX86_64),
                                       "chroot"));
}

TEST(SeccompProfile, CloneWithoutSysAdminOnlyWithoutNamespaceFlags) {
  json p = default_seccomp_profile(caps_with({}), SeccompArch::kX86_64);
  std::vector<json> clone = conditioned_rules(p, "clone");
  ASSERT_EQ(clone.size(), 1u);
  EXPECT_EQ(clone[0]["action"], "SCMP_ACT_ALLOW");
  EXPECT_EQ(clone[0]["args"], json::parse(R"([{"index":0,"value":2114060288,"valueTwo":0,
                                                "op":"SCMP_CMP_MASKED_EQ"}])"));  // 0x7E020000
  std::vector<json> clone3 = conditioned_rules(p, "clone3");
  ASSERT_EQ(clone3.size(), 1u);
  EXPECT_EQ(clone3[0]["action"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(clone3[0]["errnoRet"], 38);  // ENOSYS: libc falls back to clone

  json admin = default_seccomp_profile(caps_with({"SYS_ADMIN"}), SeccompArch::kX86_64);
  EXPECT_TRUE(conditioned_rules(admin, "clone").empty());
  EXPECT_TRUE(conditioned_rules(admin, "clone3").empty());
}

TEST(SeccompProfile, PersonalityAndSocketAreConditioned) {
  json p = default_seccomp_profile(caps_with({}), SeccompArch::kX86_64);
  std::vector<uint64_t> personas;
  for (const json& rule : conditioned_rules(p, "personality")) {
    ASSERT_EQ(rule["args"].size(), 1u);
    EXPECT_EQ(rule["args"][0]["op"], "SCMP_CMP_EQ");
    personas.push_back(rule["args"][0]["value"]);
  }
  EXPECT_EQ(personas, (std::vector<uint64_t>{0x0, 0x8, 0x20000, 0x20008, 0xffffffff}));

  // Every family but AF_ALG (38) and AF_VSOCK (40).
  auto socket_allowed = [&](uint64_t family) {
    for (const json& rule : conditioned_rules(p, "socket")) {
      const json& a = rule["args"][0];
      uint64_t v = a["value"];
      if ((a["op"] == "SCMP_CMP_LT" && family < v) || (a["op"] == "SCMP_CMP_EQ" && family == v) ||
          (a["op"] == "SCMP_CMP_GT" && family > v)) {
        return true;
      }
    }
    return false;
  };
  for (uint64_t family : {1, 2, 10, 16, 17, 39, 41, 44}) {
    EXPECT_TRUE(socket_allowed(family)) << family;
  }
  EXPECT_FALSE(socket_allowed(38));
  EXPECT_FALSE(socket_allowed(40));
}

TEST(SeccompProfile, ArchSpecificSyscalls) {
  json x86 = default_seccomp_profile(caps_with({}), SeccompArch::kX86_64);
  json arm = default_seccomp_profile(caps_with({}), SeccompArch::kAarch64);
  for (const char* name : {"arch_prctl", "modify_ldt"}) {
    EXPECT_TRUE(allowed_unconditionally(x86, name)) << name;
    EXPECT_FALSE(allowed_unconditionally(arm, name)) << name;
  }
  for (const char* name : {"set_tls", "cacheflush", "sync_file_range2", "arm_fadvise64_64"}) {
    EXPECT_TRUE(allowed_unconditionally(arm, name)) << name;
    EXPECT_FALSE(allowed_unconditionally(x86, name)) << name;
  }
}

TEST(SeccompProfile, NativeArchIsKnownOnTheBuildHost) {
#if defined(__x86_64__)
  EXPECT_EQ(native_seccomp_arch(), SeccompArch::kX86_64);
#elif defined(__aarch64__)
  EXPECT_EQ(native_seccomp_arch(), SeccompArch::kAarch64);
#else
  EXPECT_EQ(native_seccomp_arch(), std::nullopt);
#endif
}

}  // namespace
}  // namespace shoal::runtime::oci
