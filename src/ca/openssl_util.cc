#include "ca/openssl_util.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace shoal::ca::ossl {

std::string last_error(std::string_view fallback) {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    const char* reason = ERR_reason_error_string(code);
    out += reason ? reason : buf;
  }
  return out.empty() ? std::string(fallback) : out;
}

Bio read_bio(std::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

Result<std::vector<Cert>> parse_certs(std::string_view pem) {
  // OpenSSL wants a line end after the last END line; a trimmed PEM is still a PEM.
  std::string terminated;
  if (!pem.empty() && pem.back() != '\n') {
    terminated = std::string(pem) + "\n";
    pem = terminated;
  }
  Bio bio = read_bio(pem);
  std::vector<Cert> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert);
  }
  // The loop ends with a "no start line" error at the end of the input: expected.
  unsigned long code = ERR_peek_last_error();
  if (ERR_GET_REASON(code) == PEM_R_NO_START_LINE) ERR_clear_error();
  if (certs.empty()) {
    std::string reason = last_error("no PEM certificate found");
    return error(Code::kInvalidArgument, "invalid certificate: {}", reason);
  }
  ERR_clear_error();
  return certs;
}

Result<Cert> parse_cert(std::string_view pem) {
  SHOAL_ASSIGN_OR_RETURN(std::vector<Cert> certs, parse_certs(pem));
  return std::move(certs.front());
}

Result<Pkey> parse_key(std::string_view pem) {
  Bio bio = read_bio(pem);
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return error(Code::kInvalidArgument, "invalid key: {}", last_error("not a PEM key"));
  return key;
}

std::string cert_pem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return bio_text(bio.get());
}

std::string key_pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio.get());
}

Result<Pkey> make_p256_key() {
  Pkey key(EVP_EC_gen("P-256"));
  if (!key) return error(Code::kInternal, "generating a P-256 key: {}", last_error());
  return key;
}

std::time_t to_time_t(Timestamp t) {
  return static_cast<std::time_t>(t.unix_nanos() / 1'000'000'000);
}

Timestamp from_asn1(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return Timestamp();
  return Timestamp::from_unix_nanos(static_cast<int64_t>(timegm(&tm)) * 1'000'000'000);
}

}  // namespace shoal::ca::ossl
