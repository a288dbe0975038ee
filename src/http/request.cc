#include "http/request.h"

#include <strings.h>

#include <algorithm>
#include <charconv>

#include "common/strings.h"

namespace shoal::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const char* method_name(Method method) {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kDelete:
      return "DELETE";
    case Method::kPatch:
      return "PATCH";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      return "OTHER";
  }
  return "OTHER";
}

Method parse_method(std::string_view name) {
  // HTTP methods are case-sensitive (RFC 9110 §9.1).
  if (name == "GET") return Method::kGet;
  if (name == "HEAD") return Method::kHead;
  if (name == "POST") return Method::kPost;
  if (name == "PUT") return Method::kPut;
  if (name == "DELETE") return Method::kDelete;
  if (name == "PATCH") return Method::kPatch;
  if (name == "OPTIONS") return Method::kOptions;
  return Method::kOther;
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [k, v] : fields_) {
    if (iequals(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

void Headers::set(std::string_view name, std::string_view value) {
  remove(name);
  add(name, value);
}

void Headers::add(std::string_view name, std::string_view value) {
  fields_.emplace_back(std::string(name), std::string(value));
}

void Headers::remove(std::string_view name) {
  std::erase_if(fields_, [&](const auto& f) { return iequals(f.first, name); });
}

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

QueryParams QueryParams::parse(std::string_view raw, Status* error) {
  QueryParams q;
  auto fail = [&](std::string_view pair, std::string_view why) {
    if (error != nullptr && error->is_ok()) {
      *error = shoal::error(Code::kInvalidArgument, "invalid query parameter \"{}\": {}",
                            std::string(pair), why);
    }
  };
  while (!raw.empty()) {
    size_t amp = raw.find('&');
    std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (pair.find(';') != std::string_view::npos) {
      fail(pair, "invalid semicolon separator");
      continue;
    }
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto k = percent_decode(key, true);
    auto v = percent_decode(value, true);
    if (!k || !v) {
      fail(pair, "invalid URL escape");
      continue;
    }
    q.pairs_.emplace_back(std::move(*k), std::move(*v));
  }
  return q;
}

bool QueryParams::has(std::string_view key) const { return get(key).has_value(); }

std::optional<std::string_view> QueryParams::get(std::string_view key) const {
  for (const auto& [k, v] : pairs_) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<std::string_view> QueryParams::values(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : pairs_) {
    if (k == key) out.emplace_back(v);
  }
  return out;
}

bool QueryParams::get_bool(std::string_view key) const {
  std::string v(trim(value(key), " \t\r\n"));
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return !(v.empty() || v == "0" || v == "no" || v == "false" || v == "none");
}

bool QueryParams::get_bool_or(std::string_view key, bool fallback) const {
  return has(key) ? get_bool(key) : fallback;
}

Result<int64_t> QueryParams::get_int(std::string_view key, int64_t fallback) const {
  std::string_view v = value(key);
  if (v.empty()) return fallback;
  std::string_view digits = v;
  if (digits.front() == '+') digits.remove_prefix(1);  // Go's ParseInt accepts a '+' sign
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty() ||
      (v.front() == '+' && digits.front() == '-')) {
    return shoal::error(Code::kInvalidArgument, "invalid value for \"{}\": \"{}\"", key, v);
  }
  return out;
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace shoal::http
