// The image store's files under its root (<data-dir>/images):
//
//   blobs/sha256/<hex>   manifests, indexes and configs, content-addressed
//   layers/<hex>/        one unpacked layer per diff ID (hex of the diff ID): an overlayfs
//                        lower dir, shared by every image that has that layer
//   tmp/                 temporary files and directories; emptied at open
//   index.json           the image index (image_index.h)
//
// Every file appears by rename(2) of a complete temporary under tmp/, so a crash leaves
// either nothing or a whole file; what an image needs is made durable by one sync() before
// the index that names the image is written (image_store.h), not file by file. Layers are keyed by
// diff ID, not chain ID: an overlayfs lower dir does not depend on the layers under it, so one
// directory serves every image that has the layer, whatever its parents. Compressed layer blobs are
// not kept: once a layer is unpacked its directory is the truth, and a re-pull skips it by diff ID.
//
// Thread safety: all methods may be called concurrently; writes of the same blob are
// idempotent (same name, same content).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shoal::runtime::image {

class ContentStore {
 public:
  // Creates the directories under `root` as needed and empties tmp/. Errors: kInternal when
  // a directory cannot be created.
  static Result<ContentStore> open(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path tmp_dir() const { return root_ / "tmp"; }
  std::filesystem::path index_path() const { return root_ / "index.json"; }

  // Stores `bytes` as the blob `digest` after checking that they hash to it.
  // Errors: kDataLoss "<what> <digest> digest mismatch" when they do not; kInvalidArgument
  // for a malformed digest; kInternal for write errors.
  Status put_blob(std::string_view digest, std::string_view bytes,
                  std::string_view what = "blob") const;
  // The blob's bytes, verified against its digest. Errors: kNotFound when absent; kDataLoss
  // when the file no longer matches its digest; kInternal for read errors.
  Result<std::string> get_blob(std::string_view digest) const;
  bool has_blob(std::string_view digest) const;
  void remove_blob(std::string_view digest) const;
  // Digests of every stored blob.
  std::vector<std::string> blobs() const;

  // The directory of the layer with this diff ID (whether or not it exists).
  // REQUIRES: diff_id is a valid sha256 digest.
  std::filesystem::path layer_dir(std::string_view diff_id) const;
  bool has_layer(std::string_view diff_id) const;
  // Moves the layer's directory under tmp/ (one rename: its name is gone at once) and
  // returns where it went, for the caller to remove_tree() when convenient; nullopt when
  // there was no such layer or it could not be moved.
  std::optional<std::filesystem::path> detach_layer(std::string_view diff_id) const;
  // detach_layer() and removal.
  void remove_layer(std::string_view diff_id) const;
  // Diff IDs of every unpacked layer.
  std::vector<std::string> layers() const;

  // A new empty file under tmp/ ("<prefix>XXXXXX"), for downloads. Errors: kInternal.
  Result<std::filesystem::path> temp_file(std::string_view prefix) const;
  // A new empty directory under tmp/. Errors: kInternal.
  Result<std::filesystem::path> temp_dir(std::string_view prefix) const;

  // Makes everything written under the root so far durable (syncfs(2) of its file
  // system). Errors: kInternal.
  Status sync() const;

 private:
  explicit ContentStore(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path blob_path(std::string_view digest) const;

  std::filesystem::path root_;
};

// Writes `bytes` to `path` crash-safely: a temporary file in `tmp_dir` (same file system),
// fsync (when `durable`), rename over `path`, fsync of `path`'s directory (when `durable`).
// Readers see the old or the new content, never a mix. Errors: kInternal with the failing
// step.
Status write_file_atomic(const std::filesystem::path& path, std::string_view bytes,
                         const std::filesystem::path& tmp_dir, bool durable = true);

// The whole file. Errors: kNotFound when absent; kInternal for other read errors.
Result<std::string> read_whole_file(const std::filesystem::path& path);

}  // namespace shoal::runtime::image
