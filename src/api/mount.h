// Mounts of a container (moby api/types/mount): Mount with its bind, volume and tmpfs
// options, and the enums of mount type, bind propagation and consistency.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "api/common.h"
#include "api/enum.h"

namespace shoal::api {

enum class MountType : uint8_t { kUnset, kBind, kVolume, kTmpfs, kNamedPipe };
template <>
struct EnumNames<MountType> {
  static constexpr std::array<std::string_view, 5> kNames{"", "bind", "volume", "tmpfs", "npipe"};
};

enum class Propagation : uint8_t {
  kUnset,
  kRPrivate,
  kPrivate,
  kRShared,
  kShared,
  kRSlave,
  kSlave
};
template <>
struct EnumNames<Propagation> {
  static constexpr std::array<std::string_view, 7> kNames{
      "", "rprivate", "private", "rshared", "shared", "rslave", "slave"};
};

// Go's constants are ConsistencyFull ("consistent"), Cached, Delegated, Default.
enum class Consistency : uint8_t { kUnset, kFull, kCached, kDelegated, kDefault };
template <>
struct EnumNames<Consistency> {
  static constexpr std::array<std::string_view, 5> kNames{"", "consistent", "cached", "delegated",
                                                          "default"};
};

struct BindOptions {
  api::Propagation Propagation = Propagation::kUnset;
  bool NonRecursive = false;
};

struct VolumeOptions {
  bool NoCopy = false;
  StringMap Labels;
  std::optional<Driver> DriverConfig;
};

struct TmpfsOptions {
  // Size of the tmpfs in bytes; 0 = unlimited.
  int64_t SizeBytes = 0;
  // Go os.FileMode of the tmpfs root.
  uint32_t Mode = 0;
};

struct Mount {
  MountType Type = MountType::kUnset;
  std::string Source;
  std::string Target;
  bool ReadOnly = false;
  api::Consistency Consistency = Consistency::kUnset;
  std::optional<api::BindOptions> BindOptions;
  std::optional<api::VolumeOptions> VolumeOptions;
  std::optional<api::TmpfsOptions> TmpfsOptions;
};

}  // namespace shoal::api
