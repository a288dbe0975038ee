// Internal to the api codec: how Docker words its refusal of an unknown enum spelling, for
// the enums where moby's conversion (daemon/cluster/convert) has its own text, e.g.
// `invalid RestartCondition: "bogus"`. The decoder answers that text alone (no field path)
// for these enums; the others keep the decoder's `<path>: invalid value "x" (expected ...)`.
//
// Thread safety: constants and pure functions.
#pragma once

#include <concepts>
#include <string>
#include <string_view>

#include "api/mount.h"
#include "api/network.h"
#include "api/node.h"
#include "api/service.h"
#include "api/swarm.h"
#include "api/task_spec.h"

namespace shoal::api::json {

// `prefix` then the spelling, double-quoted when `quoted` (Go's %q) or bare (Go's %s).
struct EnumErrorText {
  std::string_view prefix;
  bool quoted = true;
};

// Specialized below for each enum Docker refuses in its own words.
template <typename E>
struct EnumError;

template <typename E>
concept HasEnumError = requires {
  { EnumError<E>::kText } -> std::convertible_to<EnumErrorText>;
};

template <>
struct EnumError<RestartPolicyCondition> {
  static constexpr EnumErrorText kText{"invalid RestartCondition: ", true};
};
template <>
struct EnumError<UpdateFailureAction> {
  static constexpr EnumErrorText kText{"unrecognized update failure action ", false};
};
template <>
struct EnumError<UpdateOrder> {
  static constexpr EnumErrorText kText{"unrecognized update order ", false};
};
template <>
struct EnumError<ResolutionMode> {
  static constexpr EnumErrorText kText{"invalid resolution mode: ", true};
};
template <>
struct EnumError<MountType> {
  static constexpr EnumErrorText kText{"invalid MountType: ", true};
};
template <>
struct EnumError<Propagation> {
  static constexpr EnumErrorText kText{"invalid MountPropagation: ", true};
};
template <>
struct EnumError<NodeRole> {
  static constexpr EnumErrorText kText{"invalid Role: ", true};
};
template <>
struct EnumError<NodeAvailability> {
  static constexpr EnumErrorText kText{"invalid Availability: ", true};
};
template <>
struct EnumError<ExternalCAProtocol> {
  static constexpr EnumErrorText kText{"invalid protocol: ", true};
};

// Docker's refusal of `text` as a spelling of E: `invalid RestartCondition: "bogus"`.
template <HasEnumError E>
std::string enum_error(std::string_view text) {
  constexpr EnumErrorText kText = EnumError<E>::kText;
  std::string out(kText.prefix);
  if (!kText.quoted) return out.append(text);
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out += '"';
}

}  // namespace shoal::api::json
