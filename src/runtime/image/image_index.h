// The image index: which images the store has, the names that point at them, and the size
// of each unpacked layer. One JSON file (<root>/index.json), replaced whole on every change
// with write_file_atomic (temp + fsync + rename + fsync of the directory): a reader or a
// daemon restarted after a crash sees the last complete write, never a partial one.
//
// Invariants (kept by ImageStore, checked by validate()): a repo tag or repo digest names at
// most one image; every image's layers have a size entry. References are stored normalized
// and fully qualified ("docker.io/library/busybox:latest"); the API shows the familiar form.
//
// Thread safety: IndexState is a value; load_index/save_index touch only their file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace shoal::runtime::image {

struct ImageRecord {
  std::string id;                         // "sha256:<config digest hex>"
  std::vector<std::string> diff_ids;      // layers, lowest first
  std::string manifest_digest;            // "" for images loaded from a docker save archive
  std::vector<std::string> repo_tags;     // "docker.io/library/busybox:1"
  std::vector<std::string> repo_digests;  // "docker.io/library/busybox@sha256:..."
  Timestamp added;                        // when it came into the store

  bool operator==(const ImageRecord&) const = default;
};

struct IndexState {
  std::map<std::string, ImageRecord> images;   // by id
  std::map<std::string, int64_t> layer_sizes;  // diff ID → bytes of regular files

  bool operator==(const IndexState&) const = default;
};

// Reads the index. A missing file is an empty index. Errors: kDataLoss "image index <path>
// is corrupt: <why>" when the file does not parse (it is only ever replaced whole, so this
// means the disk changed under us); kInternal for read errors.
Result<IndexState> load_index(const std::filesystem::path& path);

// Replaces the index file with `state` (see the file comment). Errors: kInternal.
Status save_index(const std::filesystem::path& path, const IndexState& state,
                  const std::filesystem::path& tmp_dir);

// kInternal naming the first broken invariant, OK otherwise.
Status validate(const IndexState& state);

}  // namespace shoal::runtime::image
