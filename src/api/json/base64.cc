#include "api/json/base64.h"

#include <openssl/evp.h>

#include <algorithm>

namespace shoal::api::json {
namespace {

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// Canonical shape: length % 4 == 0, alphabet characters, then at most two '='.
bool well_formed(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  size_t end = s.size();
  size_t pad = 0;
  while (pad < 2 && end > 0 && s[end - 1] == '=') --end, ++pad;
  return std::all_of(s.begin(), s.begin() + end, is_base64_char);
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c != '\r' && c != '\n') clean.push_back(c);
  }
  if (!well_formed(clean)) return std::nullopt;
  std::string out(clean.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  const size_t pad = static_cast<size_t>(
      std::count(clean.end() - std::min<size_t>(2, clean.size()), clean.end(), '='));
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

}  // namespace shoal::api::json
