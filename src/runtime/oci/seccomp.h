// The seccomp filter of a task's container (linux.seccomp of config.json): the same syscalls
// Docker's default profile allows (moby profiles/seccomp), for the container's capabilities.
//
//   default      every syscall not listed fails with EPERM (SCMP_ACT_ERRNO, errno 1).
//   allowed      the ordinary syscalls of a process (files, memory, processes, signals, time,
//                sockets, IPC, ...), listed by purpose in seccomp.cc; the arch's own ones
//                (x86_64: arch_prctl, modify_ldt; aarch64: the arm ones).
//   conditioned  personality only with the values 0, 0x8, 0x20000, 0x20008, 0xffffffff;
//                socket for every address family except AF_ALG and AF_VSOCK; without
//                CAP_SYS_ADMIN, clone only without namespace flags and clone3 fails with
//                ENOSYS (so a libc falls back to clone, whose flags can be checked).
//   capabilities each of these groups is allowed when the capability is in the set:
//                CAP_SYS_ADMIN (mount, umount2, unshare, setns, clone/clone3 with any flags,
//                sethostname, bpf, perf_event_open, quotactl, fsopen, ...), CAP_SYS_PTRACE
//                (ptrace, process_vm_*, kcmp, pidfd_getfd, process_madvise), CAP_SYS_MODULE,
//                CAP_SYS_BOOT, CAP_SYS_TIME, CAP_SYSLOG, CAP_SYS_NICE (NUMA policy calls),
//                CAP_SYS_RAWIO (iopl, ioperm), CAP_SYS_PACCT, CAP_SYS_CHROOT (chroot: in
//                Docker's default set), CAP_SYS_TTY_CONFIG, CAP_BPF, CAP_PERFMON,
//                CAP_DAC_READ_SEARCH (open_by_handle_at).
//   not allowed  whatever no group names: keyctl, add_key, request_key, userfaultfd, kexec_*,
//                swapon/swapoff, pivot_root, io_uring_*, ... (as Docker).
//
// Names the host's libseccomp does not know are skipped by runc (1.1 and later), so the
// table can name syscalls newer than the host. ptrace and process_vm_* are allowed without
// CAP_SYS_PTRACE as Docker does on kernels >= 4.8 (shoal needs a newer kernel anyway: pidfd).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace shoal::runtime::oci {

// The architectures the filter is written for. The filter lists the arch and the ones its
// kernel also runs (x86_64: x86 and x32; aarch64: arm), as Docker's profile does.
enum class SeccompArch : uint8_t { kX86_64, kAarch64 };

// The arch shoal was built for; nullopt on others (their containers get no filter).
std::optional<SeccompArch> native_seccomp_arch();

// The linux.seccomp section for a container whose capability set (bounding set, sorted or
// not, "CAP_X" names as tweak_capabilities returns them) is `capabilities`.
nlohmann::json default_seccomp_profile(const std::vector<std::string>& capabilities,
                                       SeccompArch arch);

}  // namespace shoal::runtime::oci
