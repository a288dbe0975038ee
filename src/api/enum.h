// String enums of the Docker API as C++ enum classes.
//
// Every Go string enum (`type NodeRole string`) is an `enum class : uint8_t` whose first
// member, kUnset, stands for Go's "" (field not set), followed by the Go constants in their Go
// order. Beside each enum an EnumNames<E> specialization lists the JSON spelling of every
// member, indexed by the enum's value; to_string() and parse_enum() read that table, so the
// spelling of an enum exists in one place.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::api {

// Specialize with `static constexpr std::array<std::string_view, N> kNames{"", ...};`
// where kNames[i] is the JSON spelling of the member with value i, and kNames[0] == "".
template <typename E>
struct EnumNames;

template <typename E>
concept ApiEnum = std::is_enum_v<E> && requires {
  EnumNames<E>::kNames;
};

// The JSON spelling of `e`; "" for kUnset.
template <ApiEnum E>
constexpr std::string_view to_string(E e) {
  const auto& names = EnumNames<E>::kNames;
  const auto i = static_cast<std::size_t>(e);
  return i < names.size() ? names[i] : std::string_view();
}

// The member spelled `text` exactly (case-sensitive); "" gives kUnset; nullopt if unknown.
template <ApiEnum E>
constexpr std::optional<E> parse_enum(std::string_view text) {
  const auto& names = EnumNames<E>::kNames;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

// The accepted non-empty spellings for error messages: "active, pause or drain".
template <ApiEnum E>
std::string enum_choices() {
  const auto& names = EnumNames<E>::kNames;
  std::string out;
  for (std::size_t i = 1; i < names.size(); ++i) {
    if (i > 1) out += (i + 1 == names.size()) ? " or " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace shoal::api
