// Internal to the api codec: reading model values from JSON the way Go's encoding/json reads
// the moby types, but with errors that name the field path.
//
// Rules: unknown keys are ignored; a key matches a field exactly, else case-insensitively
// (ASCII), as in Go; null and absent leave the field at its zero value. Every failure is
// kInvalidArgument:
// - a value of the wrong JSON type, or a number its field's type cannot hold (out of range,
//   negative into unsigned, a fraction or exponent into an integer), is Go's
//   UnmarshalTypeError text, which moby answers as is, e.g. for a ServiceSpec body
//     `json: cannot unmarshal number 1e400 into Go struct field
//      ReplicatedService.Mode.Replicated.Replicas of type uint64` and
//     `json: cannot unmarshal number into Go struct field
//      ContainerSpec.TaskTemplate.ContainerSpec.Env of type string`
//   As in Go, the struct named is the innermost one holding the field, the field path runs
//   from the document root through field names only (no [index] or map keys), a number
//   that fits is "number", one that does not is "number <its text>", and with no field
//   (the root) it reads "into Go value of type T". Go's int is int64 here, and struct
//   types are named without their Go package.
// - an unknown enum spelling, bad RFC 3339 or bad base64 is "<path>: <problem>", e.g.
//     Spec.Availability: invalid value "bogus" (expected active, pause or drain)
// - an enum that Docker refuses in its own words (enum_errors.h) is that text alone:
//     `invalid RestartCondition: "bogus"`, `invalid Availability: "bogus"`.
// The first error stops decoding; the target is then partly filled.
// Enum spellings are matched exactly (Go accepts any string and the daemon rejects unknown
// ones later; we reject them here).
//
// Numbers: besides nlohmann's integer and float nodes, a number may arrive as a binary node
// holding its literal text (parse_body_json keeps every non-integer literal so, and the
// literal at which a number overflowed a double); the readers treat both alike.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/codec.h"
#include "api/common.h"
#include "api/enum.h"
#include "api/json/encoder.h"
#include "api/json/enum_errors.h"
#include "api/json/field.h"
#include "common/status.h"
#include "common/time.h"

namespace shoal::api::json {

// One step of the path from the document root to the value being read; frames live on the
// stack of the reading functions, each pointing at its parent.
struct Path {
  enum class Kind { kField, kIndex, kMapKey };
  const Path* parent = nullptr;
  Kind kind = Kind::kField;
  std::string_view key;    // kField, kMapKey
  size_t index = 0;        // kIndex
  std::string_view owner;  // kField: the Go name of the struct that has the field

  // "Spec.TaskTemplate.ContainerSpec.Mounts[0].Type", `Labels["a.b"]`; "" at the root.
  std::string to_string() const;
};

// Where a value is read from, and where the first error goes.
class Reader {
 public:
  Reader(const Path* path, Status* status) : path_(path), status_(status) {}

  bool failed() const { return !status_->is_ok(); }
  const Path* path() const { return path_; }
  Status* status() const { return status_; }

  // Records "<path>: <message>" unless an error is already recorded.
  void fail(std::string_view message) const;
  // Records `message` alone (a text Docker words itself), unless an error is already recorded.
  void fail_unplaced(std::string_view message) const;
  template <typename... Args>
  void fail(fmt::format_string<Args...> format, Args&&... args) const {
    fail(std::string_view(fmt::format(format, std::forward<Args>(args)...)));
  }
  // Records Go's "json: cannot unmarshal <what> into Go struct field <S>.<path> of type
  // <go_type>" (or "into Go value of type <go_type>" at the root) unless an error is
  // already recorded. `what`: "string", "number", "number 1e400", "bool", "array", "object".
  void fail_type(std::string_view what, std::string_view go_type) const;
  // fail_type with the JSON kind of `j` as `what` (go_kind).
  void fail_kind(const Json& j, std::string_view go_type) const;

