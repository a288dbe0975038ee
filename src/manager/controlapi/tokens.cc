#include "manager/controlapi/tokens.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <vector>

namespace shoal::manager::controlapi {
namespace {

constexpr std::string_view kJoinTokenPrefix = "SWMTKN-1-";
constexpr std::string_view kUnlockKeyPrefix = "SWMKEY-1-";
constexpr size_t kDigestWidth = 50;
constexpr size_t kSecretWidth = 25;

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::string to_base36(std::string_view bytes, size_t width) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::vector<uint8_t> number(bytes.begin(), bytes.end());
  std::string digits;
  // Long division by 36, most significant byte first, until the number is zero.
  while (std::any_of(number.begin(), number.end(), [](uint8_t b) { return b != 0; })) {
    unsigned remainder = 0;
    for (uint8_t& byte : number) {
      unsigned value = (remainder << 8) | byte;
      byte = static_cast<uint8_t>(value / 36);
      remainder = value % 36;
    }
    digits.push_back(kDigits[remainder]);
  }
  if (digits.size() < width) digits.append(width - digits.size(), '0');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string join_token_digest(std::string_view ca_material) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(ca_material.data()), ca_material.size(), digest);
  return to_base36(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest),
                   kDigestWidth);
}

std::string make_join_token(std::string_view ca_material, std::string_view secret) {
  assert(secret.size() == kJoinTokenSecretBytes);
  return std::string(kJoinTokenPrefix) + join_token_digest(ca_material) + "-" +
         to_base36(secret, kSecretWidth);
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
