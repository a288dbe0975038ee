// Unpacking one image layer (a tar stream, plain or compressed: gzip, zstd, xz, bzip2)
// into a directory that overlayfs can use as a lower layer; libarchive reads and
// decompresses the stream.
//
// What lands on disk: regular files, directories, symlinks (targets kept as written, also
// absolute or escaping ones: they are links for the container, never followed here),
// hardlinks (to an earlier entry of the same layer), device nodes and fifos, modes,
// uid/gid (numeric), mtimes and xattrs (PAX SCHILY.xattr) when present. OCI whiteouts become
// overlayfs whiteouts: `dir/.wh.name` → a character device 0/0 at `dir/name`;
// `dir/.wh..wh..opq` → the xattr trusted.overlay.opaque=y on `dir`. Other `.wh..wh.` names
// (aufs bookkeeping) are skipped.
//
// Refused (kInvalidArgument "invalid layer: ..."): an entry or hardlink target whose path,
// cleaned lexically as Docker does, leaves the layer ("../x"), and any entry whose
// destination would pass through a symlink (or a non-directory) made by an earlier entry:
// the files are written by LayerWriter (layer_writer.h), which never follows a symlink, so
// a layer cannot write outside its directory.
//
// All or nothing: entries go into a fresh directory under `staging`, which is renamed to
// `dest` only when the whole stream was read and both digests match; on any failure it is
// removed, so `dest` either does not exist or is complete. Durability is the caller's: the
// image store syncs the file system (ContentStore::sync) before it commits an image that
// refers to the layer, and drops unreferenced layers when it opens.
//
// Thread safety: unpack_layer() may run concurrently for different `dest`s (temp names are
// unique). Two unpacks of the same `dest` both succeed; the second finds it there and
// discards its copy.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shoal::runtime::image {

struct UnpackExpect {
  // Digest of the uncompressed tar stream (the config's diff ID); "" = not checked.
  std::string diff_id;
  // Digest of the bytes of `source` as read (a registry blob, maybe compressed); "" = not
  // checked.
  std::string blob_digest;
};

struct UnpackedLayer {
  std::string diff_id;      // sha256 of the uncompressed stream
  std::string blob_digest;  // sha256 of the source bytes
  int64_t size = 0;         // bytes of the regular files written
};

// Unpacks the layer file `source` into `dest` (see the file comment). REQUIRES: `staging`
// is an existing directory on the same file system as `dest`'s parent, which exists.
// Errors: kDataLoss "layer <digest> digest mismatch: content is <actual>" when a digest in
// `expect` does not match (the diff ID is named when both are given and it differs);
// kInvalidArgument "invalid layer: ..." for an unreadable archive or a refused entry;
// kInternal for file system errors. When `dest` appears meanwhile (a concurrent unpack of
// the same layer), this copy is discarded and the result describes the content read.
Result<UnpackedLayer> unpack_layer(const std::filesystem::path& source,
                                   const std::filesystem::path& staging,
                                   const std::filesystem::path& dest, const UnpackExpect& expect);

// An entry's path cleaned as Go's filepath.Clean does, relative to the layer root ("" for
// the root itself): "./a//b/" → "a/b", "/a/../b" → "b", "/../x" → "x" (a rooted path
// cannot climb above the root). nullopt when a relative path climbs out: "../x", "a/../../x".
std::optional<std::string> clean_layer_path(std::string_view name);

// Removes `path` recursively without following symlinks; errors are ignored (best effort
// cleanup of temporary and abandoned directories).
void remove_tree(const std::filesystem::path& path);

}  // namespace shoal::runtime::image
