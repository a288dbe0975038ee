#include "runtime/rootfs/overlay.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace shoal::runtime::rootfs {
namespace fs = std::filesystem;
namespace {

Status make_dir(const fs::path& dir, mode_t mode) {
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
    return error(Code::kInternal, "cannot create {}: {}", dir.string(), std::strerror(errno));
  }
  return Status::ok();
}

// Mounts with paths relative to `dir`, in a child process that chdir()s there.
Status mount_relative(const fs::path& dir, const std::string& data) {
  std::string target = "rootfs";
  pid_t pid = ::fork();
  if (pid < 0) return error(Code::kInternal, "fork: {}", std::strerror(errno));
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) _exit(126);
    _exit(::mount("overlay", target.c_str(), "overlay", 0, data.c_str()) == 0 ? 0 : errno);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
  if (code != 0)
    return error(Code::kInternal, "mount overlay at {}/rootfs: {}", dir.string(),
                 std::strerror(code));
  return Status::ok();
}

}  // namespace

std::string overlay_data(const std::vector<std::string>& layers_lowest_first,
                         const std::string& upper, const std::string& work) {
  std::string data = "lowerdir=";
  for (auto it = layers_lowest_first.rbegin(); it != layers_lowest_first.rend(); ++it) {
    if (it != layers_lowest_first.rbegin()) data += ':';
    data += *it;
  }
  return data + ",upperdir=" + upper + ",workdir=" + work;
}

bool is_mount_point(const fs::path& path) {
  struct stat self {
  }, parent{};
  if (::stat(path.c_str(), &self) != 0) return false;
  if (::stat(path.parent_path().c_str(), &parent) != 0) return false;
  if (self.st_dev != parent.st_dev) return true;
  // A bind mount of the same device: look it up in mountinfo.
  std::ifstream mounts("/proc/self/mountinfo");
  std::string line, want = " " + path.string() + " ";
  while (std::getline(mounts, line)) {
    if (line.find(want) != std::string::npos) return true;
  }
  return false;
}

Status unmount(const fs::path& path) {
  if (!is_mount_point(path)) return Status::ok();
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    return error(Code::kInternal, "cannot unmount {}: {}", path.string(), std::strerror(errno));
  }
  return Status::ok();
}

Status mount_rootfs(const fs::path& task_dir, const std::vector<fs::path>& layers) {
  if (layers.empty()) return error(Code::kInvalidArgument, "the image has no layers");
  fs::path target = task_dir / "rootfs";
  for (const char* sub : {"rootfs", "upper", "work"}) {
    SHOAL_RETURN_IF_ERROR(make_dir(task_dir / sub, 0700));
  }
  // The upper dir's mode is the mode of the container's "/": 0755, or a non-root container
  // user could open nothing. Set explicitly, whatever the umask.
  if (::chmod((task_dir / "upper").c_str(), 0755) != 0) {
    return error(Code::kInternal, "cannot chmod {}: {}", (task_dir / "upper").string(),
                 std::strerror(errno));
  }
  if (is_mount_point(target)) return Status::ok();
  std::vector<std::string> lower;
  for (const fs::path& l : layers) lower.push_back(l.string());
  std::string data =
      overlay_data(lower, (task_dir / "upper").string(), (task_dir / "work").string());
  if (data.size() <= kMaxMountData) {
    if (::mount("overlay", target.c_str(), "overlay", 0, data.c_str()) != 0) {
      return error(Code::kInternal, "mount overlay at {}: {}", target.string(),
                   std::strerror(errno));
    }
    return Status::ok();
  }
  // Too long: short links under <task dir>/l/ and paths relative to the task dir.
  SHOAL_RETURN_IF_ERROR(make_dir(task_dir / "l", 0700));
  std::vector<std::string> links;
  for (size_t i = 0; i < layers.size(); ++i) {
    fs::path link = task_dir / "l" / std::to_string(i);
    std::error_code ec;
    fs::remove(link, ec);
    fs::create_symlink(layers[i], link, ec);
    if (ec) return error(Code::kInternal, "cannot link {}: {}", link.string(), ec.message());
    links.push_back("l/" + std::to_string(i));
  }
  data = overlay_data(links, "upper", "work");
  if (data.size() > kMaxMountData) {
    return error(Code::kInvalidArgument, "the image has too many layers ({}) for overlayfs",
                 layers.size());
  }
  return mount_relative(task_dir, data);
}

Status unmount_rootfs(const fs::path& task_dir) { return unmount(task_dir / "rootfs"); }

}  // namespace shoal::runtime::rootfs
