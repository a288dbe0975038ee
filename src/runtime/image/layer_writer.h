// LayerWriter: puts tar entries (read by libarchive) under a root directory with *at()
// system calls relative to directory descriptors, for layer_unpack.cc and archive_load.cc.
//
// Why not libarchive's archive_write_disk: it flips the process-wide umask around every
// entry (a multi-threaded daemon creates files meanwhile) and, to refuse symlink tricks,
// walks every path from "/" again per entry. Here each directory is opened once, component
// by component with O_NOFOLLOW|O_DIRECTORY from the root, and cached; the last component is
// created or replaced with *at() calls that never follow a symlink. So no entry can reach
// outside the root: a path through a symlink or a non-directory is refused (kInvalidArgument).
//
// Entries: directories (created 0700, their mode, owner and times applied at finish(), so a
// read-only directory still receives its children), regular files (sparse-aware; owner,
// then mode — chown clears set-id bits —, xattrs, times), symlinks, hardlinks (to an
// earlier entry), character and block devices, fifos. An existing entry at the path is
// replaced (a directory only by a directory, which keeps its contents). Sockets are skipped.
// xattrs of symlinks are not set (they need a path; overlayfs layers do not use them).
//
// Thread safety: one writer per thread; writers of different roots share nothing.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace shoal::runtime::image {

class LayerWriter {
 public:
  // REQUIRES: `root` is an existing directory. Errors: kInternal when it cannot be opened.
  static Result<LayerWriter> open(const std::filesystem::path& root);
  ~LayerWriter();
  LayerWriter(LayerWriter&&) noexcept;
  LayerWriter& operator=(LayerWriter&&) = delete;
  LayerWriter(const LayerWriter&) = delete;

  // Writes `entry` at `rel` (a cleaned relative path, not empty), its data read from `tar`.
  // A hardlink entry's target must be given cleaned in `link_rel`. Errors: kInvalidArgument
  // "invalid layer: ..." for a path through a symlink or a non-directory, a hardlink to a
  // missing entry or a directory, or an entry replacing a non-empty directory... ;
  // kInternal for file system errors (no space, I/O).
  Status write(archive* tar, archive_entry* entry, const std::string& rel,
               const std::string& link_rel = "");
  // An overlayfs whiteout (character device 0/0) at `rel`.
  Status whiteout(const std::string& rel, uid_t uid, gid_t gid);
  // trusted.overlay.opaque=y on the directory `rel` ("" = the root), created when missing.
  Status mark_opaque(const std::string& rel);
  // Applies the directories' modes, owners and times (deepest first) and closes every
  // descriptor. Call once, after the last entry.
  Status finish();

 private:
  explicit LayerWriter(int root_fd) : root_fd_(root_fd) {}
  // The directory `rel` ("" = root), opened without following symlinks; created (0700,
  // with its parents) when `create`. Cached.
  Result<int> dir(const std::string& rel, bool create);
  // Removes what is at (parent, name) unless it is a directory and `keep_dir`; true when a
  // directory was kept.
  Result<bool> clear(int parent, const std::string& name, const std::string& rel, bool keep_dir);
  void forget(const std::string& rel);  // drops cached descriptors of rel and below
  Status regular(archive* tar, archive_entry* entry, int parent, const std::string& name,
                 const std::string& rel);

  struct DirFix {
    std::string rel;
    mode_t mode;
    uid_t uid;
    gid_t gid;
    timespec mtime;
  };

  int root_fd_ = -1;
  std::unordered_map<std::string, int> dirs_;  // rel → O_DIRECTORY descriptor (root excluded)
  std::vector<DirFix> fixes_;
};

}  // namespace shoal::runtime::image
