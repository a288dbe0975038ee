#include "runtime/oci/seccomp.h"

#include <algorithm>
#include <set>
#include <string_view>

namespace shoal::runtime::oci {
namespace {

using nlohmann::json;
using Names = std::vector<std::string_view>;

// ---- Allowed for every container, grouped by what they are for ----

const Names kFiles = {"access",      "faccessat",
                      "faccessat2",  "chdir",
                      "fchdir",      "getcwd",
                      "chmod",       "fchmod",
                      "fchmodat",    "fchmodat2",
                      "chown",       "chown32",
                      "fchown",      "fchown32",
                      "fchownat",    "lchown",
                      "lchown32",    "creat",
                      "open",        "openat",
                      "openat2",     "close",
                      "close_range", "dup",
                      "dup2",        "dup3",
                      "fcntl",       "fcntl64",
                      "flock",       "link",
                      "linkat",      "symlink",
                      "symlinkat",   "unlink",
                      "unlinkat",    "rename",
                      "renameat",    "renameat2",
                      "mkdir",       "mkdirat",
                      "rmdir",       "mknod",
                      "mknodat",     "readlink",
                      "readlinkat",  "stat",
                      "stat64",      "lstat",
                      "lstat64",     "fstat",
                      "fstat64",     "fstatat64",
                      "newfstatat",  "statx",
                      "statfs",      "statfs64",
                      "fstatfs",     "fstatfs64",
                      "truncate",    "truncate64",
                      "ftruncate",   "ftruncate64",
                      "fallocate",   "getdents",
                      "getdents64",  "umask",
                      "utime",       "utimes",
                      "utimensat",   "utimensat_time64",
                      "futimesat",   "name_to_handle_at",
                      "statmount",   "listmount"};

const Names kExtendedAttributes = {"getxattr",    "lgetxattr",    "fgetxattr",    "getxattrat",
                                   "setxattr",    "lsetxattr",    "fsetxattr",    "setxattrat",
                                   "listxattr",   "llistxattr",   "flistxattr",   "listxattrat",
                                   "removexattr", "lremovexattr", "fremovexattr", "removexattrat"};

const Names kReadWrite = {"read",
                          "write",
                          "readv",
                          "writev",
                          "pread64",
                          "pwrite64",
                          "preadv",
                          "preadv2",
                          "pwritev",
                          "pwritev2",
                          "lseek",
                          "_llseek",
                          "sendfile",
                          "sendfile64",
                          "splice",
                          "tee",
                          "vmsplice",
                          "copy_file_range",
                          "readahead",
                          "fadvise64",
                          "fadvise64_64",
                          "fsync",
                          "fdatasync",
                          "sync",
                          "syncfs",
                          "sync_file_range",
                          "ioctl",
                          "cachestat",
                          "io_setup",
                          "io_destroy",
                          "io_submit",
                          "io_cancel",
                          "io_getevents",
                          "io_pgetevents",
                          "io_pgetevents_time64",
                          "ioprio_get",
                          "ioprio_set"};

const Names kWaitingForEvents = {"poll",
                                 "ppoll",
                                 "ppoll_time64",
                                 "select",
                                 "_newselect",
                                 "pselect6",
                                 "pselect6_time64",
                                 "epoll_create",
                                 "epoll_create1",
                                 "epoll_ctl",
                                 "epoll_ctl_old",
                                 "epoll_wait",
                                 "epoll_wait_old",
                                 "epoll_pwait",
                                 "epoll_pwait2",
                                 "eventfd",
                                 "eventfd2",
                                 "inotify_init",
                                 "inotify_init1",
                                 "inotify_add_watch",
                                 "inotify_rm_watch",
                                 "fanotify_mark",
                                 "signalfd",
                                 "signalfd4",
                                 "timerfd_create",
                                 "timerfd_settime",
                                 "timerfd_settime64",
                                 "timerfd_gettime",
                                 "timerfd_gettime64",
                                 "pipe",
                                 "pipe2"};

const Names kMemory = {"brk",
                       "mmap",
                       "mmap2",
                       "munmap",
                       "mremap",
                       "mprotect",
                       "madvise",
                       "mincore",
                       "msync",
                       "mlock",
                       "mlock2",
                       "mlockall",
                       "munlock",
                       "munlockall",
                       "remap_file_pages",
                       "membarrier",
                       "memfd_create",
                       "memfd_secret",
                       "pkey_alloc",
                       "pkey_free",
                       "pkey_mprotect",
                       "map_shadow_stack",
                       "mseal"};

const Names kProcesses = {
    "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "waitpid",
    "getpid", "getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid", "prctl",
    "get_thread_area", "set_thread_area", "set_tid_address", "set_robust_list", "get_robust_list",
    "rseq", "futex", "futex_time64", "futex_waitv", "futex_wait", "futex_wake", "futex_requeue",
    "pidfd_open", "pidfd_send_signal", "process_mrelease", "restart_syscall", "seccomp",
    "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "uretprobe",
    "riscv_hwprobe", "capget", "capset", "getrlimit", "setrlimit", "ugetrlimit", "prlimit64",
    "getrusage", "times", "getpriority", "setpriority", "getcpu", "uname", "sysinfo", "getrandom",
    // Docker allows these without CAP_SYS_PTRACE on kernels >= 4.8.
    "ptrace", "process_vm_readv", "process_vm_writev"};

const Names kScheduling = {"sched_yield",
                           "sched_getaffinity",
                           "sched_setaffinity",
                           "sched_getattr",
                           "sched_setattr",
                           "sched_getparam",
                           "sched_setparam",
                           "sched_getscheduler",
                           "sched_setscheduler",
                           "sched_get_priority_max",
                           "sched_get_priority_min",
                           "sched_rr_get_interval",
                           "sched_rr_get_interval_time64"};

const Names kIdentity = {"getuid",      "getuid32",    "geteuid",    "geteuid32",   "getgid",
                         "getgid32",    "getegid",     "getegid32",  "getresuid",   "getresuid32",
                         "getresgid",   "getresgid32", "getgroups",  "getgroups32", "setuid",
                         "setuid32",    "setgid",      "setgid32",   "setreuid",    "setreuid32",
                         "setregid",    "setregid32",  "setresuid",  "setresuid32", "setresgid",
                         "setresgid32", "setfsuid",    "setfsuid32", "setfsgid",    "setfsgid32",
                         "setgroups",   "setgroups32"};

const Names kSignals = {
    "kill",           "tkill",         "tgkill",          "rt_sigaction",
    "rt_sigprocmask", "rt_sigpending", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    "rt_sigreturn",   "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
    "sigaltstack",    "sigprocmask",   "sigreturn",       "pause"};

const Names kTime = {"time",
                     "gettimeofday",
                     "clock_gettime",
                     "clock_gettime64",
                     "clock_getres",
                     "clock_getres_time64",
                     "clock_nanosleep",
                     "clock_nanosleep_time64",
                     "nanosleep",
                     "adjtimex",
                     "clock_adjtime",
                     "clock_adjtime64",
                     "alarm",
                     "getitimer",
                     "setitimer",
                     "timer_create",
                     "timer_delete",
                     "timer_getoverrun",
                     "timer_gettime",
                     "timer_gettime64",
                     "timer_settime",
                     "timer_settime64"};

// socket(2) itself is conditioned on the address family (below).
const Names kSockets = {"accept",     "accept4",     "bind",        "connect",    "listen",
                        "shutdown",   "getsockname", "getpeername", "getsockopt", "setsockopt",
                        "socketpair", "send",        "sendto",      "sendmsg",    "sendmmsg",
                        "recv",       "recvfrom",    "recvmsg",     "recvmmsg",   "recvmmsg_time64",
                        "socketcall"};

const Names kIpc = {"ipc",
                    "msgget",
                    "msgctl",
                    "msgsnd",
                    "msgrcv",
                    "semget",
                    "semctl",
                    "semop",
                    "semtimedop",
                    "semtimedop_time64",
                    "shmget",
                    "shmctl",
                    "shmat",
                    "shmdt",
                    "mq_open",
                    "mq_unlink",
                    "mq_notify",
                    "mq_getsetattr",
                    "mq_timedsend",
                    "mq_timedsend_time64",
                    "mq_timedreceive",
                    "mq_timedreceive_time64"};

// ---- Allowed on one architecture ----

const Names kX86Only = {"arch_prctl", "modify_ldt"};
const Names kArmOnly = {"arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2",
                        "breakpoint",       "cacheflush",          "set_tls"};

// ---- Allowed with a capability ----

struct CapabilityGroup {
  std::string_view capability;
  Names names;
};

const CapabilityGroup kCapabilityGroups[] = {
    {"CAP_SYS_ADMIN",
     {"mount",
      "umount",
      "umount2",
      "mount_setattr",
      "move_mount",
      "open_tree",
      "fsopen",
      "fsconfig",
      "fsmount",
      "fspick",
      "unshare",
      "setns",
      "clone",
      "clone3",
      "sethostname",
      "setdomainname",
      "quotactl",
      "quotactl_fd",
      "bpf",
      "perf_event_open",
      "fanotify_init",
      "lookup_dcookie",
      "syslog",
      "lsm_get_self_attr",
      "lsm_set_self_attr",
      "lsm_list_modules"}},
    {"CAP_SYS_PTRACE",
     {"ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp", "pidfd_getfd"}},
    {"CAP_SYS_MODULE", {"init_module", "finit_module", "delete_module"}},
    {"CAP_SYS_BOOT", {"reboot"}},
    {"CAP_SYS_TIME", {"settimeofday", "stime", "clock_settime", "clock_settime64"}},
    {"CAP_SYSLOG", {"syslog"}},
    {"CAP_SYS_NICE", {"mbind", "get_mempolicy", "set_mempolicy", "set_mempolicy_home_node"}},
    {"CAP_SYS_RAWIO", {"iopl", "ioperm"}},
    {"CAP_SYS_PACCT", {"acct"}},
    {"CAP_SYS_CHROOT", {"chroot"}},
    {"CAP_SYS_TTY_CONFIG", {"vhangup"}},
    {"CAP_BPF", {"bpf"}},
    {"CAP_PERFMON", {"perf_event_open"}},
    {"CAP_DAC_READ_SEARCH", {"open_by_handle_at"}},
};

// ---- Conditioned on arguments ----

// personality(2) personas: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, and the
// 0xffffffff query.
constexpr uint64_t kPersonalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

constexpr uint64_t kAfAlg = 38;    // AF_ALG
constexpr uint64_t kAfVsock = 40;  // AF_VSOCK

// CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
// CLONE_NEWNET
constexpr uint64_t kNamespaceFlags =
    0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

constexpr int kEperm = 1;
constexpr int kEnosys = 38;

json arg_rule(std::string_view name, uint64_t value, std::string_view op,
              std::optional<uint64_t> value_two = std::nullopt) {
  json arg = {{"index", 0}, {"value", value}, {"op", op}};
  if (value_two) arg["valueTwo"] = *value_two;
  return {
      {"names", json::array({name})}, {"action", "SCMP_ACT_ALLOW"}, {"args", json::array({arg})}};
}

}  // namespace

std::optional<SeccompArch> native_seccomp_arch() {
#if defined(__x86_64__)
  return SeccompArch::kX86_64;
#elif defined(__aarch64__)
  return SeccompArch::kAarch64;
#else
  return std::nullopt;
#endif
}

json default_seccomp_profile(const std::vector<std::string>& capabilities, SeccompArch arch) {
  auto has = [&](std::string_view cap) {
    return std::find(capabilities.begin(), capabilities.end(), cap) != capabilities.end();
  };
  std::set<std::string> allowed;
  auto allow = [&](const Names& names) {
    for (std::string_view n : names) allowed.emplace(n);
  };
  for (const Names* group :
       {&kFiles, &kExtendedAttributes, &kReadWrite, &kWaitingForEvents, &kMemory, &kProcesses,
        &kScheduling, &kIdentity, &kSignals, &kTime, &kSockets, &kIpc}) {
    allow(*group);
  }
  const Names& arch_names = arch == SeccompArch::kX86_64 ? kX86Only : kArmOnly;
  allow(arch_names);
  for (const CapabilityGroup& g : kCapabilityGroups) {
    if (has(g.capability)) allow(g.names);
  }

  json rules = json::array();
  rules.push_back({{"names", allowed}, {"action", "SCMP_ACT_ALLOW"}});
  for (uint64_t persona : kPersonalities) {
    rules.push_back(arg_rule("personality", persona, "SCMP_CMP_EQ"));
  }
  rules.push_back(arg_rule("socket", kAfAlg, "SCMP_CMP_LT"));
  rules.push_back(arg_rule("socket", kAfAlg + 1, "SCMP_CMP_EQ"));
  rules.push_back(arg_rule("socket", kAfVsock, "SCMP_CMP_GT"));
  if (!has("CAP_SYS_ADMIN")) {
    rules.push_back(arg_rule("clone", kNamespaceFlags, "SCMP_CMP_MASKED_EQ", 0));
    rules.push_back(
        {{"names", json::array({"clone3"})}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", kEnosys}});
  }

  json arches = arch == SeccompArch::kX86_64
                    ? json::array({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"})
                    : json::array({"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"});
  return {{"defaultAction", "SCMP_ACT_ERRNO"},
          {"defaultErrnoRet", kEperm},
          {"architectures", std::move(arches)},
          {"syscalls", std::move(rules)}};
}

}  // namespace shoal::runtime::oci
