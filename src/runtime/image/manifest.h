// The image formats the store reads, parsed into plain values: OCI and Docker schema 2
// manifests, OCI indexes and Docker manifest lists, image configs; and the choice of one
// platform's manifest from an index (pure, table-tested).
//
// Docker schema 1 manifests are refused (kInvalidArgument, as Docker 28 does); foreign and
// non-distributable layers are pulled like any other layer (their URLs are not followed).
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "runtime/image/image.h"

namespace shoal::runtime::image {

namespace media {
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kDockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
// What a registry is asked for (Accept), best first.
inline constexpr std::string_view kManifestAccept =
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json";
}  // namespace media

struct Platform {
  std::string os;            // "linux"
  std::string architecture;  // "amd64", "arm64", "arm"
  std::string variant;       // "" or "v7", "v8"

  // "linux/amd64" or "linux/arm/v7"
  std::string string() const;
  bool operator==(const Platform&) const = default;
};

struct Descriptor {
  std::string mediaType;
  std::string digest;  // "sha256:<hex>" (checked when parsed)
  int64_t size = 0;
  std::optional<Platform> platform;
  std::map<std::string, std::string> annotations;
};

struct Manifest {
  std::string mediaType;
  Descriptor config;
  std::vector<Descriptor> layers;
};

struct Index {
  std::string mediaType;
  std::vector<Descriptor> manifests;
};

// A manifest document is one or the other.
using ManifestDocument = std::variant<Manifest, Index>;

// Parses a manifest or index. The kind comes from the document's mediaType, else from
// `content_type` (a registry's Content-Type), else from its shape ("manifests" vs "layers").
// Errors: kInvalidArgument "invalid manifest: <why>" for malformed JSON, a missing or
// malformed digest; kInvalidArgument "unsupported manifest media type <t>" for schema 1
// ("Docker Image manifest version 2, schema 1 ... is no longer supported") and other types.
Result<ManifestDocument> parse_manifest(std::string_view body, std::string_view content_type = "");

// The parts of an image config the store keeps.
struct ConfigInfo {
  ImageConfig config;
  std::string os;
  std::string architecture;
  std::string variant;
  std::string author;
  Timestamp created;                  // zero when absent or malformed
  std::vector<std::string> diff_ids;  // rootfs.diff_ids, lowest first
};

// Parses an image config blob. Errors: kInvalidArgument "invalid image config: <why>" for
// malformed JSON, a rootfs type other than "layers", or a malformed diff ID.
Result<ConfigInfo> parse_config(std::string_view body);

// "amd64" for "x86_64"/"x86-64", "arm64" for "aarch64", "386" for "i386".."i686"; others as
// given, lower-cased.
std::string normalize_architecture(std::string_view arch);

// The platform of this host (linux, uname's machine normalized; arm64 → variant "v8",
// arm → "v7").
Platform host_platform();

// The best entry of `index` for `want` (containerd's matcher, simplified): os and
// architecture must equal want's (normalized); an entry's variant must equal want's, or be
// empty, or (arm) be an older variant want can run (v7 runs v6, v5); arm64 treats "" and
// "v8" as the same. Exact variants rank first, then empty, then older variants, newest
// first; ties keep index order. Entries without a platform never match.
// Errors: kNotFound "no matching manifest for <want> in the manifest list entries" (Docker's
// text).
Result<Descriptor> select_platform(const Index& index, const Platform& want);

}  // namespace shoal::runtime::image
