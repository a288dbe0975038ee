// The scalar leaves of the codec: paths and errors, key lookup, and reading/writing the
// non-struct value types.
#include <cmath>
#include <cstdlib>
#include <vector>

#include "api/json/base64.h"
#include "api/json/decoder.h"
#include "api/json/encoder.h"

namespace shoal::api::json {
namespace {

bool equal_fold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void append_path(const Path* p, std::string& out) {
  if (p == nullptr) return;
  append_path(p->parent, out);
  switch (p->kind) {
    case Path::Kind::kField:
      if (!out.empty()) out += '.';
      out += p->key;
      break;
    case Path::Kind::kIndex:
      out += fmt::format("[{}]", p->index);
      break;
    case Path::Kind::kMapKey:
      out += fmt::format("[\"{}\"]", p->key);
      break;
  }
}

// A JSON integer node as a signed or unsigned 64-bit value; false for any other node
// (floats and kept literals included: Go's ParseInt refuses "1.0" and "1e2" too).
bool integer_of(const Json& j, bool& negative, uint64_t& magnitude) {
  if (j.is_number_unsigned()) {
    negative = false;
    magnitude = j.get<uint64_t>();
    return true;
  }
  if (j.is_number_integer()) {
    const int64_t v = j.get<int64_t>();
    negative = v < 0;
    magnitude = negative ? uint64_t(0) - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    return true;
  }
  return false;
}

bool is_number(const Json& j) { return j.is_number() || j.is_binary(); }

template <class U>
void read_unsigned(const Json& j, U& out, const Reader& r, std::string_view go_type) {
  if (!is_number(j)) return r.fail_kind(j, go_type);
  bool negative = false;
  uint64_t v = 0;
  if (!integer_of(j, negative, v) || negative || v > std::numeric_limits<U>::max()) {
    return r.fail_type("number " + number_text(j), go_type);
  }
  out = static_cast<U>(v);
}

void read_signed(const Json& j, int64_t& out, const Reader& r, std::string_view go_type) {
  if (!is_number(j)) return r.fail_kind(j, go_type);
  bool negative = false;
  uint64_t v = 0;
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  if (!integer_of(j, negative, v) || (negative ? v > kMax + 1 : v > kMax)) {
    return r.fail_type("number " + number_text(j), go_type);
  }
  out = negative ? static_cast<int64_t>(uint64_t(0) - v) : static_cast<int64_t>(v);
}

// "ContainerSpec.TaskTemplate.ContainerSpec.Env": the owner of the innermost field, then the
// field names from the root (Go's UnmarshalTypeError Struct and Field); "" at the root.
std::string go_field(const Path* p) {
  std::string_view owner;
  std::vector<std::string_view> names;
  for (; p != nullptr; p = p->parent) {
    if (p->kind != Path::Kind::kField) continue;
    if (owner.empty() && names.empty()) owner = p->owner;
    names.push_back(p->key);
  }
  if (names.empty()) return {};
  std::string out(owner);
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    if (!out.empty()) out += '.';
    out += *it;
  }
  return out;
}

}  // namespace

std::string Path::to_string() const {
  std::string out;
  append_path(this, out);
  return out;
}

void Reader::fail(std::string_view message) const {
  if (failed()) return;
  const std::string where = path_ ? path_->to_string() : std::string();
  *status_ = where.empty() ? Status(Code::kInvalidArgument, std::string(message))
                           : error(Code::kInvalidArgument, "{}: {}", where, message);
}

void Reader::fail_type(std::string_view what, std::string_view go_type) const {
  if (failed()) return;
  const std::string field = go_field(path_);
  *status_ = field.empty()
                 ? error(Code::kInvalidArgument,
                         "json: cannot unmarshal {} into Go value of type {}", what, go_type)
                 : error(Code::kInvalidArgument,
                         "json: cannot unmarshal {} into Go struct field {} of type {}", what,
                         field, go_type);
}

void Reader::fail_kind(const Json& j, std::string_view go_type) const {
  fail_type(go_kind(j), go_type);
}

std::string_view go_kind(const Json& j) {
  if (j.is_string()) return "string";
  if (j.is_boolean()) return "bool";
  if (j.is_array()) return "array";
  if (j.is_object()) return "object";
  return "number";  // numbers and kept number literals (binary nodes)
}

std::string number_text(const Json& j) {
  if (j.is_binary()) {
    const auto& bytes = j.get_binary();
    return std::string(bytes.begin(), bytes.end());
  }
  return j.dump();
}

void Reader::fail_unplaced(std::string_view message) const {
  if (!failed()) *status_ = Status(Code::kInvalidArgument, std::string(message));
}

const Json* find_member(const Json::object_t& object, std::string_view key) {
  for (const auto& [name, value] : object) {
    if (name == key) return &value;
  }
  for (const auto& [name, value] : object) {
    if (equal_fold(name, key)) return &value;
  }
  return nullptr;
}

void read_value(const Json& j, bool& out, const Reader& r) {
  if (!j.is_boolean()) return r.fail_kind(j, "bool");
  out = j.get<bool>();
}

void read_value(const Json& j, int64_t& out, const Reader& r) { read_signed(j, out, r, "int64"); }
void read_value(const Json& j, uint64_t& out, const Reader& r) {
  read_unsigned(j, out, r, "uint64");
}
void read_value(const Json& j, uint32_t& out, const Reader& r) {
  read_unsigned(j, out, r, "uint32");
}

void read_value(const Json& j, float& out, const Reader& r) {
  if (!is_number(j)) return r.fail_kind(j, "float32");
  // A kept literal is read as strtod reads it (C locale: the daemon never sets another);
  // Go's ParseFloat(s, 32) refuses what rounds beyond the largest float32.
  const double v = j.is_binary() ? std::strtod(number_text(j).c_str(), nullptr) : j.get<double>();
  if (!std::isfinite(v) || std::fabs(v) > std::numeric_limits<float>::max()) {
    return r.fail_type("number " + number_text(j), "float32");
  }
  out = static_cast<float>(v);
}

void read_value(const Json& j, std::string& out, const Reader& r) {
  if (!j.is_string()) return r.fail_kind(j, "string");
  out = j.get_ref<const std::string&>();
}

void read_value(const Json& j, Bytes& out, const Reader& r) {
  if (!j.is_string()) return r.fail_kind(j, "[]uint8");
  auto bytes = base64_decode(j.get_ref<const std::string&>());
  if (!bytes) return r.fail("invalid base64");
  out = Bytes(std::move(*bytes));
}

void read_value(const Json& j, Timestamp& out, const Reader& r) {
  if (!j.is_string()) return r.fail_kind(j, "time.Time");
  auto t = parse_rfc3339(j.get_ref<const std::string&>());
  if (!t.is_ok()) return r.fail(t.status().message());
  out = *t;
}

void read_value(const Json& j, std::chrono::nanoseconds& out, const Reader& r) {
  int64_t ns = 0;
  read_signed(j, ns, r, "time.Duration");
  if (!r.failed()) out = std::chrono::nanoseconds(ns);
}

Json encode_float32(float v) {
  // Go prints a float32 in the fewest digits that read back as the same float32, and
  // integral values without a fraction.
  if (std::nearbyint(v) == v && std::fabs(v) < 1e15f) return static_cast<int64_t>(v);
  return std::strtod(fmt::format("{}", v).c_str(), nullptr);
}

}  // namespace shoal::api::json
