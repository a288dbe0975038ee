// Secrets (moby api/types/swarm secret.go): Secret, SecretSpec, and SecretReference, the way a
// ContainerSpec names a secret and where it appears in the container.
//
// The API never returns SecretSpec.Data (the server clears it before encoding).
#pragma once

#include <optional>
#include <string>

#include "api/common.h"

namespace shoal::api {

struct SecretSpec : Annotations {
  Bytes Data;
  // The secrets driver that fetches the value from an external store (no Data then).
  std::optional<api::Driver> Driver;
  // Template engine applied to Data ("golang").
  std::optional<api::Driver> Templating;
};

struct Secret : Meta {
  std::string ID;
  SecretSpec Spec;
};

// A file in the container's /run/secrets; UID and GID are strings, Mode is Go's os.FileMode.
struct SecretReferenceFileTarget {
  std::string Name;
  std::string UID;
  std::string GID;
  uint32_t Mode = 0;
};

struct SecretReference {
  std::optional<SecretReferenceFileTarget> File;
  std::string SecretID;
  std::string SecretName;
};

// Response of POST /secrets/create.
struct SecretCreateResponse {
  std::string ID;
};

}  // namespace shoal::api
