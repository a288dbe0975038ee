#include "store/codec.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <type_traits>
#include <vector>

// The model's field lists (internal to the api codec, shared with it on purpose: one list per
// struct serves JSON and the store).
#include "api/json/field.h"
#include "api/json/fields_common.h"
#include "api/json/fields_container.h"
#include "api/json/fields_network.h"
#include "api/json/fields_node.h"
#include "api/json/fields_service.h"
#include "api/json/fields_swarm.h"
#include "api/json/fields_task.h"

namespace shoal::store::codec {
namespace {

using api::json::Tag;

constexpr char kFormatVersion = 1;
constexpr uint32_t kIdBits = 18;

enum Wire : uint32_t { kVarint = 0, kFixed32 = 1, kBytes = 2 };

uint32_t field_id(std::string_view key) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : key) {
    h ^= c;
    h *= 16777619u;
  }
  return (h ^ (h >> kIdBits)) & ((1u << kIdBits) - 1);
}

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};
template <class T>
struct IsMap : std::false_type {};
template <class T>
struct IsMap<std::map<std::string, T>> : std::true_type {};
template <class T>
struct IsShared : std::false_type {};
template <class T>
struct IsShared<std::shared_ptr<const T>> : std::true_type {};

// The wire type of a value of type T (an optional's is its value's).
template <class T>
constexpr Wire wire_of() {
  if constexpr (IsOptional<T>::value) {
    return wire_of<typename T::value_type>();
  } else if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T> ||
                       std::is_same_v<T, Timestamp> ||
                       std::is_same_v<T, std::chrono::nanoseconds>) {
    return kVarint;
  } else if constexpr (std::is_same_v<T, float>) {
    return kFixed32;
  } else {
    return kBytes;
  }
}

// ---------------------------------------------------------------------------------------------
// Field IDs per struct type.

// Visits a struct's field list, collecting IDs. The template argument puts namespace
// shoal::api::json among the associated namespaces of the visitor's type, so that the
// unqualified fields() calls inside the api's field lists (embed<>) find their overloads by
// argument-dependent lookup, as they do for the api's own Encoder and Decoder.
template <class AdlTag>
class BasicIdCollector {
 public:
  template <class T>
  void operator()(std::string_view key, const T& value, Tag = Tag::kPlain);

  std::vector<std::pair<uint32_t, std::string_view>> ids;
};
using IdCollector = BasicIdCollector<api::json::Tag>;

template <class T>
concept Struct = requires(IdCollector& c, const T& t) {
  fields(c, t);
};

struct KnownIds {
  std::vector<uint32_t> sorted;
  bool contains(uint32_t id) const { return std::binary_search(sorted.begin(), sorted.end(), id); }
};

template <class T>
void visit_nested_types();

// The IDs of T's fields; computed (and checked for collisions) once.
template <Struct T>
const KnownIds& known_ids() {
  static const KnownIds ids = [] {
    IdCollector collector;
    static const T sample{};
    fields(collector, sample);
    auto list = collector.ids;
    std::sort(list.begin(), list.end());
    for (size_t i = 1; i < list.size(); ++i) {
      if (list[i].first == list[i - 1].first) {
        std::fprintf(stderr, "store codec: fields %.*s and %.*s of one struct share ID %u\n",
                     static_cast<int>(list[i - 1].second.size()), list[i - 1].second.data(),
                     static_cast<int>(list[i].second.size()), list[i].second.data(), list[i].first);
        std::abort();
      }
    }
    KnownIds out;
    for (const auto& [id, key] : list) out.sorted.push_back(id);
    return out;
  }();
  return ids;
}

// Computes the IDs of every struct type reachable from a field of type T.
template <class T>
void visit_nested_types() {
  if constexpr (IsOptional<T>::value || IsVector<T>::value) {
    visit_nested_types<typename T::value_type>();
  } else if constexpr (IsMap<T>::value) {
    visit_nested_types<typename T::mapped_type>();
  } else if constexpr (IsShared<T>::value) {
    visit_nested_types<typename T::element_type>();
  } else if constexpr (Struct<std::remove_const_t<T>>) {
    known_ids<std::remove_const_t<T>>();
  }
}

template <class AdlTag>
template <class T>
void BasicIdCollector<AdlTag>::operator()(std::string_view key, const T&, Tag) {
  ids.emplace_back(field_id(key), key);
  visit_nested_types<T>();
}

// ---------------------------------------------------------------------------------------------
// Writing.

