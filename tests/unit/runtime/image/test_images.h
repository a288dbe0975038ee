// Test helper: image archives built in memory — layers (tar, optionally gzip), configs,
// manifests — written as `docker save` or OCI layout tarballs, and served by the fake
// registry.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/image/digest.h"
#include "runtime/image/image_store.h"
#include "runtime/image/manifest.h"
#include "tar_builder.h"
#include "test_dir.h"

namespace shoal::runtime::image::testing {

// An image store at `root` that picks linux/amd64 from multi-platform images, as the image
// tests expect whatever machine runs them.
inline Result<std::unique_ptr<ImageStore>> open_amd64_store(const std::filesystem::path& root) {
  ImageStoreOptions options;
  options.root = root;
  options.platform = {"linux", "amd64", ""};
  return ImageStore::open(options);
}

struct TestLayer {
  std::string tar;   // uncompressed
  std::string blob;  // as shipped (gzip or the tar itself)
  std::string diff_id() const { return sha256_digest(tar); }
  std::string digest() const { return sha256_digest(blob); }
};

// A layer holding `files` (name → content), gzip-compressed when `gzip`.
inline TestLayer make_layer(const std::filesystem::path& scratch,
                            const std::map<std::string, std::string>& files, bool gzip = true) {
  TestLayer l;
  {
    TarBuilder t(scratch.string());
    for (const auto& [name, content] : files) t.file(name, content);
  }
  l.tar = read_text(scratch);
  if (gzip) {
    {
      TarBuilder t(scratch.string(), TarBuilder::Compression::kGzip);
      for (const auto& [name, content] : files) t.file(name, content);
    }
    l.blob = read_text(scratch);
  } else {
    l.blob = l.tar;
  }
  return l;
}

struct TestImage {
  std::vector<TestLayer> layers;
  std::string config;
  std::string manifest;  // OCI manifest

  std::string id() const { return sha256_digest(config); }
  std::string manifest_digest() const { return sha256_digest(manifest); }
};

inline TestImage make_image(std::vector<TestLayer> layers, const std::string& arch = "amd64",
                            const std::vector<std::string>& cmd = {"sh"}) {
  TestImage img;
  img.layers = std::move(layers);
  nlohmann::json diff_ids = nlohmann::json::array();
  for (const auto& l : img.layers) diff_ids.push_back(l.diff_id());
  nlohmann::json config = {{"architecture", arch},
                           {"os", "linux"},
                           {"created", "2024-01-02T03:04:05Z"},
                           {"config", {{"Cmd", cmd}, {"Env", {"PATH=/bin"}}}},
                           {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  img.config = config.dump();
  nlohmann::json layers_json = nlohmann::json::array();
  for (const auto& l : img.layers) {
    layers_json.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                           {"digest", l.digest()},
                           {"size", l.blob.size()}});
  }
  nlohmann::json manifest = {
      {"schemaVersion", 2},
      {"mediaType", media::kOciManifest},
      {"config",
       {{"mediaType", media::kOciConfig}, {"digest", img.id()}, {"size", img.config.size()}}},
      {"layers", layers_json}};
  img.manifest = manifest.dump();
  return img;
}

// An OCI index of `images` with their platforms (architecture from each config).
inline std::string make_index(const std::vector<TestImage>& images) {
  nlohmann::json manifests = nlohmann::json::array();
  for (const auto& img : images) {
    auto config = nlohmann::json::parse(img.config);
    manifests.push_back(
        {{"mediaType", media::kOciManifest},
         {"digest", img.manifest_digest()},
         {"size", img.manifest.size()},
         {"platform", {{"os", "linux"}, {"architecture", config["architecture"]}}}});
  }
  return nlohmann::json{
      {"schemaVersion", 2}, {"mediaType", media::kOciIndex}, {"manifests", manifests}}
      .dump();
}

// `docker save` (legacy layout) of images with their tags.
inline void write_docker_save(
    const std::filesystem::path& out,
    const std::vector<std::pair<TestImage, std::vector<std::string>>>& images) {
  TarBuilder t(out.string());
  nlohmann::json manifest = nlohmann::json::array();
  for (const auto& [img, tags] : images) {
    std::string config_name = img.id().substr(7) + ".json";
    t.file(config_name, img.config);
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : img.layers) {
      std::string name = l.diff_id().substr(7) + "/layer.tar";
      t.file(name, l.blob);
      layers.push_back(name);
    }
    manifest.push_back({{"Config", config_name}, {"RepoTags", tags}, {"Layers", layers}});
  }
  t.file("manifest.json", manifest.dump());
}

// An OCI layout tar: blobs of every image (+ `index` as the top entry when not empty,
// else one entry per image), names from io.containerd.image.name.
inline void write_oci_layout(const std::filesystem::path& out, const std::vector<TestImage>& images,
                             const std::string& name, bool as_index) {
  TarBuilder t(out.string());
  t.file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  auto blob = [&](const std::string& bytes) {
    t.file("blobs/sha256/" + sha256_digest(bytes).substr(7), bytes);
  };
  nlohmann::json manifests = nlohmann::json::array();
  for (const auto& img : images) {
    blob(img.config);
    blob(img.manifest);
    for (const auto& l : img.layers) blob(l.blob);
    if (!as_index) {
      manifests.push_back({{"mediaType", media::kOciManifest},
                           {"digest", img.manifest_digest()},
                           {"size", img.manifest.size()},
                           {"annotations", {{"io.containerd.image.name", name}}}});
    }
  }
  if (as_index) {
    std::string index = make_index(images);
    blob(index);
    manifests.push_back({{"mediaType", media::kOciIndex},
                         {"digest", sha256_digest(index)},
                         {"size", index.size()},
                         {"annotations", {{"org.opencontainers.image.ref.name", name}}}});
  }
  t.file("index.json", nlohmann::json{{"schemaVersion", 2}, {"manifests", manifests}}.dump());
}

}  // namespace shoal::runtime::image::testing
