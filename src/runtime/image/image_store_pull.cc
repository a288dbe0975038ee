// ImageStore's registry side: pull and distribution (image_store.h).
#include <spdlog/spdlog.h>

#include <atomic>
#include <thread>

#include "common/mutex.h"
#include "runtime/image/digest.h"
#include "runtime/image/image_store.h"
#include "runtime/image/layer_unpack.h"

namespace shoal::runtime::image {
namespace fs = std::filesystem;
namespace {

constexpr int64_t kProgressStep = 512 * 1024;  // bytes between two "Downloading" events

// Serializes progress calls from the layer workers.
class Progress {
 public:
  explicit Progress(const ProgressFn& fn) : fn_(fn) {}
  void operator()(std::string status, std::string id = "", int64_t current = -1,
                  int64_t total = -1) {
    if (!fn_) return;
    MutexLock lock(mu_);
    fn_(PullProgress{std::move(status), std::move(id), current, total});
  }

 private:
  const ProgressFn& fn_;
  Mutex mu_;
};

// The platform manifest `top` leads to (itself, or the index entry for `platform`).
Result<std::pair<Manifest, FetchedManifest>> platform_manifest(RegistryClient& client,
                                                               FetchedManifest top,
                                                               const Platform& platform) {
  SHOAL_ASSIGN_OR_RETURN(ManifestDocument doc, parse_manifest(top.bytes, top.media_type));
  if (auto* index = std::get_if<Index>(&doc)) {
    SHOAL_ASSIGN_OR_RETURN(Descriptor d, select_platform(*index, platform));
    SHOAL_ASSIGN_OR_RETURN(top, client.manifest(d.digest));
    SHOAL_ASSIGN_OR_RETURN(doc, parse_manifest(top.bytes, top.media_type));
  }
  auto* manifest = std::get_if<Manifest>(&doc);
  if (manifest == nullptr)
    return Status(Code::kInvalidArgument, "invalid manifest: an index inside an index");
  return std::make_pair(std::move(*manifest), std::move(top));
}

}  // namespace

Result<Image> ImageStore::pull(std::string_view reference, const RegistryAuth& auth,
                               const ProgressFn& progress) {
  SHOAL_ASSIGN_OR_RETURN(Reference ref, parse_reference(reference));
  ref = with_default_tag(std::move(ref));
  return pulls_.run(ref.string(), [&] { return pull_once(ref, auth, progress); });
}

Result<Image> ImageStore::pull_once(const Reference& ref, const RegistryAuth& auth,
                                    const ProgressFn& progress_fn) {
  Progress progress(progress_fn);
  RegistryClient client(ref, auth, options_.registry);
  std::string tag_or_digest = ref.digest.empty() ? ref.tag : ref.digest;
  SHOAL_ASSIGN_OR_RETURN(FetchedManifest top, client.manifest(tag_or_digest));
  const std::string top_digest = top.digest;
  progress("Pulling from " + ref.path, tag_or_digest);
  SHOAL_ASSIGN_OR_RETURN(auto resolved,
                         platform_manifest(client, std::move(top), options_.platform));
  const Manifest& manifest = resolved.first;
  SHOAL_ASSIGN_OR_RETURN(std::string config, client.blob(manifest.config.digest, "config"));
  SHOAL_ASSIGN_OR_RETURN(ConfigInfo info, parse_config(config));
  if (info.diff_ids.size() != manifest.layers.size()) {
    return error(Code::kInvalidArgument, "invalid manifest {}: {} layers but its config has {}",
                 resolved.second.digest, manifest.layers.size(), info.diff_ids.size());
  }
  pin(info.diff_ids);
  auto image = [&]() -> Result<Image> {
    ReportFn report = [&](std::string status, std::string id, int64_t current, int64_t total) {
      progress(std::move(status), std::move(id), current, total);
    };
    SHOAL_RETURN_IF_ERROR(fetch_layers(client, manifest, info.diff_ids, report));
    SHOAL_RETURN_IF_ERROR(
        content_.put_blob(resolved.second.digest, resolved.second.bytes, "manifest"));
    std::vector<std::string> refs;
    if (!ref.tag.empty() && ref.digest.empty()) refs.push_back(ref.string());
    refs.push_back(ref.name() + "@" + top_digest);
    bool up_to_date = false;
    {
      MutexLock lock(mu_);
      auto it = state_.images.find(manifest.config.digest);
      up_to_date =
          it != state_.images.end() &&
          std::all_of(refs.begin(), refs.end(), [&](const std::string& r) {
            return std::find(it->second.repo_tags.begin(), it->second.repo_tags.end(), r) !=
                       it->second.repo_tags.end() ||
                   std::find(it->second.repo_digests.begin(), it->second.repo_digests.end(), r) !=
                       it->second.repo_digests.end();
          });
    }
    SHOAL_ASSIGN_OR_RETURN(auto moved, commit_image(config, manifest.config.digest, info.diff_ids,
                                                    resolved.second.digest, refs));
    (void)moved;
    progress("Digest: " + top_digest);
    progress(std::string(up_to_date ? "Status: Image is up to date for "
                                    : "Status: Downloaded newer image for ") +
             ref.familiar_string());
    MutexLock lock(mu_);
    return make_image(state_.images.at(manifest.config.digest));
  }();
  unpin(info.diff_ids);
  return image;
}

// Fetches and unpacks the layers not present yet, up to max_parallel_layers at once. The
// first failure stops the workers from starting more; its error is returned.
Status ImageStore::fetch_layers(RegistryClient& client, const Manifest& manifest,
                                const std::vector<std::string>& diff_ids, const ReportFn& report) {
  std::vector<size_t> todo;
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    if (content_.has_layer(diff_ids[i])) {
      report("Already exists", short_id(manifest.layers[i].digest), -1, -1);
    } else {
      todo.push_back(i);
      report("Pulling fs layer", short_id(manifest.layers[i].digest), -1, -1);
    }
  }
  std::atomic<size_t> next{0};
  Mutex mu;
  Status first;
  auto worker = [&] {
    while (true) {
      {
        MutexLock lock(mu);
        if (!first.is_ok()) return;
      }
      size_t k = next.fetch_add(1);
      if (k >= todo.size()) return;
      const Descriptor& layer = manifest.layers[todo[k]];
      Status st = fetch_layer(client, layer, diff_ids[todo[k]], report);
      if (!st.is_ok()) {
        MutexLock lock(mu);
        if (first.is_ok()) first = st;
      }
    }
  };
  size_t n = std::min(std::max<size_t>(options_.max_parallel_layers, 1), todo.size());
  std::vector<std::thread> workers;
  for (size_t i = 1; i < n; ++i) workers.emplace_back(worker);
  if (n > 0) worker();
  for (auto& t : workers) t.join();
  return first;
}

