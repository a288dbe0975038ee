// ImageStore: the node's images — the ImageSource the container runtime uses, and what the
// image API (docker pull/load/images/rmi, shoal image ...) drives.
//
// On disk (content_store.h): verified blobs, one unpacked directory per layer (shared by
// every image that has it), and the image index (image_index.h), the one commit point: an
// image exists once the index that names it is written, after its config blob and all its
// layers are complete and synced (one syncfs per commit). open() removes what a crash left behind
// (temporaries, layers and blobs no image references).
//
// Pulls (registry_client.h): the reference is normalized (busybox → docker.io/library/
// busybox:latest), an index is resolved to the manifest of this node's platform, the config
// and missing layers are fetched — up to `max_parallel_layers` at once, each verified and
// unpacked once per diff ID — and the image is recorded with its tag and its repo digest
// (the digest of what the tag named: the index for a multi-platform image). Concurrent
// pulls of one reference share one download; layers already unpacked are not fetched.
//
// Removal follows docker rmi (image_refs.h); a layer goes with the last image that has it,
// unless an unfinished pull or load holds it. A running container's image is protected
// only through set_in_use_check() (until the runtime provides it, rmi of an image in use
// succeeds and removes its layers: the runtime should set it).
//
// Thread safety: every method may be called from any thread, concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "common/time.h"
#include "runtime/image/content_store.h"
#include "runtime/image/image.h"
#include "runtime/image/image_index.h"
#include "runtime/image/image_refs.h"
#include "runtime/image/manifest.h"
#include "runtime/image/registry_client.h"
#include "runtime/image/single_flight.h"

namespace shoal::runtime::image {

struct ImageStoreOptions {
  std::filesystem::path root;  // <data-dir>/images
  RegistryOptions registry;
  Platform platform = host_platform();
  size_t max_parallel_layers = 3;
  std::shared_ptr<const Clock> clock = std::make_shared<SystemClock>();
};

// One step of a pull, worded as Docker's progress stream words it ("Pulling fs layer",
// "Downloading", "Download complete", "Extracting", "Pull complete", "Already exists",
// "Digest: sha256:...", "Status: Downloaded newer image for busybox:1"); `id` is a short
// layer ID or the tag; current/total are bytes (-1 when not applicable).
struct PullProgress {
  std::string status;
  std::string id;
  int64_t current = -1;
  int64_t total = -1;
};
// Called in order, from one thread at a time (the store serializes the calls).
using ProgressFn = std::function<void(const PullProgress&)>;

// What a docker rmi reports, one of the two per record.
struct DeleteRecord {
  std::string untagged;  // familiar reference
  std::string deleted;   // image ID or layer diff ID
};

// GET /distribution/{name}/json's answer.
struct DistributionInfo {
  std::string media_type;
  std::string digest;
  int64_t size = 0;
  std::vector<Platform> platforms;
};

class ImageStore final : public ImageSource {
 public:
  // Opens (creating) the store at options.root and cleans up after a crash. Errors: the
  // content store's and load_index's (kDataLoss for a corrupt index).
  static Result<std::unique_ptr<ImageStore>> open(ImageStoreOptions options);
  ~ImageStore() override;
  ImageStore(const ImageStore&) = delete;
  ImageStore& operator=(const ImageStore&) = delete;

  // ImageSource (image.h). kIfMissing pulls only a reference that does not resolve
  // locally; kAlways pulls and falls back to the local image when the registry cannot be
  // reached (kUnavailable); kNever never pulls. An image ID or ID prefix is never pulled.
  Result<Image> get(std::string_view reference, PullPolicy policy,
                    const RegistryAuth& auth) override;

  // The local image `name` means (resolve_image's rules and errors).
  Result<Image> inspect(std::string_view name) const;
  // The image's config blob (JSON text). Errors: kNotFound; the content store's.
  Result<std::string> config_json(std::string_view image_id) const;
  // Every image, newest first.
  std::vector<Image> list() const;

  // Loads a docker save archive or OCI layout tar (archive_load.h) from a file or from
  // memory; load_file() also takes an OCI layout (or extracted docker save) directory. Returns
  // Docker's messages, in order: "The image busybox:1 already exists, renaming the old one with ID
  // sha256:... to empty string", "Loaded image: busybox:1", "Loaded image ID: sha256:..." (for an
  // image without tags). Errors: archive_load's, unpack_layer's (kDataLoss for a layer whose diff
  // ID does not match), kInternal. Nothing of the image that failed is kept (images of the same
  // archive committed before it stay).
  Result<std::vector<std::string>> load_file(const std::filesystem::path& archive);
  Result<std::vector<std::string>> load_bytes(std::string_view archive);

