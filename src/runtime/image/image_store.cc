#include "runtime/image/image_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "common/mutex.h"
#include "runtime/image/archive_load.h"
#include "runtime/image/digest.h"
#include "runtime/image/layer_unpack.h"

namespace shoal::runtime::image {
namespace fs = std::filesystem;
namespace {

int64_t dir_size(const fs::path& dir) {
  int64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec))
      total += static_cast<int64_t>(it->file_size(ec));
  }
  return total;
}

std::vector<std::string> familiar_all(const std::vector<std::string>& refs) {
  std::vector<std::string> out;
  for (const auto& r : refs) out.push_back(familiar(r));
  return out;
}

}  // namespace

Result<std::unique_ptr<ImageStore>> ImageStore::open(ImageStoreOptions options) {
  SHOAL_ASSIGN_OR_RETURN(ContentStore content, ContentStore::open(options.root));
  SHOAL_ASSIGN_OR_RETURN(IndexState state, load_index(content.index_path()));
  std::unique_ptr<ImageStore> store(
      new ImageStore(std::move(options), std::move(content), std::move(state)));
  SHOAL_RETURN_IF_ERROR(store->collect_garbage());
  return store;
}

ImageStore::ImageStore(ImageStoreOptions options, ContentStore content, IndexState state)
    : options_(std::move(options)), content_(std::move(content)), state_(std::move(state)) {}

ImageStore::~ImageStore() = default;

// Drops images whose files are gone (kept: a log line) and removes layers and blobs no
// image references (what a crash between unpacking and committing left).
Status ImageStore::collect_garbage() {
  MutexLock lock(mu_);
  IndexState next = state_;
  for (auto it = next.images.begin(); it != next.images.end();) {
    const ImageRecord& r = it->second;
    auto config = content_.get_blob(r.id);
    auto parsed = config.is_ok() ? parse_config(*config) : Result<ConfigInfo>(config.status());
    bool layers_ok = std::all_of(r.diff_ids.begin(), r.diff_ids.end(),
                                 [&](const std::string& d) { return content_.has_layer(d); });
    if (!parsed.is_ok() || !layers_ok) {
      spdlog::warn("image store: dropping image {}: {}", r.id,
                   parsed.is_ok() ? "a layer directory is missing" : parsed.status().message());
      it = next.images.erase(it);
      continue;
    }
    configs_[r.id] = std::move(*parsed);
    ++it;
  }
  std::set<std::string> layers, blobs;
  for (const auto& [id, r] : next.images) {
    layers.insert(r.diff_ids.begin(), r.diff_ids.end());
    blobs.insert(id);
    if (!r.manifest_digest.empty()) blobs.insert(r.manifest_digest);
  }
  for (auto it = next.layer_sizes.begin(); it != next.layer_sizes.end();) {
    it = layers.contains(it->first) ? std::next(it) : next.layer_sizes.erase(it);
  }
  for (const auto& d : content_.layers()) {
    if (!layers.contains(d)) content_.remove_layer(d);
  }
  for (const auto& d : content_.blobs()) {
    if (!blobs.contains(d)) content_.remove_blob(d);
  }
  if (next != state_) {
    SHOAL_RETURN_IF_ERROR(save_index(content_.index_path(), next, content_.tmp_dir()));
    state_ = std::move(next);
  }
  return Status::ok();
}

Image ImageStore::make_image(const ImageRecord& r) const {
  Image img;
  img.ID = r.id;
  img.RepoTags = familiar_all(r.repo_tags);
  img.RepoDigests = familiar_all(r.repo_digests);
  if (auto it = configs_.find(r.id); it != configs_.end()) {
    const ConfigInfo& c = it->second;
    img.Os = c.os;
    img.Architecture = c.architecture;
    img.Variant = c.variant;
    img.Created = c.created;
    img.Config = c.config;
  }
  for (const auto& d : r.diff_ids) {
    auto size = state_.layer_sizes.find(d);
    img.Size += size == state_.layer_sizes.end() ? 0 : size->second;
    img.LayerDirs.push_back(content_.layer_dir(d));
  }
  return img;
}

Result<Image> ImageStore::get_local(std::string_view name) const {
  MutexLock lock(mu_);
  SHOAL_ASSIGN_OR_RETURN(std::string id, resolve_image(state_, name));
  return make_image(state_.images.at(id));
}

Result<Image> ImageStore::inspect(std::string_view name) const { return get_local(name); }

Result<std::string> ImageStore::config_json(std::string_view image_id) const {
  {
    MutexLock lock(mu_);
    if (!state_.images.contains(std::string(image_id))) {
      return error(Code::kNotFound, "No such image: {}", image_id);
    }
  }
  return content_.get_blob(image_id);
}

std::vector<Image> ImageStore::list() const {
  std::vector<Image> out;
  {
    MutexLock lock(mu_);
    for (const auto& [id, r] : state_.images) out.push_back(make_image(r));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Image& a, const Image& b) { return a.Created > b.Created; });
  return out;
}

