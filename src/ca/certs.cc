// Root CA, node keys and CSRs, signing, identities and chain verification (certs.h).
#include "ca/certs.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "ca/openssl_util.h"

namespace shoal::ca {
namespace {

using ossl::Cert;
using ossl::Pkey;

// Sets a random positive 127-bit serial number.
Status set_random_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return error(Code::kInternal, "random serial: {}", ossl::last_error());
  }
  bytes[0] &= 0x7f;
  std::unique_ptr<BIGNUM, ossl::Deleter<BN_free>> bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert))) {
    return error(Code::kInternal, "random serial: {}", ossl::last_error());
  }
  return Status::ok();
}

Status add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) {
    return error(Code::kInternal, "extension {}: {}", OBJ_nid2sn(nid), ossl::last_error());
  }
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (!ok) return error(Code::kInternal, "extension {}: {}", OBJ_nid2sn(nid), ossl::last_error());
  return Status::ok();
}

Status add_name(X509_NAME* name, const char* field, std::string_view value) {
  if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(value.data()),
                                  static_cast<int>(value.size()), -1, 0)) {
    return error(Code::kInternal, "subject {}: {}", field, ossl::last_error());
  }
  return Status::ok();
}

// A new v3 certificate for `key` with a random serial and the validity window.
Result<Cert> new_cert(EVP_PKEY* key, Timestamp not_before, Timestamp not_after) {
  Cert cert(X509_new());
  if (!cert || !X509_set_version(cert.get(), X509_VERSION_3) || !X509_set_pubkey(cert.get(), key) ||
      !ASN1_TIME_set(X509_getm_notBefore(cert.get()), ossl::to_time_t(not_before)) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()), ossl::to_time_t(not_after))) {
    return error(Code::kInternal, "new certificate: {}", ossl::last_error());
  }
  SHOAL_RETURN_IF_ERROR(set_random_serial(cert.get()));
  return cert;
}

Status sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) {
    return error(Code::kInternal, "signing: {}", ossl::last_error());
  }
  return Status::ok();
}

std::optional<std::string> name_entry(X509_NAME* name, int nid) {
  int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return std::nullopt;
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

Result<ossl::Req> parse_csr(std::string_view csr_pem) {
  ossl::Bio bio = ossl::read_bio(csr_pem);
  ossl::Req req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) return error(Code::kInvalidArgument, "invalid CSR: {}", ossl::last_error("not PEM"));
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (key == nullptr || X509_REQ_verify(req.get(), key) != 1) {
    return error(Code::kInvalidArgument, "invalid CSR: {}",
                 ossl::last_error("signature does not verify"));
  }
  int type = EVP_PKEY_get_base_id(key);
  if (type != EVP_PKEY_EC && type != EVP_PKEY_RSA) {
    return Status(Code::kInvalidArgument, "invalid CSR: the key is neither ECDSA nor RSA");
  }
  return req;
}

template <class T>
std::string der(int (*i2d)(const T*, unsigned char**), const T* object) {
  unsigned char* buf = nullptr;
  int n = i2d(object, &buf);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return out;
}

}  // namespace

