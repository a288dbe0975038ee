// A task's root filesystem: an overlayfs over its image's layers (read-only lower dirs,
// topmost first) with a writable upper dir and work dir of its own, mounted at
// <task dir>/rootfs in prepare and unmounted in remove.
//
// The mount data of overlayfs must fit in one page (4096 bytes with its NUL). When the
// absolute lowerdir paths do not fit, the layers get short symlinks <task dir>/l/<n> and a
// forked child mounts with paths relative to the task dir (as Docker's overlay2 driver does
// with its "l/" links), which fits ~500 layers.
//
// Thread safety: free functions, safe from any thread (the fork path never changes the
// daemon's working directory).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace shoal::runtime::rootfs {

inline constexpr size_t kMaxMountData = 4095;

// "lowerdir=<top>:...:<bottom>,upperdir=<upper>,workdir=<work>" for `layers` lowest first.
std::string overlay_data(const std::vector<std::string>& layers_lowest_first,
                         const std::string& upper, const std::string& work);

// Mounts the overlay at <task_dir>/rootfs (creating rootfs, upper and work dirs). OK when it
// is already mounted there. Errors: kInvalidArgument for an image without layers; kInternal
// with the mount error otherwise.
Status mount_rootfs(const std::filesystem::path& task_dir,
                    const std::vector<std::filesystem::path>& layers_lowest_first);

// Unmounts <task_dir>/rootfs if mounted. Idempotent. Errors: kInternal when it stays busy.
Status unmount_rootfs(const std::filesystem::path& task_dir);

// True when `path` is a mount point (its device differs from its parent's, or it is listed
// in /proc/self/mountinfo).
bool is_mount_point(const std::filesystem::path& path);

// umount2(MNT_DETACH) of `path` when it is a mount point. Idempotent.
Status unmount(const std::filesystem::path& path);

}  // namespace shoal::runtime::rootfs