Result<Image> ImageStore::get(std::string_view reference, PullPolicy policy,
                              const RegistryAuth& auth) {
  Result<Image> local = get_local(reference);
  if (!local.is_ok() && local.status().code() != Code::kNotFound) return local;
  bool by_id =
      reference.starts_with(kSha256Prefix) || (reference.size() == 64 && is_hex_prefix(reference));
  if (policy == PullPolicy::kNever || by_id ||
      (policy == PullPolicy::kIfMissing && local.is_ok())) {
    return local;
  }
  Result<Image> pulled = pull(reference, auth, {});
  if (pulled.is_ok()) return pulled;
  if (local.is_ok() && pulled.status().code() == Code::kUnavailable) {
    spdlog::warn("image {}: {}; using the local image", reference, pulled.status().message());
    return local;
  }
  if (pulled.status().code() == Code::kNotFound) {
    spdlog::info("pull {}: {}", reference, pulled.status().message());
    auto ref = parse_reference(reference);
    return error(Code::kNotFound, "No such image: {}",
                 ref.is_ok() ? with_default_tag(*ref).familiar_string() : std::string(reference));
  }
  return pulled;
}

void ImageStore::pin(const std::vector<std::string>& diff_ids) {
  MutexLock lock(mu_);
  for (const auto& d : diff_ids) ++pins_[d];
}

void ImageStore::unpin(const std::vector<std::string>& diff_ids) {
  MutexLock lock(mu_);
  for (const auto& d : diff_ids) {
    if (--pins_[d] <= 0) pins_.erase(d);
  }
}

Status ImageStore::ensure_layer(const std::string& diff_id, const fs::path& source,
                                const std::string& blob_digest) {
  if (content_.has_layer(diff_id)) return Status::ok();
  return unpacks_.run(diff_id, [&]() -> Status {
    if (content_.has_layer(diff_id)) return Status::ok();
    auto r = unpack_layer(source, content_.tmp_dir(), content_.layer_dir(diff_id),
                          {.diff_id = diff_id, .blob_digest = blob_digest});
    if (!r.is_ok()) return r.status();
    MutexLock lock(mu_);
    new_layer_sizes_[diff_id] = r->size;
    return Status::ok();
  });
}

Result<std::map<std::string, std::string>> ImageStore::commit_image(
    const std::string& config_json, const std::string& id, const std::vector<std::string>& diff_ids,
    const std::string& manifest_digest, const std::vector<std::string>& refs) {
  SHOAL_ASSIGN_OR_RETURN(ConfigInfo config, parse_config(config_json));
  SHOAL_RETURN_IF_ERROR(content_.put_blob(id, config_json, "config"));
  // Everything the image needs (layers, blobs) durable before the index names it.
  SHOAL_RETURN_IF_ERROR(content_.sync());
  MutexLock lock(mu_);
  IndexState next = state_;
  ImageRecord& rec = next.images[id];
  if (rec.id.empty()) {
    rec.id = id;
    rec.diff_ids = diff_ids;
    rec.added = options_.clock->now();
  }
  if (rec.manifest_digest.empty()) rec.manifest_digest = manifest_digest;
  for (const auto& d : diff_ids) {
    if (!content_.has_layer(d))
      return error(Code::kInternal, "layer {} vanished before the image was recorded", d);
    if (next.layer_sizes.contains(d)) continue;
    auto fresh = new_layer_sizes_.find(d);
    next.layer_sizes[d] =
        fresh != new_layer_sizes_.end() ? fresh->second : dir_size(content_.layer_dir(d));
  }
  std::map<std::string, std::string> moved;
  for (const auto& ref : refs) {
    if (std::string old = set_reference(next, ref, id); !old.empty()) moved[ref] = old;
  }
  SHOAL_RETURN_IF_ERROR(validate(next));
  SHOAL_RETURN_IF_ERROR(save_index(content_.index_path(), next, content_.tmp_dir()));
  state_ = std::move(next);
  configs_[id] = std::move(config);
  for (const auto& d : diff_ids) new_layer_sizes_.erase(d);
  return moved;
}

Result<std::vector<std::string>> ImageStore::load_file(const fs::path& archive) {
  std::error_code ec;
  if (fs::is_directory(archive, ec)) return load_dir(archive);  // an OCI layout as is
  SHOAL_ASSIGN_OR_RETURN(fs::path dir, content_.temp_dir("load-"));
  Status st = extract_archive_file(archive, dir);
  auto out = st.is_ok() ? load_dir(dir) : Result<std::vector<std::string>>(st);
  remove_tree(dir);
  return out;
}

