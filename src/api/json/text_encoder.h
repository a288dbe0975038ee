// Internal to the api codec: the fast path of encode(), which writes JSON text directly,
// byte for byte as Go's encoding/json does (no intermediate nlohmann tree). It walks the same
// field lists and omitempty rules as the tree Encoder (encoder.h); tests check that both
// produce the same JSON value for every model type.
//
// Strings are escaped as Go escapes them: \" \\ \n \r \t, other control characters and the
// HTML-sensitive < > & as \u00XX, U+2028/U+2029 as \u2028/\u2029, and invalid UTF-8 as
// \ufffd.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/common.h"
#include "api/enum.h"
#include "api/json/encoder.h"
#include "api/json/field.h"
#include "common/time.h"

namespace shoal::api::json {

// Appends `s` as a quoted, Go-escaped JSON string.
void append_quoted(std::string& out, std::string_view s);
void append_number(std::string& out, int64_t v);
void append_number(std::string& out, uint64_t v);
// Go's float32 text: shortest round-trip digits, exponent only below 1e-6 or from 1e21.
void append_float32(std::string& out, float v);

inline void write_value(std::string& out, bool v, Tag) { out += v ? "true" : "false"; }
inline void write_value(std::string& out, int64_t v, Tag) { append_number(out, v); }
inline void write_value(std::string& out, uint64_t v, Tag) { append_number(out, v); }
inline void write_value(std::string& out, uint32_t v, Tag) { append_number(out, uint64_t{v}); }
inline void write_value(std::string& out, float v, Tag) { append_float32(out, v); }
inline void write_value(std::string& out, const std::string& v, Tag) { append_quoted(out, v); }
void write_value(std::string& out, const Bytes& v, Tag);
void write_value(std::string& out, Timestamp v, Tag);
inline void write_value(std::string& out, std::chrono::nanoseconds v, Tag) {
  append_number(out, int64_t{v.count()});
}
template <ApiEnum E>
void write_value(std::string& out, E v, Tag) {
  out += '"';
  out += to_string(v);  // spellings need no escaping
  out += '"';
}

template <class T>
void write_value(std::string& out, const std::optional<T>& v, Tag tag) {
  if (v) {
    write_value(out, *v, tag);
  } else {
    out += "null";
  }
}

template <class T>
void write_value(std::string& out, const std::vector<T>& v, Tag tag) {
  if (v.empty()) {
    out += tag == kNonNull ? "[]" : "null";
    return;
  }
  out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    write_value(out, v[i], kPlain);
  }
  out += ']';
}

template <class T>
void write_value(std::string& out, const std::map<std::string, T>& v, Tag tag) {
  if (v.empty()) {
    out += tag == kNonNull ? "{}" : "null";
    return;
  }
  char separator = '{';
  for (const auto& [key, item] : v) {
    out += separator;
    separator = ',';
    append_quoted(out, key);
    out += ':';
    write_value(out, item, kPlain);
  }
  out += '}';
}

template <HasFields T>
void write_value(std::string& out, const T& v, Tag);

template <HasFields T>
void write_value(std::string& out, const std::shared_ptr<const T>& v, Tag tag) {
  if (v) {
    write_value(out, *v, tag);
  } else {
    write_value(out, T{}, tag);
  }
}

// Appends the members of one object; the visitor passed to fields() when writing text.
class TextEncoder {
 public:
  explicit TextEncoder(std::string& out) : out_(out) {}

  template <class T>
  void operator()(std::string_view key, const T& value, Tag tag = kPlain) {
    if (tag == kOmitEmpty && is_empty(value, tag)) return;
    out_ += first_ ? '{' : ',';
    first_ = false;
    out_ += '"';
    out_ += key;  // field names are plain ASCII
    out_ += "\":";
    write_value(out_, value, tag);
  }

  // Closes the object ("{}" if no member was written).
  void finish() { out_ += first_ ? "{}" : "}"; }

 private:
  std::string& out_;
  bool first_ = true;
};

template <HasFields T>
void write_value(std::string& out, const T& v, Tag) {
  TextEncoder encoder(out);
  fields(encoder, v);
  encoder.finish();
}

}  // namespace shoal::api::json
