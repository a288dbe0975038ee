// Internal to src/ca: owning handles for OpenSSL objects and PEM/DER conversions.
//
// Thread safety: pure helpers; OpenSSL's error queue is per thread.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace shoal::ca::ossl {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Req = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

// The reasons on this thread's OpenSSL error queue (cleared), or `fallback` if none.
std::string last_error(std::string_view fallback = "unknown OpenSSL error");

// A read-only memory BIO over `text` (which must outlive it).
Bio read_bio(std::string_view text);
// Everything written to a memory BIO.
std::string bio_text(BIO* bio);

// Every certificate of a PEM bundle, in order. Errors: kInvalidArgument "invalid
// certificate: no PEM certificate found" / "invalid certificate: <openssl reason>".
Result<std::vector<Cert>> parse_certs(std::string_view pem);
// The first certificate of a PEM chain. Errors: as parse_certs.
Result<Cert> parse_cert(std::string_view pem);
// A private key (any PEM form). Errors: kInvalidArgument "invalid key: <reason>".
Result<Pkey> parse_key(std::string_view pem);

std::string cert_pem(X509* cert);
std::string key_pem(EVP_PKEY* key);  // PKCS#8

// A fresh P-256 key. Errors: kInternal.
Result<Pkey> make_p256_key();

std::time_t to_time_t(Timestamp t);
// An ASN1_TIME as a Timestamp (zero time if it does not convert).
Timestamp from_asn1(const ASN1_TIME* t);

}  // namespace shoal::ca::ossl
