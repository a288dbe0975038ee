#include "store/datastore/seal.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace shoal::store::seal {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const uint8_t* u8(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

std::string associated_data(std::string_view table, std::string_view key) {
  std::string ad;
  ad.reserve(2 + table.size() + 1 + key.size());
  ad.push_back(static_cast<char>(kMarker));
  ad.push_back(static_cast<char>(kVersion));
  ad.append(table);
  ad.push_back('\0');
  ad.append(key);
  return ad;
}

// EVP_*Update with an int length; records are far below 2 GiB (checked by the callers).
bool update(EVP_CIPHER_CTX* ctx, bool encrypt, uint8_t* out, std::string_view in) {
  int len = 0;
  int n = static_cast<int>(in.size());
  return encrypt ? EVP_EncryptUpdate(ctx, out, &len, u8(in), n) == 1
                 : EVP_DecryptUpdate(ctx, out, &len, u8(in), n) == 1;
}

constexpr size_t kMaxRecord = size_t{1} << 30;

}  // namespace

bool is_sealed(std::string_view record) {
  return !record.empty() && static_cast<uint8_t>(record[0]) == kMarker;
}

Status seal(const DataKey& data_key, std::string_view table, std::string_view key,
            std::string_view plain, std::string* out) {
  if (plain.size() > kMaxRecord) {
    return error(Code::kInternal, "cannot seal {} record {}: {} bytes is too large", table, key,
                 plain.size());
  }
  const size_t start = out->size();
  out->resize(start + kOverhead + plain.size());
  auto* p = reinterpret_cast<uint8_t*>(out->data() + start);
  p[0] = kMarker;
  p[1] = kVersion;
  uint8_t* nonce = p + 2;
  uint8_t* body = nonce + kNonceSize;
  uint8_t* tag = body + plain.size();
  auto fail = [&](std::string_view what) {
    out->resize(start);
    return error(Code::kInternal, "cannot seal {} record {}: {}", table, key, what);
  };
  if (RAND_bytes(nonce, static_cast<int>(kNonceSize)) != 1) return fail("no random nonce");
  Ctx ctx(EVP_CIPHER_CTX_new());
  std::string ad = associated_data(table, key);
  int len = 0;
  bool ok = ctx && EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), data_key.bytes().data(), nonce,
                                       nullptr) == 1;
  ok = ok && update(ctx.get(), true, nullptr, ad) && update(ctx.get(), true, body, plain) &&
       EVP_EncryptFinal_ex(ctx.get(), body + plain.size(), &len) == 1 &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), tag) == 1;
  if (!ok) return fail("AES-256-GCM failed");
  return Status::ok();
}

Result<std::string> open(const DataKey& data_key, std::string_view table, std::string_view key,
                         std::string_view sealed) {
  if (sealed.size() < 2 || !is_sealed(sealed)) {
    return error(Code::kInternal, "{} record {} is not sealed", table, key);
  }
  if (static_cast<uint8_t>(sealed[1]) != kVersion) {
    return error(Code::kInternal,
                 "{} record {} is sealed in format {}, which this shoal does not know (written "
                 "by a newer shoal?)",
                 table, key, static_cast<int>(static_cast<uint8_t>(sealed[1])));
  }
  if (sealed.size() < kOverhead || sealed.size() - kOverhead > kMaxRecord) {
    return error(Code::kInternal, "{} record {} is corrupt: a sealed record of {} bytes", table,
                 key, sealed.size());
  }
  std::string_view nonce = sealed.substr(2, kNonceSize);
  std::string_view body = sealed.substr(2 + kNonceSize, sealed.size() - kOverhead);
  std::string tag(sealed.substr(sealed.size() - kTagSize));
  std::string plain(body.size(), '\0');
  Ctx ctx(EVP_CIPHER_CTX_new());
  std::string ad = associated_data(table, key);
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), data_key.bytes().data(),
                                       u8(nonce), nullptr) == 1;
  ok = ok && update(ctx.get(), false, nullptr, ad) &&
       update(ctx.get(), false, reinterpret_cast<uint8_t*>(plain.data()), body) &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                           tag.data()) == 1;
  if (!ok)
    return error(Code::kInternal, "cannot open {} record {}: AES-256-GCM failed", table, key);
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()) + body.size(),
                          &len) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return error(Code::kInternal,
                 "cannot open {} record {}: authentication failed (a wrong data key, or a record "
                 "altered or moved)",
                 table, key);
  }
  return plain;
}

}  // namespace shoal::store::seal
