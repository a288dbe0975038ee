// Network namespaces bound to files, as `ip netns add` makes them: the namespace lives as
// long as its bind mount (so it survives the daemon), and runc joins it by path.
//
// A new namespace is made by the calling thread itself: it unshares its network namespace
// (which affects that thread only), binds the new one, opens a netlink socket inside it and
// switches back to the daemon's namespace at once (a thread that could not switch back
// aborts the process rather than work in the wrong namespace). The caller then configures
// the namespace through that socket. (A helper thread per namespace would be safer in
// principle, but starting one costs milliseconds on a loaded machine, ten times the
// unshare.)
//
// The bind mount is private to the daemon's mount namespace; a container's mount namespace
// that copied it keeps the namespace only until the container ends (removal detaches the
// mount and unlinks the file, which the kernel allows across mount namespaces).
//
// Thread safety: functions are safe to call concurrently for different paths.
#pragma once

#include <filesystem>

#include "common/status.h"
#include "network/netlink.h"

namespace shoal::network {

// An owned file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  ~UniqueFd();
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

// Creates a network namespace bound at `path` (its parent directory must exist), with `lo`
// up, and returns a netlink socket inside it.
// Errors: kAlreadyExists when `path` exists; kInternal for a refused unshare, mount or socket
// (nothing is left at `path` then).
Result<RouteSocket> create_netns(const std::filesystem::path& path);

// A netlink socket inside the namespace bound at `path`.
// Errors: kNotFound when no namespace is bound there; kInternal.
Result<RouteSocket> enter_netns(const std::filesystem::path& path);

// An fd of the namespace bound at `path` (for moving links into it).
// Errors: kNotFound when no namespace is bound there.
Result<UniqueFd> open_netns(const std::filesystem::path& path);

// True when a network namespace is bound at `path`.
bool is_netns(const std::filesystem::path& path);

// Detaches the bind mount at `path` and removes the file. OK when nothing is there.
// Errors: kInternal when the file cannot be removed.
Status remove_netns(const std::filesystem::path& path);

}  // namespace shoal::network
