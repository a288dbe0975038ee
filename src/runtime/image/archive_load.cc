#include "runtime/image/archive_load.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "runtime/image/content_store.h"
#include "runtime/image/digest.h"
#include "runtime/image/layer_unpack.h"
#include "runtime/image/layer_writer.h"
#include "runtime/image/reference.h"

namespace shoal::runtime::image {
namespace fs = std::filesystem;
namespace {

using nlohmann::json;

Status invalid(std::string_view why) {
  return error(Code::kInvalidArgument, "invalid archive: {}", why);
}

struct ReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
Status extract(archive* in, const fs::path& dir) {
  SHOAL_ASSIGN_OR_RETURN(LayerWriter writer, LayerWriter::open(dir));
  archive_entry* entry = nullptr;
  int r;
  while ((r = archive_read_next_header(in, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    const char* name = archive_entry_pathname(entry);
    std::optional<std::string> rel = clean_layer_path(name ? name : "");
    if (!rel) return invalid(fmt::format("path {} leaves the archive", name));
    auto type = archive_entry_filetype(entry);
    bool wanted = type == AE_IFREG || type == AE_IFDIR || type == AE_IFLNK;
    if (rel->empty() || !wanted || archive_entry_hardlink(entry) != nullptr) continue;
    Status st = writer.write(in, entry, *rel);
    if (!st.is_ok()) {
      if (st.code() != Code::kInvalidArgument) return st;
      return invalid(st.message().substr(st.message().starts_with("invalid layer: ") ? 15 : 0));
    }
  }
  if (r != ARCHIVE_EOF) return invalid(archive_error_string(in));
  return writer.finish();
}

std::unique_ptr<archive, ReadFree> tar_reader() {
  std::unique_ptr<archive, ReadFree> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  return a;
}

// `rel` resolved inside `dir` (symlinks followed, but only within it).
Result<fs::path> inside(const fs::path& dir, std::string_view rel) {
  std::error_code ec;
  fs::path root = fs::canonical(dir, ec);
  fs::path p = fs::weakly_canonical(dir / std::string(rel), ec);
  std::string r = root.string() + "/";
  if (ec || !p.string().starts_with(r))
    return invalid(fmt::format("path {} leaves the archive", rel));
  if (!fs::is_regular_file(p, ec)) return invalid(fmt::format("{} is missing", rel));
  return p;
}

Result<json> read_json(const fs::path& dir, std::string_view rel) {
  SHOAL_ASSIGN_OR_RETURN(fs::path p, inside(dir, rel));
  SHOAL_ASSIGN_OR_RETURN(std::string bytes, read_whole_file(p));
  json j = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid(fmt::format("{} is not JSON", rel));
  return j;
}

Result<std::string> normalized_tag(const std::string& tag) {
  auto ref = parse_reference(tag);
  if (!ref.is_ok() || !ref->digest.empty()) return invalid(fmt::format("bad repo tag {}", tag));
  return with_default_tag(*ref).string();
}

// The config at `rel`, checked against its digest when the path names one.
Status read_config(const fs::path& dir, std::string_view rel, ArchiveImage& img) {
  SHOAL_ASSIGN_OR_RETURN(fs::path p, inside(dir, rel));
  SHOAL_ASSIGN_OR_RETURN(img.config, read_whole_file(p));
  img.config_digest = sha256_digest(img.config);
  // "<hex>.json" (legacy) or "blobs/sha256/<hex>" (Docker 25+) names the config's digest.
  std::string name = fs::path(std::string(rel)).filename().string();
  if (name.ends_with(".json")) name.resize(name.size() - 5);
  if (name.size() == 64 && is_hex_prefix(name) && img.config_digest != "sha256:" + name) {
    return error(Code::kDataLoss, "config sha256:{} digest mismatch: content is {}", name,
                 img.config_digest);
  }
  return Status::ok();
}

Result<ArchiveImage> docker_save_image(const fs::path& dir, const json& entry) {
  ArchiveImage img;
  if (!entry.is_object() || !entry.contains("Config") || !entry["Config"].is_string()) {
    return invalid("manifest.json entry without Config");
  }
  SHOAL_RETURN_IF_ERROR(read_config(dir, entry["Config"].get<std::string>(), img));
  SHOAL_ASSIGN_OR_RETURN(ConfigInfo info, parse_config(img.config));
  auto layers = entry.value("Layers", std::vector<std::string>{});
  if (layers.size() != info.diff_ids.size()) {
    return invalid(fmt::format("image {} lists {} layers but its config {}", img.config_digest,
                               layers.size(), info.diff_ids.size()));
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    SHOAL_ASSIGN_OR_RETURN(fs::path file, inside(dir, layers[i]));
    img.layers.push_back({file, info.diff_ids[i], ""});
  }
  if (auto tags = entry.find("RepoTags"); tags != entry.end() && tags->is_array()) {
    for (const auto& t : *tags) {
      if (!t.is_string()) continue;
      SHOAL_ASSIGN_OR_RETURN(std::string tag, normalized_tag(t.get<std::string>()));
      img.repo_tags.push_back(std::move(tag));
    }
  }
  return img;
}

std::string blob_rel(const std::string& digest) {
  return "blobs/sha256/" + digest.substr(kSha256Prefix.size());
}

Result<std::string> read_blob(const fs::path& dir, const Descriptor& d) {
  SHOAL_ASSIGN_OR_RETURN(fs::path p, inside(dir, blob_rel(d.digest)));
  SHOAL_ASSIGN_OR_RETURN(std::string bytes, read_whole_file(p));
  if (sha256_digest(bytes) != d.digest) {
    return error(Code::kDataLoss, "blob {} digest mismatch", d.digest);
  }
  return bytes;
}

Result<ArchiveImage> oci_image(const fs::path& dir, Descriptor desc, const Platform& platform) {
  SHOAL_ASSIGN_OR_RETURN(std::string bytes, read_blob(dir, desc));
  SHOAL_ASSIGN_OR_RETURN(ManifestDocument doc, parse_manifest(bytes, desc.mediaType));
  if (auto* index = std::get_if<Index>(&doc)) {
    SHOAL_ASSIGN_OR_RETURN(desc, select_platform(*index, platform));
    SHOAL_ASSIGN_OR_RETURN(bytes, read_blob(dir, desc));
    SHOAL_ASSIGN_OR_RETURN(doc, parse_manifest(bytes, desc.mediaType));
  }
  auto* manifest = std::get_if<Manifest>(&doc);
  if (manifest == nullptr) return invalid("an index inside an index inside an index");
  ArchiveImage img;
  img.manifest = bytes;
  img.manifest_digest = desc.digest;
  SHOAL_ASSIGN_OR_RETURN(img.config, read_blob(dir, manifest->config));
  img.config_digest = manifest->config.digest;
  SHOAL_ASSIGN_OR_RETURN(ConfigInfo info, parse_config(img.config));
  if (manifest->layers.size() != info.diff_ids.size()) {
    return invalid(fmt::format("manifest {} has {} layers but its config {}", desc.digest,
                               manifest->layers.size(), info.diff_ids.size()));
  }
  for (size_t i = 0; i < manifest->layers.size(); ++i) {
    const Descriptor& l = manifest->layers[i];
    SHOAL_ASSIGN_OR_RETURN(fs::path file, inside(dir, blob_rel(l.digest)));
    img.layers.push_back({file, info.diff_ids[i], l.digest});
  }
  return img;
}

// The name an OCI index entry gives its image: containerd's full-name annotation, else
// ref.name when it is a whole reference (a bare tag names no repository).
Result<std::vector<std::string>> oci_names(const Descriptor& d) {
  std::string name;
  if (auto it = d.annotations.find("io.containerd.image.name"); it != d.annotations.end()) {
    name = it->second;
  } else if (auto ref = d.annotations.find("org.opencontainers.image.ref.name");
             ref != d.annotations.end() && ref->second.find_first_of("/:") != std::string::npos) {
    name = ref->second;
  }
  if (name.empty()) return std::vector<std::string>{};
  SHOAL_ASSIGN_OR_RETURN(std::string tag, normalized_tag(name));
  return std::vector<std::string>{tag};
}

Result<std::vector<ArchiveImage>> read_oci_layout(const fs::path& dir, const Platform& platform) {
  SHOAL_ASSIGN_OR_RETURN(json index, read_json(dir, "index.json"));
  SHOAL_ASSIGN_OR_RETURN(ManifestDocument doc, parse_manifest(index.dump()));
  auto* top = std::get_if<Index>(&doc);
  if (top == nullptr) return invalid("index.json is not an image index");
  std::vector<ArchiveImage> images;
  for (const Descriptor& d : top->manifests) {
    SHOAL_ASSIGN_OR_RETURN(ArchiveImage img, oci_image(dir, d, platform));
    SHOAL_ASSIGN_OR_RETURN(img.repo_tags, oci_names(d));
    images.push_back(std::move(img));
  }
  return images;
}

}  // namespace

Status extract_archive_file(const fs::path& source, const fs::path& dir) {
  auto a = tar_reader();
  if (archive_read_open_filename(a.get(), source.c_str(), 256 * 1024) != ARCHIVE_OK) {
    return invalid(fmt::format("{}: {}", source.string(), archive_error_string(a.get())));
  }
  return extract(a.get(), dir);
}

Status extract_archive_memory(std::string_view bytes, const fs::path& dir) {
  auto a = tar_reader();
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return invalid(archive_error_string(a.get()));
  }
  return extract(a.get(), dir);
}

Result<std::vector<ArchiveImage>> read_image_dir(const fs::path& dir, const Platform& platform) {
  std::error_code ec;
  if (fs::exists(dir / "manifest.json", ec)) {
    SHOAL_ASSIGN_OR_RETURN(json manifest, read_json(dir, "manifest.json"));
    if (!manifest.is_array()) return invalid("manifest.json is not a list");
    std::vector<ArchiveImage> images;
    for (const auto& entry : manifest) {
      SHOAL_ASSIGN_OR_RETURN(ArchiveImage img, docker_save_image(dir, entry));
      images.push_back(std::move(img));
    }
    return images;
  }
  if (fs::exists(dir / "index.json", ec)) return read_oci_layout(dir, platform);
  return invalid(
      "no manifest.json or index.json (images saved by Docker before 1.10 are not supported)");
}

}  // namespace shoal::runtime::image