  // Pulls `reference` (a tag defaults to latest) and returns the image. `progress` may be
  // empty. Errors: parse_reference's; RegistryClient's (kNotFound "manifest for ... not
  // found: ...", kUnavailable "cannot reach registry ...", kPermissionDenied, kDataLoss
  // "layer sha256:... digest mismatch: ..."); select_platform's; unpack_layer's.
  // Nothing of a failed pull is kept.
  Result<Image> pull(std::string_view reference, const RegistryAuth& auth,
                     const ProgressFn& progress);

  // docker rmi `name` (image_refs.h plan_delete): the records in Docker's order (Untagged
  // ones, then Deleted: the image ID and the diff IDs of the layers that went with it).
  // Errors: plan_delete's; kInternal when the index cannot be written (nothing changed).
  Result<std::vector<DeleteRecord>> remove(std::string_view name, bool force);

  // The registry's descriptor of `reference` and its platforms, as moby's
  // /distribution/{name}/json answers (the index's platforms, or the config's platform for
  // a single manifest). Errors: RegistryClient's; kInvalidArgument for a malformed reference
  // or an image ID ("no manifest found for full image ID").
  Result<DistributionInfo> distribution(std::string_view reference, const RegistryAuth& auth);

  // `docker login`'s check: do `auth`'s credentials open the registry `server` ("host[:port]",
  // optionally with a scheme and path, as "https://index.docker.io/v1/"; empty = Docker Hub)?
  // Errors: RegistryClient::ping's; kInvalidArgument for a server that is no host name.
  Status login(std::string_view server, const RegistryAuth& auth);

  // Whether a local image has `reference` as a tag but no repo digest for its repository:
  // an image only loaded here, which no registry knows by that digest.
  bool is_local_only(std::string_view reference) const;

  // Sets who tells whether a running container uses an image (for rmi's conflicts). It is
  // called with the store's lock held: it must not call back into the store.
  void set_in_use_check(InUseCheck check);

  const ContentStore& content() const { return content_; }

 private:
  ImageStore(ImageStoreOptions options, ContentStore content, IndexState state);
  Status collect_garbage();
  Result<Image> get_local(std::string_view name) const;
  Image make_image(const ImageRecord& record) const REQUIRES(mu_);
  Result<std::vector<std::string>> load_dir(const std::filesystem::path& dir);
  // Unpacks `source` as layer `diff_id` unless present; one unpack per diff ID at a time.
  Status ensure_layer(const std::string& diff_id, const std::filesystem::path& source,
                      const std::string& blob_digest);
  // Records an image (config stored, layers unpacked) and points `refs` at it; returns the
  // IDs the refs were taken from (ref → old ID).
  Result<std::map<std::string, std::string>> commit_image(const std::string& config_json,
                                                          const std::string& id,
                                                          const std::vector<std::string>& diff_ids,
                                                          const std::string& manifest_digest,
                                                          const std::vector<std::string>& refs);
  Result<Image> pull_once(const Reference& ref, const RegistryAuth& auth,
                          const ProgressFn& progress);
  // Reports one pull step: status, short ID, current and total bytes (-1: none).
  using ReportFn = std::function<void(std::string, std::string, int64_t, int64_t)>;
  Status fetch_layers(RegistryClient& client, const Manifest& manifest,
                      const std::vector<std::string>& diff_ids, const ReportFn& report);
  Status fetch_layer(RegistryClient& client, const Descriptor& layer, const std::string& diff_id,
                     const ReportFn& report);
  void pin(const std::vector<std::string>& diff_ids);
  void unpin(const std::vector<std::string>& diff_ids);

  const ImageStoreOptions options_;
  const ContentStore content_;

  mutable Mutex mu_;
  IndexState state_ GUARDED_BY(mu_);
  std::map<std::string, ConfigInfo> configs_ GUARDED_BY(mu_);  // by image ID
  std::map<std::string, int64_t> new_layer_sizes_
      GUARDED_BY(mu_);                               // unpacked, not yet in the index
  std::map<std::string, int> pins_ GUARDED_BY(mu_);  // diff ID → unfinished pulls/loads
  InUseCheck in_use_ GUARDED_BY(mu_);

  SingleFlight<Result<Image>> pulls_;
  SingleFlight<Status> unpacks_;
};

}  // namespace shoal::runtime::image
