// Reading image archives: `docker save` tarballs (manifest.json with RepoTags; legacy
// <id>/layer.tar or Docker 25+ blobs/sha256/ paths; layers plain or gzip-compressed) and
// OCI image layouts (oci-layout, index.json, blobs/; a directory or a tar of one), with
// platform selection for nested indexes.
//
// An archive is first extracted into a private directory (extract_archive), then read from
// there (read_image_dir): the order of entries in a tar does not matter, and every path the
// archive names is checked to stay inside that directory. Images saved by Docker before
// 1.10 (no manifest.json) are refused.
//
// Thread safety: pure functions of their inputs (and the files they read).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/image/manifest.h"

namespace shoal::runtime::image {

struct ArchiveLayer {
  std::filesystem::path file;  // inside the extracted directory
  std::string diff_id;         // from the config: checked while unpacking
  std::string blob_digest;     // OCI layouts: the descriptor's digest (checked); "" otherwise
};

struct ArchiveImage {
  std::string config_digest;           // the image ID
  std::string config;                  // its bytes
  std::vector<ArchiveLayer> layers;    // lowest first
  std::vector<std::string> repo_tags;  // normalized full references
  std::string manifest_digest;         // OCI layouts only
  std::string manifest;
};

// Extracts a tar stream (plain or compressed) into the existing directory `dir`: regular
// files, directories and symlinks (never followed), no owners. Errors: kInvalidArgument
// "invalid archive: ..." for a stream that is not a tar or an entry leaving `dir`;
// kInternal for write errors.
Status extract_archive_file(const std::filesystem::path& source, const std::filesystem::path& dir);
Status extract_archive_memory(std::string_view bytes, const std::filesystem::path& dir);

// The images in an extracted archive or layout directory; `platform` picks the manifest of
// a nested index. Errors: kInvalidArgument "invalid archive: ..." naming what is missing or
// malformed (a config whose layer count differs from its manifest's, a tag that is not a
// valid reference, a path outside `dir`); kDataLoss for a config whose bytes do not match
// the digest it is named by; manifest.h's errors.
Result<std::vector<ArchiveImage>> read_image_dir(const std::filesystem::path& dir,
                                                 const Platform& platform);

}  // namespace shoal::runtime::image
