// Internal to the api codec: writing model values as JSON exactly as Go's encoding/json
// writes the moby types (see field.h for the field lists it walks).
//
//   bool, integers      JSON booleans and integers
//   float               Go float32: shortest text that reads back as the same float, integral
//                       values without ".0"
//   std::string         string;  Bytes: standard padded base64 string
//   enum                its Docker spelling (enum.h); kUnset is ""
//   Timestamp           RFC 3339 with trimmed nanoseconds, UTC "Z" (the zero time too)
//   nanoseconds         integer nanoseconds (Go time.Duration)
//   optional<T>         T, or null when unset
//   vector, map         array / object; empty ones as null, [] or {} per Tag
//   shared_ptr<const T> T (an empty T if null)
//   model struct        object of its fields, in Go order
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/common.h"
#include "api/enum.h"
#include "api/json/base64.h"
#include "api/json/field.h"
#include "common/time.h"

namespace shoal::api::json {

using Json = nlohmann::ordered_json;

class Encoder;

// A model struct: one with a fields() list.
template <class T>
concept HasFields = requires(Encoder& e, const T& t) {
  fields(e, t);
};

// Go's notion of an empty value, for omitempty.
inline bool is_empty(bool v, Tag) { return !v; }
inline bool is_empty(int64_t v, Tag) { return v == 0; }
inline bool is_empty(uint64_t v, Tag) { return v == 0; }
inline bool is_empty(uint32_t v, Tag) { return v == 0; }
inline bool is_empty(float v, Tag) { return v == 0; }
inline bool is_empty(const std::string& v, Tag) { return v.empty(); }
inline bool is_empty(std::chrono::nanoseconds v, Tag) { return v.count() == 0; }
inline bool is_empty(Timestamp, Tag) { return false; }
template <ApiEnum E>
bool is_empty(E v, Tag) {
  return v == E{};
}
template <class T>
bool is_empty(const std::optional<T>& v, Tag) {
  return !v.has_value();
}
template <class T>
bool is_empty(const std::vector<T>& v, Tag) {
  return v.empty();
}
template <class T>
bool is_empty(const std::map<std::string, T>& v, Tag) {
  return v.empty();
}
template <class T>
bool is_empty(const std::shared_ptr<const T>& v, Tag) {
  return !v;
}  // Go: a nil pointer
template <HasFields T>
bool is_empty(const T&, Tag) {
  return false;
}

Json encode_float32(float v);

inline Json encode_value(bool v, Tag) { return v; }
inline Json encode_value(int64_t v, Tag) { return v; }
inline Json encode_value(uint64_t v, Tag) { return v; }
inline Json encode_value(uint32_t v, Tag) { return v; }
inline Json encode_value(float v, Tag) { return encode_float32(v); }
inline Json encode_value(const std::string& v, Tag) { return v; }
inline Json encode_value(const Bytes& v, Tag) { return base64_encode(v); }
inline Json encode_value(Timestamp v, Tag) { return format_rfc3339_nano(v); }
inline Json encode_value(std::chrono::nanoseconds v, Tag) { return int64_t{v.count()}; }
template <ApiEnum E>
Json encode_value(E v, Tag) {
  return std::string(to_string(v));
}

template <class T>
Json encode_value(const std::optional<T>& v, Tag tag) {
  return v ? encode_value(*v, tag) : Json(nullptr);
}

template <class T>
Json encode_value(const std::vector<T>& v, Tag tag) {
  if (v.empty()) return tag == kNonNull ? Json::array() : Json(nullptr);
  Json out = Json::array();
  auto& array = out.get_ref<Json::array_t&>();
  array.reserve(v.size());
  for (const T& item : v) array.push_back(encode_value(item, kPlain));
  return out;
}

template <class T>
Json encode_value(const std::map<std::string, T>& v, Tag tag) {
  if (v.empty()) return tag == kNonNull ? Json::object() : Json(nullptr);
  Json out = Json::object();
  auto& object = out.get_ref<Json::object_t&>();
  for (const auto& [key, item] : v) object.emplace_back(key, encode_value(item, kPlain));
  return out;
}

template <HasFields T>
Json encode_value(const T& v, Tag);

template <HasFields T>
Json encode_value(const std::shared_ptr<const T>& v, Tag tag) {
  return v ? encode_value(*v, tag) : encode_value(T{}, tag);
}

// Appends the fields of one object; the visitor passed to fields() when encoding.
class Encoder {
 public:
  explicit Encoder(Json::object_t& out) : out_(out) {}

  template <class T>
  void operator()(std::string_view key, const T& value, Tag tag = kPlain) {
    if (tag == kOmitEmpty && is_empty(value, tag)) return;
    // Keys are unique by construction: append without ordered_map's duplicate search.
    out_.emplace_back(std::string(key), encode_value(value, tag));
  }

 private:
  Json::object_t& out_;
};

template <HasFields T>
Json encode_value(const T& v, Tag) {
  Json out = Json::object();
  Encoder encoder(out.get_ref<Json::object_t&>());
  fields(encoder, v);
  return out;
}

}  // namespace shoal::api::json
