// What the container runtime needs from the image store: an image found by reference, with
// the config the OCI bundle starts from and its unpacked layers, lowest first. The store
// (image_store.h) implements ImageSource; the runtime depends on this header only, so it can
// be tested with a directory standing in for an image.
//
// Thread safety: an ImageSource is safe to call from any thread; concurrent get()s of the same
// missing image pull it once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace shoal::runtime::image {

// The parts of the OCI image config (`config` object) a container starts from.
struct ImageConfig {
  std::string User;
  std::vector<std::string> Env;  // KEY=value
  std::vector<std::string> Entrypoint;
  std::vector<std::string> Cmd;
  std::string WorkingDir;
  std::string StopSignal;
  std::map<std::string, std::string> Labels;
  std::vector<std::string> ExposedPorts;  // "8080/tcp"
  // Docker's HEALTHCHECK (Docker image configs only): Test[0] is NONE, CMD or CMD-SHELL.
  std::vector<std::string> HealthcheckTest;
  int64_t HealthcheckInterval = 0;  // nanoseconds; 0 = default
  int64_t HealthcheckTimeout = 0;
  int64_t HealthcheckStartPeriod = 0;
  int64_t HealthcheckRetries = 0;
};

struct Image {
  std::string ID;                        // "sha256:<hex of the config blob>"
  std::vector<std::string> RepoTags;     // "busybox:latest"
  std::vector<std::string> RepoDigests;  // "registry:5000/busybox@sha256:..."
  std::string Os;
  std::string Architecture;
  std::string Variant;
  int64_t Size = 0;  // bytes of the unpacked layers
  shoal::Timestamp Created;
  ImageConfig Config;
  // Unpacked, read-only layer directories, lowest first: overlayfs lowerdir is their reverse.
  std::vector<std::filesystem::path> LayerDirs;
};

// Credentials for a registry (the docker CLI's X-Registry-Auth, decoded).
struct RegistryAuth {
  std::string Username;
  std::string Password;
  std::string IdentityToken;
  std::string RegistryToken;
};

enum class PullPolicy : uint8_t {
  kIfMissing,  // use a local image when the reference resolves, else pull
  kAlways,     // ask the registry (tags move); fall back to a local image when unreachable
  kNever,      // local only
};

class ImageSource {
 public:
  virtual ~ImageSource() = default;

  // The image `reference` names ("busybox", "busybox:1.36", "host:5000/a/b@sha256:...",
  // an image ID or a unique ID prefix), pulled first as `policy` says.
  // Errors: kNotFound "No such image: <reference>" (Docker's text) when it is neither local
  // nor in the registry; kUnavailable when the registry cannot be reached (temporary: the
  // caller retries); kPermissionDenied for refused credentials; kInvalidArgument for a
  // malformed reference; kDataLoss for content whose digest does not match.
  virtual Result<Image> get(std::string_view reference, PullPolicy policy,
                            const RegistryAuth& auth) = 0;
};

}  // namespace shoal::runtime::image