Result<KeyPair> make_root_ca(Timestamp now) {
  SHOAL_ASSIGN_OR_RETURN(Pkey key, ossl::make_p256_key());
  SHOAL_ASSIGN_OR_RETURN(Cert cert,
                         new_cert(key.get(), now - kCertBackdate, now + kRootCAValidity));
  X509_NAME* name = X509_get_subject_name(cert.get());
  SHOAL_RETURN_IF_ERROR(add_name(name, "CN", kCARole));
  X509_set_issuer_name(cert.get(), name);
  SHOAL_RETURN_IF_ERROR(add_ext(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
  SHOAL_RETURN_IF_ERROR(
      add_ext(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  SHOAL_RETURN_IF_ERROR(add_ext(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  SHOAL_RETURN_IF_ERROR(sign(cert.get(), key.get()));
  return KeyPair{ossl::cert_pem(cert.get()), ossl::key_pem(key.get())};
}

Result<std::string> cross_sign(const KeyPair& old_root, std::string_view new_root_pem) {
  SHOAL_ASSIGN_OR_RETURN(Cert old_cert, ossl::parse_cert(old_root.cert_pem));
  SHOAL_ASSIGN_OR_RETURN(Pkey old_key, ossl::parse_key(old_root.key_pem));
  if (X509_check_private_key(old_cert.get(), old_key.get()) != 1) {
    ERR_clear_error();
    return Status(Code::kInvalidArgument,
                  "invalid CA key pair: the key does not match the certificate");
  }
  SHOAL_ASSIGN_OR_RETURN(Cert new_cert, ossl::parse_cert(new_root_pem));
  Cert cross(X509_dup(new_cert.get()));
  if (!cross || !X509_set_issuer_name(cross.get(), X509_get_subject_name(old_cert.get()))) {
    return error(Code::kInternal, "cross-signing: {}", ossl::last_error());
  }
  int akid = X509_get_ext_by_NID(cross.get(), NID_authority_key_identifier, -1);
  if (akid >= 0) X509_EXTENSION_free(X509_delete_ext(cross.get(), akid));
  SHOAL_RETURN_IF_ERROR(
      add_ext(cross.get(), old_cert.get(), NID_authority_key_identifier, "keyid"));
  SHOAL_RETURN_IF_ERROR(sign(cross.get(), old_key.get()));
  return ossl::cert_pem(cross.get());
}

Result<KeyAndCsr> make_key_and_csr() {
  SHOAL_ASSIGN_OR_RETURN(Pkey key, ossl::make_p256_key());
  ossl::Req req(X509_REQ_new());
  if (!req || !X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) ||
      !X509_REQ_set_pubkey(req.get(), key.get())) {
    return error(Code::kInternal, "new CSR: {}", ossl::last_error());
  }
  SHOAL_RETURN_IF_ERROR(add_name(X509_REQ_get_subject_name(req.get()), "CN", "swarm-node"));
  if (X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) {
    return error(Code::kInternal, "signing the CSR: {}", ossl::last_error());
  }
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), req.get());
  return KeyAndCsr{ossl::key_pem(key.get()), ossl::bio_text(bio.get())};
}

Result<std::string> sign_csr(const KeyPair& root, const SignRequest& request, Timestamp now) {
  std::chrono::nanoseconds validity = request.validity.count() == 0
                                          ? std::chrono::nanoseconds(kDefaultNodeCertExpiry)
                                          : request.validity;
  if (validity < kMinNodeCertExpiry) {
    return Status(Code::kInvalidArgument, "minimum certificate expiry time is: 1h0m0s");
  }
  SHOAL_ASSIGN_OR_RETURN(ossl::Req req, parse_csr(request.csr_pem));
  auto root_cert = ossl::parse_cert(root.cert_pem);
  auto root_key = ossl::parse_key(root.key_pem);
  if (!root_cert.is_ok() || !root_key.is_ok() ||
      X509_check_private_key(root_cert->get(), root_key->get()) != 1) {
    Status why = !root_cert.is_ok() ? root_cert.status() : root_key.status();
    return error(
        Code::kInvalidArgument, "invalid CA key pair: {}",
        why.is_ok() ? ossl::last_error("the key does not match the certificate") : why.message());
  }
  Timestamp not_after =
      std::min(now + validity, ossl::from_asn1(X509_get0_notAfter(root_cert->get())));
  SHOAL_ASSIGN_OR_RETURN(Cert cert,
                         new_cert(X509_REQ_get0_pubkey(req.get()), now - kCertBackdate, not_after));
  X509_NAME* name = X509_get_subject_name(cert.get());
  bool manager = request.role == api::NodeRole::kManager;
  SHOAL_RETURN_IF_ERROR(add_name(name, "O", request.cluster_id));
  SHOAL_RETURN_IF_ERROR(add_name(name, "OU", manager ? kManagerRole : kWorkerRole));
  SHOAL_RETURN_IF_ERROR(add_name(name, "CN", request.node_id));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(root_cert->get()));
  X509* issuer = root_cert->get();
  SHOAL_RETURN_IF_ERROR(add_ext(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE"));
  SHOAL_RETURN_IF_ERROR(
      add_ext(cert.get(), issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment"));
  SHOAL_RETURN_IF_ERROR(add_ext(cert.get(), issuer, NID_ext_key_usage, "serverAuth,clientAuth"));
  SHOAL_RETURN_IF_ERROR(add_ext(cert.get(), issuer, NID_authority_key_identifier, "keyid"));
  if (manager) {
    SHOAL_RETURN_IF_ERROR(
        add_ext(cert.get(), issuer, NID_subject_alt_name, "DNS:swarm-manager,DNS:swarm-ca"));
  }
  SHOAL_RETURN_IF_ERROR(sign(cert.get(), root_key->get()));
  return ossl::cert_pem(cert.get());
}

Result<Identity> identity_of(std::string_view cert_pem) {
  SHOAL_ASSIGN_OR_RETURN(Cert cert, ossl::parse_cert(cert_pem));
  X509_NAME* name = X509_get_subject_name(cert.get());
  auto cn = name_entry(name, NID_commonName);
  auto ou = name_entry(name, NID_organizationalUnitName);
  auto o = name_entry(name, NID_organizationName);
  if (!cn || cn->empty() || !ou || !o || o->empty()) {
    return Status(Code::kInvalidArgument,
                  "invalid certificate: a node certificate needs a CN, an OU and an O");
  }
  Identity id;
  if (*ou == kManagerRole) {
    id.role = api::NodeRole::kManager;
  } else if (*ou == kWorkerRole) {
    id.role = api::NodeRole::kWorker;
  } else {
    return error(Code::kInvalidArgument, "invalid certificate: unknown role (OU) \"{}\"", *ou);
  }
  id.node_id = *cn;
  id.cluster_id = *o;
  id.not_before = ossl::from_asn1(X509_get0_notBefore(cert.get()));
  id.not_after = ossl::from_asn1(X509_get0_notAfter(cert.get()));
  return id;
}

Status verify_chain(std::string_view chain_pem, std::string_view roots_pem, Timestamp now) {
  SHOAL_ASSIGN_OR_RETURN(std::vector<Cert> chain, ossl::parse_certs(chain_pem));
  SHOAL_ASSIGN_OR_RETURN(std::vector<Cert> roots, ossl::parse_certs(roots_pem));
  std::unique_ptr<X509_STORE, ossl::Deleter<X509_STORE_free>> store(X509_STORE_new());
  for (const Cert& root : roots) X509_STORE_add_cert(store.get(), root.get());
  struct StackFree {
    void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
  };
  std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
  for (size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted.get(), chain[i].get());
  std::unique_ptr<X509_STORE_CTX, ossl::Deleter<X509_STORE_CTX_free>> ctx(X509_STORE_CTX_new());
  if (!ctx || !X509_STORE_CTX_init(ctx.get(), store.get(), chain.front().get(), untrusted.get())) {
    return error(Code::kInternal, "certificate verification: {}", ossl::last_error());
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), ossl::to_time_t(now));
  if (X509_verify_cert(ctx.get()) != 1) {
    ERR_clear_error();
    return error(Code::kPermissionDenied, "certificate verification failed: {}",
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  }
  return Status::ok();
}

Status check_key_matches(std::string_view cert_pem, std::string_view key_pem) {
  SHOAL_ASSIGN_OR_RETURN(Cert cert, ossl::parse_cert(cert_pem));
  SHOAL_ASSIGN_OR_RETURN(Pkey key, ossl::parse_key(key_pem));
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return Status(Code::kInvalidArgument, "certificate and key do not match");
  }
  return Status::ok();
}

Result<api::TLSInfo> tls_info(std::string_view ca_pem) {
  SHOAL_ASSIGN_OR_RETURN(Cert cert, ossl::parse_cert(ca_pem));
  api::TLSInfo info;
  info.TrustRoot = std::string(ca_pem);
  info.CertIssuerSubject = api::Bytes(der(&i2d_X509_NAME, X509_get_subject_name(cert.get())));
  info.CertIssuerPublicKey = api::Bytes(der(&i2d_PUBKEY, X509_get0_pubkey(cert.get())));
  return info;
}

}  // namespace shoal::ca
