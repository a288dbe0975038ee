// Content digests as the OCI image spec writes them: "sha256:<64 lower-case hex>". The image
// store addresses blobs, layers and images by sha256 digests only (every Docker and OCI
// registry uses sha256; other algorithms are refused as unsupported).
//
// Thread safety: Sha256 is a value owned by one thread; the functions are pure.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shoal::runtime::image {

inline constexpr std::string_view kSha256Prefix = "sha256:";

// An incremental SHA-256 (OpenSSL EVP).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // "sha256:<hex>" of everything updated so far. Ends the computation: call once.
  std::string digest();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// "sha256:<hex>" of `bytes`.
std::string sha256_digest(std::string_view bytes);

// True for "sha256:" followed by exactly 64 lower-case hex digits.
bool is_sha256_digest(std::string_view digest);

// The hex part of a valid sha256 digest. kInvalidArgument "invalid digest <d>" unless
// is_sha256_digest(); kUnimplemented "unsupported digest algorithm <algo>" for another
// well-formed "algo:hex" digest.
Result<std::string> digest_hex(std::string_view digest);

// True for 1..64 lower-case hex digits (an image ID or a prefix of one).
bool is_hex_prefix(std::string_view text);

// The first 12 hex digits of a digest ("sha256:abc..." → "abc..."), as docker prints IDs.
std::string short_id(std::string_view digest);

}  // namespace shoal::runtime::image
