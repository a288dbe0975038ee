#include "runtime/image/layer_writer.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace shoal::runtime::image {
namespace {

constexpr size_t kMaxCachedDirs = 512;

Status sys_error(int err, std::string_view what, const std::string& rel) {
  switch (err) {
    case ELOOP:
    case ENOTDIR:
      return error(Code::kInvalidArgument,
                   "invalid layer: {} goes through a symlink or a non-directory", rel);
    case ENOSPC:
    case EIO:
    case EDQUOT:
    case EROFS:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
      return error(Code::kInternal, "unpacking layer: {} {}: {}", what, rel, std::strerror(err));
    default:
      return error(Code::kInvalidArgument, "invalid layer: {} {}: {}", what, rel,
                   std::strerror(err));
  }
}

std::pair<std::string, std::string> split(const std::string& rel) {
  size_t slash = rel.rfind('/');
  if (slash == std::string::npos) return {"", rel};
  return {rel.substr(0, slash), rel.substr(slash + 1)};
}

timespec mtime_of(archive_entry* e) {
  return {static_cast<time_t>(archive_entry_mtime(e)), archive_entry_mtime_nsec(e)};
}

timespec atime_of(archive_entry* e) {
  if (!archive_entry_atime_is_set(e)) return mtime_of(e);
  return {static_cast<time_t>(archive_entry_atime(e)), archive_entry_atime_nsec(e)};
}

// xattrs the file system or our privileges refuse are skipped, as Docker does.
Status set_xattrs(int fd, archive_entry* e, const std::string& rel) {
  if (archive_entry_xattr_reset(e) == 0) return Status::ok();
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    if (::fsetxattr(fd, name, value, size, 0) == 0) continue;
    if (errno == ENOTSUP || errno == EPERM) {
      spdlog::debug("unpacking layer: {}: xattr {} skipped: {}", rel, name, std::strerror(errno));
      continue;
    }
    return sys_error(errno, "setting an xattr on", rel);
  }
  return Status::ok();
}

Status write_all_at(int fd, const char* data, size_t len, off_t offset, const std::string& rel) {
  while (len > 0) {
    ssize_t n = ::pwrite(fd, data, len, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "writing", rel);
    data += n;
    len -= static_cast<size_t>(n);
    offset += n;
  }
  return Status::ok();
}

}  // namespace

Result<LayerWriter> LayerWriter::open(const std::filesystem::path& root) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return error(Code::kInternal, "cannot open {}: {}", root.string(), std::strerror(errno));
  return LayerWriter(fd);
}

LayerWriter::LayerWriter(LayerWriter&& other) noexcept
    : root_fd_(other.root_fd_), dirs_(std::move(other.dirs_)), fixes_(std::move(other.fixes_)) {
  other.root_fd_ = -1;
  other.dirs_.clear();
}

LayerWriter::~LayerWriter() {
  for (auto& [rel, fd] : dirs_) ::close(fd);
  if (root_fd_ >= 0) ::close(root_fd_);
}

Result<int> LayerWriter::dir(const std::string& rel, bool create) {
  if (rel.empty()) return root_fd_;
  if (auto it = dirs_.find(rel); it != dirs_.end()) return it->second;
  auto [parent_rel, name] = split(rel);
  SHOAL_ASSIGN_OR_RETURN(int parent, dir(parent_rel, create));
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::openat(parent, name.c_str(), kFlags);
  if (fd < 0 && errno == ENOENT && create) {
    // A parent no entry named (yet): 0755 as Docker makes them.
    if (::mkdirat(parent, name.c_str(), 0755) != 0 && errno != EEXIST)
      return sys_error(errno, "creating", rel);
    fd = ::openat(parent, name.c_str(), kFlags);
    if (fd >= 0) ::fchmod(fd, 0755);
  }
  if (fd < 0) return sys_error(errno, "opening", rel);
  dirs_[rel] = fd;
  return fd;
}

void LayerWriter::forget(const std::string& rel) {
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    if (it->first == rel || it->first.starts_with(rel + "/")) {
      ::close(it->second);
      it = dirs_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<bool> LayerWriter::clear(int parent, const std::string& name, const std::string& rel,
                                bool keep_dir) {
  struct stat st {};
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return false;
    return sys_error(errno, "checking", rel);
  }
  if (S_ISDIR(st.st_mode)) {
    if (keep_dir) return true;
    forget(rel);
    if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) != 0) {
      if (errno == ENOTEMPTY) {
        return error(Code::kInvalidArgument,
                     "invalid layer: {} replaces a directory that is not empty", rel);
      }
      return sys_error(errno, "replacing", rel);
    }
    return false;
  }
  if (::unlinkat(parent, name.c_str(), 0) != 0) return sys_error(errno, "replacing", rel);
  return false;
}

Status LayerWriter::regular(archive* tar, archive_entry* e, int parent, const std::string& name,
                            const std::string& rel) {
  int fd =
      ::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return sys_error(errno, "creating", rel);
  Status st;
  const void* block = nullptr;
  size_t len = 0;
  la_int64_t offset = 0;
  int r;
  la_int64_t end = 0;
  while (st.is_ok() && (r = archive_read_data_block(tar, &block, &len, &offset)) == ARCHIVE_OK) {
    st = write_all_at(fd, static_cast<const char*>(block), len, static_cast<off_t>(offset), rel);
    end = std::max<la_int64_t>(end, offset + static_cast<la_int64_t>(len));
  }
  if (st.is_ok() && r != ARCHIVE_EOF) {
    st = error(Code::kInvalidArgument, "invalid layer: reading {}: {}", rel,
               archive_error_string(tar));
  }
  if (st.is_ok() && end < archive_entry_size(e) &&
      ::ftruncate(fd, static_cast<off_t>(archive_entry_size(e))) != 0) {
    st = sys_error(errno, "sizing", rel);  // a sparse file ending in a hole
  }
  // Owner before mode: chown clears the set-id bits.
  if (st.is_ok() && ::fchown(fd, archive_entry_uid(e), archive_entry_gid(e)) != 0)
    st = sys_error(errno, "chown", rel);
  if (st.is_ok() && ::fchmod(fd, archive_entry_perm(e) & 07777) != 0)
    st = sys_error(errno, "chmod", rel);
  if (st.is_ok()) st = set_xattrs(fd, e, rel);
  timespec times[2] = {atime_of(e), mtime_of(e)};
  if (st.is_ok() && ::futimens(fd, times) != 0) st = sys_error(errno, "setting times of", rel);
  ::close(fd);
  return st;
}