Result<std::vector<std::string>> ImageStore::load_bytes(std::string_view archive) {
  SHOAL_ASSIGN_OR_RETURN(fs::path dir, content_.temp_dir("load-"));
  Status st = extract_archive_memory(archive, dir);
  auto out = st.is_ok() ? load_dir(dir) : Result<std::vector<std::string>>(st);
  remove_tree(dir);
  return out;
}

Result<std::vector<std::string>> ImageStore::load_dir(const fs::path& dir) {
  SHOAL_ASSIGN_OR_RETURN(std::vector<ArchiveImage> images, read_image_dir(dir, options_.platform));
  if (images.empty()) return Status(Code::kInvalidArgument, "invalid archive: it holds no image");
  std::vector<std::string> messages;
  for (const ArchiveImage& img : images) {
    std::vector<std::string> diff_ids;
    for (const auto& l : img.layers) diff_ids.push_back(l.diff_id);
    pin(diff_ids);
    auto committed = [&]() -> Result<std::map<std::string, std::string>> {
      for (const auto& l : img.layers)
        SHOAL_RETURN_IF_ERROR(ensure_layer(l.diff_id, l.file, l.blob_digest));
      if (!img.manifest.empty())
        SHOAL_RETURN_IF_ERROR(content_.put_blob(img.manifest_digest, img.manifest, "manifest"));
      return commit_image(img.config, img.config_digest, diff_ids, img.manifest_digest,
                          img.repo_tags);
    }();
    unpin(diff_ids);
    if (!committed.is_ok()) return committed.status();
    for (const auto& tag : img.repo_tags) {
      if (auto it = committed->find(tag); it != committed->end()) {
        messages.push_back(fmt::format(
            "The image {} already exists, renaming the old one with ID {} to empty string",
            familiar(tag), it->second));
      }
    }
    for (const auto& tag : img.repo_tags) messages.push_back("Loaded image: " + familiar(tag));
    if (img.repo_tags.empty()) messages.push_back("Loaded image ID: " + img.config_digest);
  }
  return messages;
}

Result<std::vector<DeleteRecord>> ImageStore::remove(std::string_view name, bool force) {
  std::vector<fs::path> detached;
  std::vector<std::string> blobs;
  std::vector<DeleteRecord> records;
  {
    MutexLock lock(mu_);
    InUseCheck in_use = in_use_ ? in_use_ : [](const std::string&) -> std::optional<std::string> {
      return std::nullopt;
    };
    SHOAL_ASSIGN_OR_RETURN(DeletePlan plan, plan_delete(state_, name, force, in_use));
    IndexState next = state_;
    ImageRecord& rec = next.images.at(plan.image_id);
    for (const auto& ref : plan.untag) {
      std::erase(rec.repo_tags, ref);
      std::erase(rec.repo_digests, ref);
      records.push_back({familiar(ref), ""});
    }
    std::vector<std::string> gone_layers;
    if (plan.delete_image) {
      ImageRecord removed = rec;
      next.images.erase(plan.image_id);
      records.push_back({"", plan.image_id});
      std::set<std::string> used;
      for (const auto& [id, r] : next.images) used.insert(r.diff_ids.begin(), r.diff_ids.end());
      for (const auto& d : removed.diff_ids) {
        if (used.contains(d) || pins_.contains(d) || !next.layer_sizes.erase(d)) continue;
        gone_layers.push_back(d);
        records.push_back({"", d});
      }
      blobs.push_back(removed.id);
      bool manifest_shared = std::any_of(
          next.images.begin(), next.images.end(),
          [&](const auto& kv) { return kv.second.manifest_digest == removed.manifest_digest; });
      if (!removed.manifest_digest.empty() && !manifest_shared)
        blobs.push_back(removed.manifest_digest);
    }
    SHOAL_RETURN_IF_ERROR(save_index(content_.index_path(), next, content_.tmp_dir()));
    state_ = std::move(next);
    if (plan.delete_image) configs_.erase(plan.image_id);
    for (const auto& d : gone_layers) {
      if (auto aside = content_.detach_layer(d)) detached.push_back(*aside);
    }
  }
  for (const auto& b : blobs) content_.remove_blob(b);
  for (const auto& dir : detached) remove_tree(dir);
  return records;
}

bool ImageStore::is_local_only(std::string_view reference) const {
  auto ref = parse_reference(reference);
  if (!ref.is_ok() || !ref->digest.empty()) return false;
  std::string tag = with_default_tag(*ref).string();
  MutexLock lock(mu_);
  for (const auto& [id, r] : state_.images) {
    if (std::find(r.repo_tags.begin(), r.repo_tags.end(), tag) == r.repo_tags.end()) continue;
    std::string repo = ref->name() + "@";
    return std::none_of(r.repo_digests.begin(), r.repo_digests.end(),
                        [&](const std::string& d) { return d.starts_with(repo); });
  }
  return false;
}

void ImageStore::set_in_use_check(InUseCheck check) {
  MutexLock lock(mu_);
  in_use_ = std::move(check);
}

}  // namespace shoal::runtime::image
