// Configs (moby api/types/swarm config.go): Config, ConfigSpec, and ConfigReference, the way a
// ContainerSpec names a config: as a file in the container, or as a runtime target
// (credential specs).
//
// Unlike secrets, the API returns ConfigSpec.Data.
#pragma once

#include <optional>
#include <string>

#include "api/common.h"

namespace shoal::api {

struct ConfigSpec : Annotations {
  Bytes Data;
  // Template engine applied to Data ("golang").
  std::optional<Driver> Templating;
};

struct Config : Meta {
  std::string ID;
  ConfigSpec Spec;
};

// A file in the container; UID and GID are strings, Mode is Go's os.FileMode.
struct ConfigReferenceFileTarget {
  std::string Name;
  std::string UID;
  std::string GID;
  uint32_t Mode = 0;
};

// The config is used by the runtime itself (e.g. a credential spec), not mounted.
struct ConfigReferenceRuntimeTarget {};

// Exactly one of File and Runtime is set.
struct ConfigReference {
  std::optional<ConfigReferenceFileTarget> File;
  std::optional<ConfigReferenceRuntimeTarget> Runtime;
  std::string ConfigID;
  std::string ConfigName;
};

// Response of POST /configs/create.
struct ConfigCreateResponse {
  std::string ID;
};

}  // namespace shoal::api
