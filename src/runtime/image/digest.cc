#include "runtime/image/digest.h"

#include <openssl/evp.h>

#include <algorithm>

namespace shoal::runtime::image {

struct Sha256::Ctx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr);
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t size) {
  if (size > 0) EVP_DigestUpdate(ctx_->md, data, size);
}

std::string Sha256::digest() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->md, out, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text(kSha256Prefix);
  for (unsigned int i = 0; i < len; ++i) {
    text.push_back(kHex[out[i] >> 4]);
    text.push_back(kHex[out[i] & 0xf]);
  }
  return text;
}

std::string sha256_digest(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.digest();
}

namespace {
bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
}  // namespace

bool is_hex_prefix(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), is_lower_hex);
}

bool is_sha256_digest(std::string_view digest) {
  if (!digest.starts_with(kSha256Prefix)) return false;
  std::string_view hex = digest.substr(kSha256Prefix.size());
  return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), is_lower_hex);
}

Result<std::string> digest_hex(std::string_view digest) {
  if (is_sha256_digest(digest)) return std::string(digest.substr(kSha256Prefix.size()));
  size_t colon = digest.find(':');
  if (colon != std::string_view::npos && colon > 0 && digest.substr(0, colon) != "sha256") {
    std::string_view hex = digest.substr(colon + 1);
    bool hexy = !hex.empty() && std::all_of(hex.begin(), hex.end(), [](char c) {
      return is_lower_hex(c) || (c >= 'A' && c <= 'F');
    });
    if (hexy) {
      return error(Code::kUnimplemented, "unsupported digest algorithm {}",
                   digest.substr(0, colon));
    }
  }
  return error(Code::kInvalidArgument, "invalid digest {}", digest);
}

std::string short_id(std::string_view digest) {
  if (digest.starts_with(kSha256Prefix)) digest.remove_prefix(kSha256Prefix.size());
  return std::string(digest.substr(0, 12));
}

}  // namespace shoal::runtime::image
