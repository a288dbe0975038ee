#include "network/netns.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace shoal::network {

namespace {

Status errno_status(std::string_view what, const std::filesystem::path& path, int err) {
  return error(err == ENOENT ? Code::kNotFound : Code::kInternal, "{} {}: {}", what, path.string(),
               std::strerror(err));
}

// Runs `fn` with the calling thread switched to another network namespace by `enter` (an
// unshare or a setns), then switches the thread back. A thread that cannot get back cannot
// be used safely any more (sockets it opens would land in the wrong namespace): that aborts.
template <class Enter, class Fn>
auto in_other_netns(Enter enter, Fn fn) -> decltype(fn()) {
  int home = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) return errno_status("open", "/proc/thread-self/ns/net", errno);
  if (Status entered = enter(); !entered.is_ok()) {
    ::close(home);
    return entered;
  }
  auto result = fn();
  if (::setns(home, CLONE_NEWNET) != 0) {
    spdlog::critical("network: cannot return to the daemon's network namespace: {}",
                     std::strerror(errno));
    std::abort();
  }
  ::close(home);
  return result;
}

// In the new namespace: binds it at `path`, opens a socket, sets lo up.
Result<RouteSocket> bind_and_open(const std::filesystem::path& path) {
  if (::mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
    return errno_status("bind mount network namespace at", path, errno);
  }
  auto sock = RouteSocket::open();
  Status up = sock.is_ok() ? sock->set_up("lo") : sock.status();
  if (!up.is_ok()) {
    ::umount2(path.c_str(), MNT_DETACH);
    return up;
  }
  return sock;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

Result<RouteSocket> create_netns(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd < 0) {
    if (errno == EEXIST) return error(Code::kAlreadyExists, "{} exists", path.string());
    return errno_status("create", path, errno);
  }
  ::close(fd);
  auto sock = in_other_netns(
      [&] {
        if (::unshare(CLONE_NEWNET) != 0) return errno_status("unshare for", path, errno);
        return Status::ok();
      },
      [&] { return bind_and_open(path); });
  if (!sock.is_ok()) ::unlink(path.c_str());
  return sock;
}

Result<RouteSocket> enter_netns(const std::filesystem::path& path) {
  SHOAL_ASSIGN_OR_RETURN(UniqueFd ns, open_netns(path));
  return in_other_netns(
      [&] {
        if (::setns(ns.get(), CLONE_NEWNET) != 0) return errno_status("setns", path, errno);
        return Status::ok();
      },
      [] { return RouteSocket::open(); });
}

Result<UniqueFd> open_netns(const std::filesystem::path& path) {
  if (!is_netns(path)) return error(Code::kNotFound, "no network namespace at {}", path.string());
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status("open", path, errno);
  return UniqueFd(fd);
}

bool is_netns(const std::filesystem::path& path) {
  struct statfs st {};
  return ::statfs(path.c_str(), &st) == 0 &&
         st.f_type == static_cast<decltype(st.f_type)>(NSFS_MAGIC);
}

Status remove_netns(const std::filesystem::path& path) {
  // Detach every mount stacked on the file (a crash may have left more than one).
  while (::umount2(path.c_str(), MNT_DETACH) == 0) {
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_status("remove", path, errno);
  return Status::ok();
}

}  // namespace shoal::network
