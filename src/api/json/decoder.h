// Internal to the api codec: reading model values from JSON the way Go's encoding/json reads
// the moby types, but with errors that name the field path.
//
// Rules: unknown keys are ignored; a key matches a field exactly, else case-insensitively
// (ASCII), as in Go; null and absent leave the field at its zero value; a value of the wrong
// JSON type, an integer out of range, an unknown enum spelling, bad RFC 3339 or bad base64 is
// kInvalidArgument "<path>: <problem>", e.g.
//   Spec.Mode.Replicated.Replicas: expected unsigned integer
//   Spec.EndpointSpec.Ports[0].Protocol: invalid value "bogus" (expected tcp, udp or sctp)
// except an enum that Docker refuses in its own words (enum_errors.h), whose error is that
// text alone: `invalid RestartCondition: "bogus"`, `invalid Availability: "bogus"`.
// The first error stops decoding; the target is then partly filled.
// Enum spellings are matched exactly (Go accepts any string and the daemon rejects unknown
// ones later; we reject them here).
#pragma once

#include <chrono>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

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
  std::string_view key;  // kField, kMapKey
  size_t index = 0;      // kIndex

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

 private:
  const Path* path_;
  Status* status_;
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
  if (!j.is_string()) return r.fail("expected string");
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
  if (!j.is_array()) return r.fail("expected array");
  out.resize(j.size());
  for (size_t i = 0; i < out.size() && !r.failed(); ++i) {
    if (j[i].is_null()) continue;
    const Path path{r.path(), Path::Kind::kIndex, {}, i};
    read_value(j[i], out[i], Reader(&path, r.status()));
  }
}

template <class T>
void read_value(const Json& j, std::map<std::string, T>& out, const Reader& r) {
  if (!j.is_object()) return r.fail("expected object");
  for (const auto& [key, value] : j.get_ref<const Json::object_t&>()) {
    if (r.failed()) return;
    T& item = out[key];
    if (value.is_null()) continue;
    const Path path{r.path(), Path::Kind::kMapKey, key};
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
  Decoder(const Json::object_t& in, const Reader& reader) : in_(in), reader_(reader) {}

  template <class T>
  void operator()(std::string_view key, T& field, Tag = kPlain) {
    if (reader_.failed()) return;
    const Json* value = find_member(in_, key);
    if (value == nullptr || value->is_null()) return;
    const Path path{reader_.path(), Path::Kind::kField, key};
    read_value(*value, field, Reader(&path, reader_.status()));
  }

 private:
  const Json::object_t& in_;
  Reader reader_;
};

template <HasFields T>
void read_value(const Json& j, T& out, const Reader& r) {
  if (!j.is_object()) return r.fail("expected object");
  Decoder decoder(j.get_ref<const Json::object_t&>(), r);
  fields(decoder, out);
}

}  // namespace shoal::api::json
