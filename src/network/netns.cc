#include "network/netns.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

namespace shoal::network {

namespace {

Status errno_status(std::string_view what, const std::filesystem::path& path, int err) {
  return error(err == ENOENT ? Code::kNotFound : Code::kInternal, "{} {}: {}", what, path.string(),
               std::strerror(err));
}

// Runs `fn` on a fresh thread and returns its result (the thread's namespace changes die
// with it).
template <class Fn>
auto on_helper_thread(Fn fn) -> decltype(fn()) {
  std::optional<decltype(fn())> result;
  std::thread([&] { result.emplace(fn()); }).join();
  return std::move(*result);
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
  auto sock = on_helper_thread([&]() -> Result<RouteSocket> {
    if (::unshare(CLONE_NEWNET) != 0) return errno_status("unshare for", path, errno);
    return bind_and_open(path);
  });
  if (!sock.is_ok()) ::unlink(path.c_str());
  return sock;
}

Result<RouteSocket> enter_netns(const std::filesystem::path& path) {
  SHOAL_ASSIGN_OR_RETURN(UniqueFd ns, open_netns(path));
  return on_helper_thread([&]() -> Result<RouteSocket> {
    if (::setns(ns.get(), CLONE_NEWNET) != 0) return errno_status("setns", path, errno);
    return RouteSocket::open();
  });
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