Status LayerWriter::write(archive* tar, archive_entry* e, const std::string& rel,
                          const std::string& link_rel) {
  if (dirs_.size() > kMaxCachedDirs) {  // bound the open descriptors; reopened on demand
    for (auto& [r, fd] : dirs_) ::close(fd);
    dirs_.clear();
  }
  auto [parent_rel, name] = split(rel);
  SHOAL_ASSIGN_OR_RETURN(int parent, dir(parent_rel, true));
  auto type = archive_entry_filetype(e);
  uid_t uid = static_cast<uid_t>(archive_entry_uid(e));
  gid_t gid = static_cast<gid_t>(archive_entry_gid(e));
  timespec times[2] = {atime_of(e), mtime_of(e)};
  if (!link_rel.empty()) {
    auto [target_parent_rel, target_name] = split(link_rel);
    SHOAL_ASSIGN_OR_RETURN(int target_parent, dir(target_parent_rel, false));
    SHOAL_ASSIGN_OR_RETURN(bool kept, clear(parent, name, rel, false));
    (void)kept;
    if (::linkat(target_parent, target_name.c_str(), parent, name.c_str(), 0) != 0) {
      return sys_error(errno, "linking " + link_rel + " to", rel);
    }
    return Status::ok();
  }
  if (type == AE_IFDIR) {
    SHOAL_ASSIGN_OR_RETURN(bool exists, clear(parent, name, rel, true));
    if (!exists && ::mkdirat(parent, name.c_str(), 0700) != 0)
      return sys_error(errno, "creating", rel);
    fixes_.push_back({rel, static_cast<mode_t>(archive_entry_perm(e) & 07777), uid, gid, times[1]});
    SHOAL_ASSIGN_OR_RETURN(int fd, dir(rel, false));
    return set_xattrs(fd, e, rel);
  }
  SHOAL_ASSIGN_OR_RETURN(bool kept, clear(parent, name, rel, false));
  (void)kept;
  switch (type) {
    case AE_IFREG:
      return regular(tar, e, parent, name, rel);
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (::symlinkat(target ? target : "", parent, name.c_str()) != 0)
        return sys_error(errno, "creating", rel);
      break;
    }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO: {
      mode_t mode = static_cast<mode_t>(type) | (archive_entry_perm(e) & 07777);
      if (::mknodat(parent, name.c_str(), mode, archive_entry_rdev(e)) != 0)
        return sys_error(errno, "creating", rel);
      if (::fchmodat(parent, name.c_str(), archive_entry_perm(e) & 07777, 0) != 0)
        return sys_error(errno, "chmod", rel);
      break;
    }
    default:
      return Status::ok();  // sockets: nothing to restore
  }
  if (::fchownat(parent, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error(errno, "chown", rel);
  if (::utimensat(parent, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error(errno, "setting times of", rel);
  return Status::ok();
}

Status LayerWriter::whiteout(const std::string& rel, uid_t uid, gid_t gid) {
  auto [parent_rel, name] = split(rel);
  SHOAL_ASSIGN_OR_RETURN(int parent, dir(parent_rel, true));
  SHOAL_ASSIGN_OR_RETURN(bool kept, clear(parent, name, rel, false));
  (void)kept;
  if (::mknodat(parent, name.c_str(), S_IFCHR, makedev(0, 0)) != 0)
    return sys_error(errno, "creating whiteout", rel);
  if (::fchownat(parent, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error(errno, "chown", rel);
  return Status::ok();
}

Status LayerWriter::mark_opaque(const std::string& rel) {
  SHOAL_ASSIGN_OR_RETURN(int fd, dir(rel, true));
  if (::fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) != 0)
    return sys_error(errno, "marking opaque", rel);
  return Status::ok();
}

Status LayerWriter::finish() {
  // Deepest first, so setting a directory's mtime comes after its children changed it; a
  // directory named twice gets its last entry's attributes.
  std::stable_sort(fixes_.begin(), fixes_.end(), [](const DirFix& a, const DirFix& b) {
    return std::count(a.rel.begin(), a.rel.end(), '/') >
           std::count(b.rel.begin(), b.rel.end(), '/');
  });
  for (const DirFix& f : fixes_) {
    auto fd = dir(f.rel, false);
    if (!fd.is_ok()) continue;  // replaced by a later non-directory entry
    if (::fchown(*fd, f.uid, f.gid) != 0) return sys_error(errno, "chown", f.rel);
    if (::fchmod(*fd, f.mode) != 0) return sys_error(errno, "chmod", f.rel);
    timespec times[2] = {f.mtime, f.mtime};
    if (::futimens(*fd, times) != 0) return sys_error(errno, "setting times of", f.rel);
  }
  fixes_.clear();
  for (auto& [rel, fd] : dirs_) ::close(fd);
  dirs_.clear();
  return Status::ok();
}

}  // namespace shoal::runtime::image
