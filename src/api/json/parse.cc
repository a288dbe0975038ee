// JSON text to a tree: parse_json (nlohmann's DOM parser) and parse_body_json (a SAX builder
// that keeps the text of number literals no 64-bit integer holds, for decode's errors).
#include <string>
#include <vector>

#include "api/codec.h"

namespace shoal::api {
namespace {

// "parse error at line 1, column 2: ..." from nlohmann's
// "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
Status invalid_json(const std::exception& e) {
  std::string what = e.what();
  const auto pos = what.find("] ");
  return error(Code::kInvalidArgument, "invalid JSON: {}",
               pos == std::string::npos ? what : what.substr(pos + 2));
}

Json number_literal(std::string_view text) {
  return Json::binary(Json::binary_t::container_type(text.begin(), text.end()));
}

// Builds the tree as nlohmann's DOM parser does, except that a float literal becomes a binary
// node holding its text, and that a literal beyond a double's range (406 "number overflow")
// is kept the same way and ends the parse with the tree built so far.
class BodyBuilder {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  bool null() { return add(Json(nullptr)); }
  bool boolean(bool v) { return add(Json(v)); }
  bool number_integer(number_integer_t v) { return add(Json(v)); }
  bool number_unsigned(number_unsigned_t v) { return add(Json(v)); }
  bool number_float(number_float_t, const string_t& text) { return add(number_literal(text)); }
  bool string(string_t& v) { return add(Json(std::move(v))); }
  bool binary(binary_t& v) { return add(Json::binary(std::move(v))); }
  bool start_object(std::size_t) { return open(Json::object()); }
  bool key(string_t& k) {
    pending_key_ = &stack_.back()->get_ref<Json::object_t&>()[k];
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(Json::array()); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t, const std::string& token, const nlohmann::detail::exception& e) {
    if (e.id == 406) {
      add(number_literal(token));
      overflow_ = token;
    } else {
      status_ = invalid_json(e);
    }
    return false;
  }

  Json& root() { return root_; }
  const Status& status() const { return status_; }
  const std::string& overflow() const { return overflow_; }

 private:
  Json* place(Json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& top = *stack_.back();
    if (top.is_array()) {
      auto& items = top.get_ref<Json::array_t&>();
      items.push_back(std::move(value));
      return &items.back();
    }
    *pending_key_ = std::move(value);
    return pending_key_;
  }
  bool add(Json value) {
    place(std::move(value));
    return true;
  }
  bool open(Json container) {
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  Json root_;
  std::vector<Json*> stack_;  // the open containers, innermost last
  Json* pending_key_ = nullptr;
  Status status_;
  std::string overflow_;
};

}  // namespace

Result<Json> parse_json(std::string_view text) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {  // parse_error, and out_of_range for 1e400
    return invalid_json(e);
  }
}

Result<BodyTree> parse_body_json(std::string_view text) {
  BodyBuilder builder;
  Json::sax_parse(text, &builder);
  if (!builder.status().is_ok()) return builder.status();
  return BodyTree{std::move(builder.root()), builder.overflow()};
}

Status number_overflow(std::string_view literal) {
  return error(Code::kInvalidArgument,
               "json: cannot unmarshal number {} into Go value of type float64", literal);
}

}  // namespace shoal::api
