#include "runtime/image/registry_auth.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace shoal::runtime::image {
namespace {

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~/").find(c) != std::string_view::npos;
}

// A cursor over a header value.
struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  void skip_space() {
    while (!done() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
  std::string token() {
    size_t start = i;
    while (!done() && is_token_char(s[i])) ++i;
    return std::string(s.substr(start, i - start));
  }
  std::string quoted() {  // after the opening quote
    std::string out;
    while (!done() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out.push_back(s[i++]);
    }
    if (!done()) ++i;  // closing quote
    return out;
  }
};

std::string url_encode(std::string_view s) {
  std::string out;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::optional<std::string> base64_decode(std::string text) {
  std::replace(text.begin(), text.end(), '-', '+');
  std::replace(text.begin(), text.end(), '_', '/');
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  while (text.size() % 4 != 0) text.push_back('=');
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  for (size_t k = text.size(); k > 0 && text[k - 1] == '='; --k) ++pad;
  out.resize(static_cast<size_t>(n) - std::min<size_t>(pad, static_cast<size_t>(n)));
  return out;
}

}  // namespace

std::vector<Challenge> parse_www_authenticate(std::string_view value) {
  std::vector<Challenge> out;
  Cursor c{value};
  while (!c.done()) {
    c.skip_space();
    if (!c.done() && c.s[c.i] == ',') {
      ++c.i;
      continue;
    }
    std::string scheme = c.token();
    if (scheme.empty()) {
      ++c.i;  // garbage: skip a character
      continue;
    }
    Challenge ch{ascii_lower(scheme), {}};
    // auth-params: name=value pairs separated by commas, until the next scheme.
    while (true) {
      c.skip_space();
      size_t mark = c.i;
      std::string name = c.token();
      c.skip_space();
      if (name.empty() || c.done() || c.s[c.i] != '=') {
        c.i = mark;
        break;
      }
      ++c.i;
      c.skip_space();
      std::string v;
      if (!c.done() && c.s[c.i] == '"') {
        ++c.i;
        v = c.quoted();
      } else {
        v = c.token();
      }
      ch.params[ascii_lower(name)] = v;
      c.skip_space();
      if (!c.done() && c.s[c.i] == ',') ++c.i;
    }
    out.push_back(std::move(ch));
  }
  return out;
}

std::string token_url(const Challenge& bearer, std::string_view scope) {
  auto get = [&](const char* k) {
    auto it = bearer.params.find(k);
    return it == bearer.params.end() ? std::string() : it->second;
  };
  std::string url = get("realm");
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  if (std::string service = get("service"); !service.empty()) {
    url += sep + std::string("service=") + url_encode(service);
    sep = '&';
  }
  if (!scope.empty()) url += sep + std::string("scope=") + url_encode(scope);
  return url;
}

Result<RegistryAuth> decode_registry_auth(std::string_view header) {
  RegistryAuth auth;
  if (header.empty()) return auth;
  auto invalid = Status(Code::kInvalidArgument, "invalid X-Registry-Auth header");
  auto text = base64_decode(std::string(header));
  if (!text) return invalid;
  auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return invalid;
  auto str = [&](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auth.Username = str("username");
  auth.Password = str("password");
  auth.IdentityToken = str("identitytoken");
  auth.RegistryToken = str("registrytoken");
  if (std::string basic = str("auth"); !basic.empty() && auth.Username.empty()) {
    if (auto up = base64_decode(basic); up && up->find(':') != std::string::npos) {
      auth.Username = up->substr(0, up->find(':'));
      auth.Password = up->substr(up->find(':') + 1);
    }
  }
  return auth;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool is_anonymous(const RegistryAuth& auth) {
  return auth.Username.empty() && auth.Password.empty() && auth.IdentityToken.empty() &&
         auth.RegistryToken.empty();
}

}  // namespace shoal::runtime::image
