// The CA digest and join tokens (certs.h; swarmkit ca/config.go GenerateJoinToken,
// ParseJoinToken).
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <vector>

#include "ca/certs.h"
#include "ca/root_ca.h"

namespace shoal::ca {
namespace {

constexpr std::string_view kJoinTokenPrefix = "SWMTKN-1-";
constexpr size_t kDigestWidth = 50;  // ceil(log36(2^256))
constexpr size_t kSecretWidth = 25;  // ceil(log36(2^128))
constexpr std::string_view kInvalidJoinToken = "invalid join token";

std::string sha256(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

bool is_base36(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); });
}

// A base-36 number as `width` big-endian bytes; nullopt if it does not fit.
std::optional<std::string> from_base36(std::string_view text, size_t width) {
  std::vector<unsigned> number(width, 0);
  for (char c : text) {
    unsigned carry =
        c <= '9' ? static_cast<unsigned>(c - '0') : static_cast<unsigned>(c - 'a' + 10);
    for (size_t i = width; i-- > 0;) {
      unsigned value = number[i] * 36 + carry;
      number[i] = value & 0xff;
      carry = value >> 8;
    }
    if (carry != 0) return std::nullopt;
  }
  return std::string(number.begin(), number.end());
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

std::string ca_digest(std::string_view ca_pem) { return to_hex(sha256(ca_pem)); }

std::string make_join_token(std::string_view ca_pem, std::string_view secret) {
  assert(secret.size() == kJoinTokenSecretBytes);
  return std::string(kJoinTokenPrefix) + to_base36(sha256(ca_pem), kDigestWidth) + "-" +
         to_base36(secret, kSecretWidth);
}

Result<JoinToken> parse_join_token(std::string_view token) {
  Status invalid(Code::kInvalidArgument, std::string(kInvalidJoinToken));
  if (!token.starts_with(kJoinTokenPrefix)) return invalid;
  std::string_view rest = token.substr(kJoinTokenPrefix.size());
  size_t dash = rest.find('-');
  if (dash == std::string_view::npos) return invalid;
  std::string_view digest = rest.substr(0, dash);
  std::string_view secret = rest.substr(dash + 1);
  if (digest.size() != kDigestWidth || secret.size() != kSecretWidth || !is_base36(digest) ||
      !is_base36(secret)) {
    return invalid;
  }
  std::optional<std::string> digest_bytes = from_base36(digest, SHA256_DIGEST_LENGTH);
  if (!digest_bytes) return invalid;
  return JoinToken{to_hex(*digest_bytes), std::string(secret)};
}

Status check_token_digest(std::string_view token, std::string_view ca_pem) {
  SHOAL_ASSIGN_OR_RETURN(JoinToken parsed, parse_join_token(token));
  // A bundle: the token names its first certificate (the current root).
  std::vector<std::string> roots = split_pem(ca_pem);
  bool first_matches =
      roots.size() > 1 && equal_constant_time(parsed.root_digest, ca_digest(roots.front()));
  if (!first_matches && !equal_constant_time(parsed.root_digest, ca_digest(ca_pem))) {
    return error(Code::kPermissionDenied, "remote CA does not match fingerprint. Expected: {}",
                 parsed.root_digest);
  }
  return Status::ok();
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace shoal::ca
