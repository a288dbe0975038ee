#include "manager/controlapi/tokens.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <vector>

#include "ca/certs.h"

namespace shoal::manager::controlapi {
namespace {

constexpr std::string_view kJoinTokenPrefix = "SWMTKN-1-";
constexpr std::string_view kUnlockKeyPrefix = "SWMKEY-1-";
constexpr size_t kDigestWidth = 50;

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::string to_base36(std::string_view bytes, size_t width) { return ca::to_base36(bytes, width); }

std::string join_token_digest(std::string_view ca_material) {
  return make_join_token(ca_material, std::string(kJoinTokenSecretBytes, '\0'))
      .substr(kJoinTokenPrefix.size(), kDigestWidth);
}

std::string make_join_token(std::string_view ca_material, std::string_view secret) {
  assert(secret.size() == kJoinTokenSecretBytes);
  return ca::make_join_token(ca_material, secret);
}

std::string make_unlock_key(std::string_view key) {
  assert(key.size() == kUnlockKeyBytes);
  std::string out(4 * ((key.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(key.data()),
                          static_cast<int>(key.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  return std::string(kUnlockKeyPrefix) + out;
}

Status check_unlock_key(std::string_view text) {
  Status invalid(Code::kInvalidArgument, "invalid key string");
  if (!text.starts_with(kUnlockKeyPrefix)) return invalid;
  std::string_view body = text.substr(kUnlockKeyPrefix.size());
  // Unpadded base64: any length but 1 (mod 4), only alphabet characters.
  if (body.size() % 4 == 1 || !std::all_of(body.begin(), body.end(), is_base64_char)) {
    return invalid;
  }
  return Status::ok();
}

}  // namespace shoal::manager::controlapi