 private:
  const Path* path_;
  Status* status_;
};

// Go's word for the JSON kind of `j` in an UnmarshalTypeError: "string", "number", "bool",
// "array", "object".
std::string_view go_kind(const Json& j);

// The text of a number node: the kept literal of a binary node, else nlohmann's dump.
std::string number_text(const Json& j);

// The Go name of model struct T ("ServiceSpec"); "" for a type outside the model lists.
template <class T>
inline constexpr std::string_view kGoStructName = "";
constexpr std::string_view unqualified(std::string_view name) {
  const size_t colons = name.rfind("::");
  return colons == std::string_view::npos ? name : name.substr(colons + 2);
}
#define SHOAL_API_GO_STRUCT_NAME_(T) \
  template <>                        \
  inline constexpr std::string_view kGoStructName<T> = unqualified(#T);
SHOAL_API_MODEL_TYPES(SHOAL_API_GO_STRUCT_NAME_)
#undef SHOAL_API_GO_STRUCT_NAME_

// The Go type name of a member type, as UnmarshalTypeError prints it.
template <class T>
struct GoType;
template <>
struct GoType<bool> {
  static std::string name() { return "bool"; }
};
template <>
struct GoType<int64_t> {
  static std::string name() { return "int64"; }
};
template <>
struct GoType<uint64_t> {
  static std::string name() { return "uint64"; }
};
template <>
struct GoType<uint32_t> {
  static std::string name() { return "uint32"; }
};
template <>
struct GoType<float> {
  static std::string name() { return "float32"; }
};
template <>
struct GoType<std::string> {
  static std::string name() { return "string"; }
};
template <>
struct GoType<Bytes> {
  static std::string name() { return "[]uint8"; }
};
template <>
struct GoType<Timestamp> {
  static std::string name() { return "time.Time"; }
};
template <>
struct GoType<std::chrono::nanoseconds> {
  static std::string name() { return "time.Duration"; }
};
template <ApiEnum E>
struct GoType<E> {
  static std::string name() { return "string"; }
};
template <class T>
struct GoType<std::optional<T>> {
  static std::string name() { return GoType<T>::name(); }
};
template <class T>
struct GoType<std::shared_ptr<const T>> {
  static std::string name() { return GoType<T>::name(); }
};
template <class T>
struct GoType<std::vector<T>> {
  static std::string name() { return "[]" + GoType<T>::name(); }
};
template <class T>
struct GoType<std::map<std::string, T>> {
  static std::string name() { return "map[string]" + GoType<T>::name(); }
};
template <HasFields T>
struct GoType<T> {
  static std::string name() { return std::string(kGoStructName<T>); }
};

// The member of `object` named `key`: exact match first, else ASCII case-insensitive; null if
// none.
const Json* find_member(const Json::object_t& object, std::string_view key);

void read_value(const Json& j, bool& out, const Reader& r);
void read_value(const Json& j, int64_t& out, const Reader& r);
void read_value(const Json& j, uint64_t& out, const Reader& r);
void read_value(const Json& j, uint32_t& out, const Reader& r);
void read_value(const Json& j, float& out, const Reader& r);
void read_value(const Json& j, std::string& out, const Reader& r);
void read_value(const Json& j, Bytes& out, const Reader& r);
void read_value(const Json& j, Timestamp& out, const Reader& r);
void read_value(const Json& j, std::chrono::nanoseconds& out, const Reader& r);

// The Docker spelling of `E`, as a string.
template <ApiEnum E>
void read_value(const Json& j, E& out, const Reader& r) {
  if (!j.is_string()) return r.fail_kind(j, "string");
  const auto& text = j.get_ref<const std::string&>();
  if (auto value = parse_enum<E>(text)) {
    out = *value;
  } else if constexpr (HasEnumError<E>) {
    r.fail_unplaced(enum_error<E>(text));
  } else {
    r.fail("invalid value \"{}\" (expected {})", text, enum_choices<E>());
  }
}

template <class T>
void read_value(const Json& j, std::optional<T>& out, const Reader& r) {
  read_value(j, out.emplace(), r);
}

// Elements that are null keep their zero value (Go: a nil pointer or zero element).
template <class T>
void read_value(const Json& j, std::vector<T>& out, const Reader& r) {
  if (!j.is_array()) return r.fail_kind(j, GoType<std::vector<T>>::name());
  out.resize(j.size());
  for (size_t i = 0; i < out.size() && !r.failed(); ++i) {
    if (j[i].is_null()) continue;
    const Path path{r.path(), Path::Kind::kIndex, {}, i, {}};
    read_value(j[i], out[i], Reader(&path, r.status()));
  }
}

template <class T>
void read_value(const Json& j, std::map<std::string, T>& out, const Reader& r) {
  if (!j.is_object()) return r.fail_kind(j, GoType<std::map<std::string, T>>::name());
  for (const auto& [key, value] : j.get_ref<const Json::object_t&>()) {
    if (r.failed()) return;
    T& item = out[key];
    if (value.is_null()) continue;
    const Path path{r.path(), Path::Kind::kMapKey, key, 0, {}};
    read_value(value, item, Reader(&path, r.status()));
  }
}

template <HasFields T>
void read_value(const Json& j, T& out, const Reader& r);

// Decodes into a fresh T and shares it.
template <HasFields T>
void read_value(const Json& j, std::shared_ptr<const T>& out, const Reader& r) {
  auto value = std::make_shared<T>();
  read_value(j, *value, r);
  out = std::move(value);
}

// Reads the fields of one object; the visitor passed to fields() when decoding.
class Decoder {
 public:
  // `owner`: the Go name of the struct whose fields are read.
  Decoder(const Json::object_t& in, const Reader& reader, std::string_view owner)
      : in_(in), reader_(reader), owner_(owner) {}

  template <class T>
  void operator()(std::string_view key, T& field, Tag = kPlain) {
    if (reader_.failed()) return;
    const Json* value = find_member(in_, key);
    if (value == nullptr || value->is_null()) return;
    const Path path{reader_.path(), Path::Kind::kField, key, 0, owner_};
    read_value(*value, field, Reader(&path, reader_.status()));
  }

 private:
  const Json::object_t& in_;
  Reader reader_;
  std::string_view owner_;
};

template <HasFields T>
void read_value(const Json& j, T& out, const Reader& r) {
  if (!j.is_object()) return r.fail_kind(j, GoType<T>::name());
  Decoder decoder(j.get_ref<const Json::object_t&>(), r, kGoStructName<T>);
  fields(decoder, out);
}

}  // namespace shoal::api::json