void put_varint(std::string* out, uint64_t v) {
  if (v < 0x80) {
    out->push_back(static_cast<char>(v));
    return;
  }
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

template <class AdlTag>
class BasicWriter {
 public:
  BasicWriter(std::string* out, std::string_view spec_ref) : out_(out), spec_ref_(spec_ref) {}

  // A field of a struct: tag and value, or nothing for an empty non-optional value.
  template <class T>
  void operator()(std::string_view key, const T& value, Tag = Tag::kPlain) {
    uint32_t id = field_id(key);
    if constexpr (IsOptional<T>::value) {
      if (!value) return;
      put_tag(id, wire_of<T>());
      write(*value);
    } else if constexpr (Struct<T> || IsShared<T>::value) {
      size_t mark = out_->size();
      put_tag(id, kBytes);
      size_t body = out_->size();
      write(value);
      if (out_->size() == body + 1) out_->resize(mark);  // length 0: an empty struct
    } else {
      if (is_empty(value)) return;
      put_tag(id, wire_of<T>());
      write(value);
    }
  }

  // A value without tag.
  void write(bool v) { put_varint(out_, v ? 1 : 0); }
  void write(int64_t v) { put_varint(out_, zigzag(v)); }
  void write(uint64_t v) { put_varint(out_, v); }
  void write(uint32_t v) { put_varint(out_, v); }
  void write(float v) {
    char buf[4];
    std::memcpy(buf, &v, 4);
    out_->append(buf, 4);
  }
  void write(std::string_view v) {
    put_varint(out_, v.size());
    out_->append(v);
  }
  void write(Timestamp v) {
    put_varint(out_, zigzag(v.is_zero() ? std::numeric_limits<int64_t>::min() : v.unix_nanos()));
  }
  void write(std::chrono::nanoseconds v) { put_varint(out_, zigzag(v.count())); }
  template <api::ApiEnum E>
  void write(E v) {
    write(api::to_string(v));
  }
  template <class T>
  void write(const std::vector<T>& v) {
    size_t mark = begin_length();
    put_varint(out_, v.size());
    for (const T& item : v) write(item);
    end_length(mark);
  }
  template <class T>
  void write(const std::map<std::string, T>& v) {
    size_t mark = begin_length();
    put_varint(out_, v.size());
    for (const auto& [key, item] : v) {
      write(std::string_view(key));
      write(item);
    }
    end_length(mark);
  }
  template <class T>
  void write(const std::shared_ptr<const T>& v) {
    if constexpr (std::is_same_v<T, api::TaskSpec>) {
      if (!spec_ref_.empty()) return write(spec_ref_);
    }
    write(v ? *v : T{});
  }
  template <Struct T>
  void write(const T& v) {
    size_t mark = begin_length();
    fields(*this, v);
    end_length(mark);
  }

 private:
  static bool is_empty(bool v) { return !v; }
  template <class T>
  requires std::is_integral_v<T>
  static bool is_empty(T v) { return v == 0; }
  static bool is_empty(float v) { return v == 0; }
  static bool is_empty(const std::string& v) { return v.empty(); }
  static bool is_empty(Timestamp v) { return v.is_zero(); }
  static bool is_empty(std::chrono::nanoseconds v) { return v.count() == 0; }
  template <api::ApiEnum E>
  static bool is_empty(E v) {
    return v == E{};
  }
  template <class T>
  static bool is_empty(const std::vector<T>& v) {
    return v.empty();
  }
  template <class T>
  static bool is_empty(const std::map<std::string, T>& v) {
    return v.empty();
  }

  void put_tag(uint32_t id, Wire wire) { put_varint(out_, (uint64_t{id} << 3) | wire); }

  // Reserves one byte for a length; end_length() widens it if needed.
  size_t begin_length() {
    out_->push_back(0);
    return out_->size();
  }
  void end_length(size_t start) {
    size_t length = out_->size() - start;
    if (length < 0x80) {
      (*out_)[start - 1] = static_cast<char>(length);
      return;
    }
    std::string varint;
    put_varint(&varint, length);
    out_->replace(start - 1, 1, varint);
  }

  std::string* out_;
  std::string_view spec_ref_;
};
using Writer = BasicWriter<api::json::Tag>;

// ---------------------------------------------------------------------------------------------
// Reading.

struct Context {
  const char* type;  // for messages
  const SpecResolver* resolve = nullptr;
  Status status;

  bool failed() const { return !status.is_ok(); }
  void fail(std::string_view what) {
    if (status.is_ok()) status = error(Code::kInternal, "corrupt {} record: {}", type, what);
  }
};

class Input {
 public:
  Input(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}  // NOLINT

  bool empty() const { return p_ == end_; }
  size_t size() const { return static_cast<size_t>(end_ - p_); }

  bool varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      auto byte = static_cast<uint8_t>(*p_++);
      result |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool fixed32(uint32_t* v) {
    if (size() < 4) return false;
    std::memcpy(v, p_, 4);
    p_ += 4;
    return true;
  }
  bool bytes(std::string_view* v) {
    uint64_t n;
    if (!varint(&n) || n > size()) return false;
    *v = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  bool skip(uint32_t wire) {
    uint64_t v;
    uint32_t f;
    std::string_view b;
    switch (wire) {
      case kVarint:
        return varint(&v);
      case kFixed32:
        return fixed32(&f);
      case kBytes:
        return bytes(&b);
      default:
        return false;
    }
  }

 private:
  const char* p_;
  const char* end_;
};

// Reads one value (without tag) of type T.
template <class T>
void read(Input& in, T& out, Context& ctx);

// Reads one struct body, matching its fields against T's field list.
template <class AdlTag>
class BasicReader {
 public:
  BasicReader(Input in, const KnownIds& known, Context& ctx) : in_(in), known_(known), ctx_(ctx) {
    advance();
  }

  template <class T>
  void operator()(std::string_view key, T& field, Tag = Tag::kPlain) {
    if (ctx_.failed()) return;
    uint32_t id = field_id(key);
    while (has_tag_) {
      if (tag_ >> 3 == id) {
        if ((tag_ & 7) != wire_of<T>()) return ctx_.fail("wrong wire type for a field");
        read(in_, field, ctx_);
        advance();
        return;
      }
      if (known_.contains(static_cast<uint32_t>(tag_ >> 3))) return;  // this field is absent
      if (!in_.skip(tag_ & 7)) return ctx_.fail("truncated unknown field");
      advance();
    }
  }

 private:
  void advance() {
    has_tag_ = !in_.empty();
    if (has_tag_ && !in_.varint(&tag_)) {
      has_tag_ = false;
      ctx_.fail("truncated tag");
    }
  }

  Input in_;
  const KnownIds& known_;
  Context& ctx_;
  bool has_tag_ = false;
  uint64_t tag_ = 0;
};
using Reader = BasicReader<api::json::Tag>;

template <class T>
void read(Input& in, T& out, Context& ctx) {
  if constexpr (IsOptional<T>::value) {
    read(in, out.emplace(), ctx);
  } else if constexpr (std::is_same_v<T, bool>) {
    uint64_t v;
    if (!in.varint(&v)) return ctx.fail("truncated varint");
    out = v != 0;
  } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    uint64_t v;
    if (!in.varint(&v)) return ctx.fail("truncated varint");
    out = static_cast<T>(unzigzag(v));
  } else if constexpr (std::is_integral_v<T>) {
    uint64_t v;
    if (!in.varint(&v)) return ctx.fail("truncated varint");
    out = static_cast<T>(v);
  } else if constexpr (std::is_same_v<T, float>) {
    uint32_t v;
    if (!in.fixed32(&v)) return ctx.fail("truncated float");
    std::memcpy(&out, &v, 4);
  } else if constexpr (std::is_same_v<T, Timestamp>) {
    uint64_t v;
    if (!in.varint(&v)) return ctx.fail("truncated time");
    int64_t ns = unzigzag(v);
    out = ns == std::numeric_limits<int64_t>::min() ? Timestamp() : Timestamp::from_unix_nanos(ns);
  } else if constexpr (std::is_same_v<T, std::chrono::nanoseconds>) {
    uint64_t v;
    if (!in.varint(&v)) return ctx.fail("truncated duration");
    out = std::chrono::nanoseconds(unzigzag(v));
  } else if constexpr (std::is_base_of_v<std::string, T>) {  // std::string, api::Bytes
    std::string_view v;
    if (!in.bytes(&v)) return ctx.fail("truncated string");
    out.assign(v.data(), v.size());
  } else if constexpr (api::ApiEnum<T>) {
    std::string_view v;
    if (!in.bytes(&v)) return ctx.fail("truncated enum");
    auto value = api::parse_enum<T>(v);
    if (!value) return ctx.fail("unknown enum value");
    out = *value;
  } else if constexpr (IsVector<T>::value) {
    std::string_view body;
    uint64_t count;
    if (!in.bytes(&body)) return ctx.fail("truncated list");
    Input items(body);
    if (!items.varint(&count) || count > items.size()) return ctx.fail("bad list length");
    out.resize(count);
    for (auto& item : out) {
      if (ctx.failed()) return;
      read(items, item, ctx);
    }
  } else if constexpr (IsMap<T>::value) {
    std::string_view body;
    uint64_t count;
    if (!in.bytes(&body)) return ctx.fail("truncated map");
    Input items(body);
    if (!items.varint(&count) || count > items.size()) return ctx.fail("bad map length");
    for (uint64_t i = 0; i < count && !ctx.failed(); ++i) {
      std::string key;
      read(items, key, ctx);
      read(items, out[std::move(key)], ctx);
    }
  } else if constexpr (IsShared<T>::value) {
    using V = std::remove_const_t<typename T::element_type>;
    if constexpr (std::is_same_v<V, api::TaskSpec>) {
      if (ctx.resolve != nullptr) {
        std::string_view ref;
        if (!in.bytes(&ref)) return ctx.fail("truncated spec reference");
        auto spec = (*ctx.resolve)(ref);
        if (!spec.is_ok()) {
          if (ctx.status.is_ok()) ctx.status = spec.status();
          return;
        }
        out = std::move(spec).value();
        return;
      }
    }
    auto value = std::make_shared<V>();
    read(in, *value, ctx);
    out = std::move(value);
  } else {
    static_assert(Struct<T>, "the store codec cannot store this type");
    std::string_view body;
    if (!in.bytes(&body)) return ctx.fail("truncated struct");
    Reader reader(Input(body), known_ids<T>(), ctx);
    fields(reader, out);
  }
}

template <class T>
void encode_record(const T& object, std::string_view spec_ref, std::string* out) {
  known_ids<T>();  // checks the IDs once
  out->push_back(kFormatVersion);
  Writer writer(out, spec_ref);
  fields(writer, object);
}

template <class T>
Status decode_record(std::string_view record, const char* type, const SpecResolver* resolve,
                     T* out) {
  *out = T{};
  Context ctx{type, resolve, Status::ok()};
  if (record.empty() || record[0] != kFormatVersion) {
    ctx.fail("unknown format version");
    return ctx.status;
  }
  Reader reader(Input(record.substr(1)), known_ids<T>(), ctx);
  fields(reader, *out);
  return ctx.status;
}

}  // namespace