Status ImageStore::fetch_layer(RegistryClient& client, const Descriptor& layer,
                               const std::string& diff_id, const ReportFn& report) {
  std::string id = short_id(layer.digest);
  SHOAL_ASSIGN_OR_RETURN(fs::path file, content_.temp_file("download-"));
  int64_t last = 0;
  auto on_bytes = [&](int64_t got) {
    if (got - last >= kProgressStep || got == layer.size) {
      last = got;
      report("Downloading", id, got, layer.size);
    }
  };
  Status st = client.blob_to_file(layer.digest, file, on_bytes, "layer");
  if (st.is_ok()) {
    report("Verifying Checksum", id, -1, -1);
    report("Download complete", id, -1, -1);
    report("Extracting", id, -1, -1);
    st = ensure_layer(diff_id, file, layer.digest);
  }
  std::error_code ec;
  fs::remove(file, ec);
  if (st.is_ok()) report("Pull complete", id, -1, -1);
  return st;
}

Status ImageStore::login(std::string_view server, const RegistryAuth& auth) {
  std::string host(server);
  if (auto scheme = host.find("://"); scheme != std::string::npos) host.erase(0, scheme + 3);
  if (auto slash = host.find('/'); slash != std::string::npos) host.resize(slash);
  if (host.empty() || host == "index.docker.io" || host == "registry-1.docker.io")
    host = "docker.io";
  // The same rules as a reference's domain: a name or address, with a port.
  auto probe = parse_reference(host + "/x");
  if (!probe.is_ok() || probe->domain != host) {
    return error(Code::kInvalidArgument, "invalid registry address \"{}\"", server);
  }
  Reference registry;
  registry.domain = host;
  return RegistryClient(registry, auth, options_.registry).ping();
}

Result<DistributionInfo> ImageStore::distribution(std::string_view reference,
                                                  const RegistryAuth& auth) {
  if (reference.starts_with(kSha256Prefix) ||
      (reference.size() == 64 && is_hex_prefix(reference))) {
    return Status(Code::kInvalidArgument, "no manifest found for full image ID");
  }
  SHOAL_ASSIGN_OR_RETURN(Reference ref, parse_reference(reference));
  ref = with_default_tag(std::move(ref));
  RegistryClient client(ref, auth, options_.registry);
  SHOAL_ASSIGN_OR_RETURN(FetchedManifest top,
                         client.manifest(ref.digest.empty() ? ref.tag : ref.digest));
  SHOAL_ASSIGN_OR_RETURN(ManifestDocument doc, parse_manifest(top.bytes, top.media_type));
  DistributionInfo info;
  info.digest = top.digest;
  info.size = static_cast<int64_t>(top.bytes.size());
  if (auto* index = std::get_if<Index>(&doc)) {
    info.media_type = index->mediaType;
    for (const auto& d : index->manifests) {
      if (d.platform) info.platforms.push_back(*d.platform);
    }
    return info;
  }
  const Manifest& m = std::get<Manifest>(doc);
  info.media_type = m.mediaType;
  // moby reads the config for the platform and answers without one when it cannot.
  if (auto config = client.blob(m.config.digest, "config"); config.is_ok()) {
    if (auto c = parse_config(*config); c.is_ok() && (!c->os.empty() || !c->architecture.empty())) {
      info.platforms.push_back({c->os, c->architecture, c->variant});
    }
  }
  return info;
}

}  // namespace shoal::runtime::image
