// Internal to the api codec: the vocabulary of the per-type field lists.
//
// Every model struct X has exactly one field list, written once and used for both directions:
//
//   template <class V, Is<X> T> void fields(V& v, T& o) {
//     embed<Annotations>(v, o);            // a Go embedded struct, flattened in place
//     v("Role", o.Role, kOmitEmpty);       // JSON key, member, Go json tag
//   }
//
// V is the Encoder (T = const X) or the Decoder (T = X). Fields are listed in Go struct order,
// which is the JSON output order. All fields() overloads live in namespace shoal::api::json,
// where argument-dependent lookup through V finds them from the encoder and decoder templates.
//
// Visitors of these lists: the JSON tree Encoder (encoder.h), the text encoder
// (text_encoder.h), the Decoder (decoder.h), and outside this module the store's binary
// record codec (src/store/codec.cc). A visitor is called as v(key, member, tag) for every
// field; members have only the value types the encoders handle (bool, int64_t, uint64_t,
// uint32_t, float, std::string, Bytes, Timestamp, nanoseconds, ApiEnum, optional, vector,
// map<string, T>, shared_ptr<const T>, model structs). Adding another value type means
// teaching every visitor about it.
#pragma once

#include <concepts>
#include <type_traits>

namespace shoal::api::json {

// The Go json tag of a field.
enum class Tag {
  // No omitempty: always written; an empty slice or map is written as null (Go's nil).
  kPlain,
  // `json:",omitempty"`: false, 0, "", empty slice/map and nil pointer are left out.
  // Structs are never left out (Go never treats a struct as empty).
  kOmitEmpty,
  // No omitempty, and an empty slice or map is written as [] or {}: for fields the daemon
  // always fills with non-nil values (Annotations.Labels, NetworkResource maps).
  kNonNull,
};
inline constexpr Tag kPlain = Tag::kPlain;
inline constexpr Tag kOmitEmpty = Tag::kOmitEmpty;
inline constexpr Tag kNonNull = Tag::kNonNull;

// T is X or const X.
template <class T, class X>
concept Is = std::same_as<std::remove_const_t<T>, X>;

// The base-class part of `o` with o's constness.
template <class Base, class T>
auto& base_of(T& o) {
  if constexpr (std::is_const_v<T>) {
    return static_cast<const Base&>(o);
  } else {
    return static_cast<Base&>(o);
  }
}

// Lists the fields of the Go embedded struct `Base` at this position.
template <class Base, class V, class T>
void embed(V& v, T& o) {
  fields(v, base_of<Base>(o));
}

}  // namespace shoal::api::json
