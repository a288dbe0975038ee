// The scalar leaves of the codec: paths and errors, key lookup, and reading/writing the
// non-struct value types.
#include <cmath>
#include <cstdlib>

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

// A JSON integer as a signed or unsigned 64-bit value; false if `j` is not an integer.
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

template <class U>
void read_unsigned(const Json& j, U& out, const Reader& r) {
  bool negative = false;
  uint64_t v = 0;
  if (!integer_of(j, negative, v) || negative) return r.fail("expected unsigned integer");
  if (v > std::numeric_limits<U>::max()) return r.fail("value {} out of range", v);
  out = static_cast<U>(v);
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
  if (!j.is_boolean()) return r.fail("expected boolean");
  out = j.get<bool>();
}

void read_value(const Json& j, int64_t& out, const Reader& r) {
  bool negative = false;
  uint64_t v = 0;
  if (!integer_of(j, negative, v)) return r.fail("expected integer");
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  if (negative ? v > kMax + 1 : v > kMax) return r.fail("value {} out of range", j.dump());
  out = negative ? static_cast<int64_t>(uint64_t(0) - v) : static_cast<int64_t>(v);
}

void read_value(const Json& j, uint64_t& out, const Reader& r) { read_unsigned(j, out, r); }
void read_value(const Json& j, uint32_t& out, const Reader& r) { read_unsigned(j, out, r); }

void read_value(const Json& j, float& out, const Reader& r) {
  if (!j.is_number()) return r.fail("expected number");
  const double v = j.get<double>();
  if (std::isfinite(v) && std::fabs(v) > std::numeric_limits<float>::max()) {
    return r.fail("value {} out of range", j.dump());
  }
  out = static_cast<float>(v);
}

void read_value(const Json& j, std::string& out, const Reader& r) {
  if (!j.is_string()) return r.fail("expected string");
  out = j.get_ref<const std::string&>();
}

void read_value(const Json& j, Bytes& out, const Reader& r) {
  if (!j.is_string()) return r.fail("expected base64 string");
  auto bytes = base64_decode(j.get_ref<const std::string&>());
  if (!bytes) return r.fail("invalid base64");
  out = Bytes(std::move(*bytes));
}

void read_value(const Json& j, Timestamp& out, const Reader& r) {
  if (!j.is_string()) return r.fail("expected RFC 3339 time string");
  auto t = parse_rfc3339(j.get_ref<const std::string&>());
  if (!t.is_ok()) return r.fail(t.status().message());
  out = *t;
}

void read_value(const Json& j, std::chrono::nanoseconds& out, const Reader& r) {
  int64_t ns = 0;
  bool negative = false;
  uint64_t magnitude = 0;
  if (!integer_of(j, negative, magnitude)) return r.fail("expected integer nanoseconds");
  read_value(j, ns, r);
  out = std::chrono::nanoseconds(ns);
}

Json encode_float32(float v) {
  // Go prints a float32 in the fewest digits that read back as the same float32, and
  // integral values without a fraction.
  if (std::nearbyint(v) == v && std::fabs(v) < 1e15f) return static_cast<int64_t>(v);
  return std::strtod(fmt::format("{}", v).c_str(), nullptr);
}

}  // namespace shoal::api::json