void encode(const api::Swarm& object, std::string* out) { encode_record(object, {}, out); }
void encode(const api::Node& object, std::string* out) { encode_record(object, {}, out); }
void encode(const api::Service& object, std::string* out) { encode_record(object, {}, out); }
void encode(const api::Network& object, std::string* out) { encode_record(object, {}, out); }
void encode(const api::Secret& object, std::string* out) { encode_record(object, {}, out); }
void encode(const api::Config& object, std::string* out) { encode_record(object, {}, out); }
void encode(const api::TaskSpec& object, std::string* out) { encode_record(object, {}, out); }
void encode(const api::Task& object, std::string_view spec_ref, std::string* out) {
  encode_record(object, spec_ref, out);
}

Status decode(std::string_view record, api::Swarm* out) {
  return decode_record(record, "cluster", nullptr, out);
}
Status decode(std::string_view record, api::Node* out) {
  return decode_record(record, "node", nullptr, out);
}
Status decode(std::string_view record, api::Service* out) {
  return decode_record(record, "service", nullptr, out);
}
Status decode(std::string_view record, api::Network* out) {
  return decode_record(record, "network", nullptr, out);
}
Status decode(std::string_view record, api::Secret* out) {
  return decode_record(record, "secret", nullptr, out);
}
Status decode(std::string_view record, api::Config* out) {
  return decode_record(record, "config", nullptr, out);
}
Status decode(std::string_view record, api::TaskSpec* out) {
  return decode_record(record, "task spec", nullptr, out);
}
Status decode(std::string_view record, const SpecResolver& resolve, api::Task* out) {
  return decode_record(record, "task", &resolve, out);
}

void check_field_ids() {
  known_ids<api::Swarm>();
  known_ids<api::Node>();
  known_ids<api::Service>();
  known_ids<api::Network>();
  known_ids<api::Secret>();
  known_ids<api::Config>();
  known_ids<api::TaskSpec>();
  known_ids<api::Task>();
}

}  // namespace shoal::store::codec
