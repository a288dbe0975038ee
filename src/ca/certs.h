// Certificates of the cluster CA (swarmkit ca/certificates.go, ca/config.go), OpenSSL 3 EVP.
//
//   root CA       ECDSA P-256, self-signed, CN "swarm-ca", valid 20 years (backdated 1 h).
//   node cert     ECDSA P-256 key made on the node; the CA signs its CSR with
//                 CN = node ID, OU = role ("swarm-manager" | "swarm-worker"), O = cluster ID,
//                 valid NodeCertExpiry (default 90 days, minimum 1 h), backdated 1 h;
//                 managers also get the DNS SANs "swarm-manager" and "swarm-ca".
//                 Usage: digital signature + key encipherment, TLS server and client auth.
//   CA digest     sha256 over the root CA's PEM bytes, lower-case hex (64 characters).
//   join token    "SWMTKN-1-<digest in base 36, zero-padded to 50>-<16 random bytes in base
//                 36, zero-padded to 25>" (swarmkit GenerateJoinToken / ParseJoinToken).
//
// PEM strings hold one certificate unless said otherwise; a "chain" or "bundle" may hold
// several, first one first. Times come from the caller (a Clock), never from the system.
//
// Thread safety: pure functions; safe to call concurrently.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "api/common.h"
#include "api/node.h"
#include "common/status.h"
#include "common/time.h"

namespace shoal::ca {

inline constexpr std::string_view kManagerRole = "swarm-manager";  // OU of manager certs
inline constexpr std::string_view kWorkerRole = "swarm-worker";    // OU of worker certs
inline constexpr std::string_view kCARole = "swarm-ca";            // CN of the root CA
inline constexpr std::chrono::seconds kRootCAValidity{630720000};  // 20 years (swarmkit)
inline constexpr std::chrono::hours kDefaultNodeCertExpiry{2160};  // 90 days
inline constexpr std::chrono::hours kMinNodeCertExpiry{1};
inline constexpr std::chrono::hours kCertBackdate{1};
inline constexpr size_t kJoinTokenSecretBytes = 16;

// A certificate and its private key (PKCS#8 PEM).
struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

// A fresh node key (PKCS#8 PEM) and a CSR signed with it (PEM; its subject is not used:
// the CA decides CN/OU/O).
struct KeyAndCsr {
  std::string key_pem;
  std::string csr_pem;
};

// Who a node certificate says its holder is.
struct Identity {
  std::string node_id;                          // CN
  api::NodeRole role = api::NodeRole::kWorker;  // from OU
  std::string cluster_id;                       // O
  Timestamp not_before;
  Timestamp not_after;
};

// What the CA signs into a certificate.
struct SignRequest {
  std::string_view csr_pem;
  std::string node_id;
  api::NodeRole role = api::NodeRole::kWorker;
  std::string cluster_id;
  std::chrono::nanoseconds validity = kDefaultNodeCertExpiry;  // 0 = the default
};

// A new root CA valid from now - 1 h to now + 20 years.
// Errors: kInternal "creating the root CA: <openssl error>".
Result<KeyPair> make_root_ca(Timestamp now);

// The CA certificate `new_root_pem` re-signed by `old_root` (swarmkit
// CrossSignCACertificate): same subject, key, serial, validity and extensions, issued by the
// old root. During a root rotation a certificate chain "leaf + this" verifies against the
// old root as well as the new one. Errors: kInvalidArgument "invalid certificate: ..." /
// "invalid CA key pair: ..." when an input does not parse or match; kInternal for OpenSSL.
Result<std::string> cross_sign(const KeyPair& old_root, std::string_view new_root_pem);

// A fresh P-256 key and its CSR. Errors: kInternal with OpenSSL's reason.
Result<KeyAndCsr> make_key_and_csr();

// Signs `request.csr_pem` with `root` (root.key_pem must match root.cert_pem), valid from
// now - 1 h to now + validity (never past the root's own expiry). Returns the certificate
// PEM (the root is not appended: clients already have it).
// Errors: kInvalidArgument "invalid CSR: ..." (not PEM, bad signature, not an EC/RSA key);
//   kInvalidArgument "minimum certificate expiry time is: 1h0m0s" for validity < 1 h;
//   kInvalidArgument "invalid CA key pair: ..." when root does not parse or match;
//   kInternal for OpenSSL failures.
Result<std::string> sign_csr(const KeyPair& root, const SignRequest& request, Timestamp now);

// The identity in a node certificate (the first certificate of a chain).
// Errors: kInvalidArgument "invalid certificate: ..." (not PEM, no CN/OU/O, an OU that is
// not a swarm role).
Result<Identity> identity_of(std::string_view cert_pem);

// OK when the first certificate of `chain_pem` was issued by one of the roots in
// `roots_pem` (a bundle) and is valid at `now`.
// Errors: kPermissionDenied "certificate verification failed: <reason>" (expired, unknown
// issuer, ...); kInvalidArgument when either input is not PEM.
Status verify_chain(std::string_view chain_pem, std::string_view roots_pem, Timestamp now);

// OK when `key_pem` is the private key of the first certificate of `cert_pem`.
// Errors: kInvalidArgument "certificate and key do not match" / "invalid key: ...".
Status check_key_matches(std::string_view cert_pem, std::string_view key_pem);

// sha256 of the PEM bytes exactly as given, 64 lower-case hex characters (swarmkit
// digest.FromBytes(rootCA.Certs)).
std::string ca_digest(std::string_view ca_pem);

// The cluster's TLSInfo for a root CA (Docker's Swarm.TLSInfo, a node's
// Description.TLSInfo): TrustRoot = the PEM as given, CertIssuerSubject = the DER of the
// root's subject, CertIssuerPublicKey = the DER of its SubjectPublicKeyInfo.
// Errors: kInvalidArgument "invalid certificate: ..." when ca_pem does not parse.
Result<api::TLSInfo> tls_info(std::string_view ca_pem);

// ---- join tokens

struct JoinToken {
  std::string root_digest;  // 64 lower-case hex characters
  std::string secret;       // the 25 base-36 characters
};

// A join token for `ca_pem`. REQUIRES: secret.size() == kJoinTokenSecretBytes (random).
std::string make_join_token(std::string_view ca_pem, std::string_view secret);

// Errors: kInvalidArgument "invalid join token" for anything that is not a version-1
// token with a 50-character digest and a 25-character secret (swarmkit's text); version-2
// (FIPS) tokens are refused the same way.
Result<JoinToken> parse_join_token(std::string_view token);

// OK when the token was made for `ca_pem`, or for its first certificate when `ca_pem` is a
// bundle (the current root first, as during a root rotation).
// Errors: kInvalidArgument "invalid join token";
// kPermissionDenied "remote CA does not match fingerprint. Expected: <hex digest>"
// (swarmkit's text, with the token's digest).
Status check_token_digest(std::string_view token, std::string_view ca_pem);

// True when `a` equals `b`, in time independent of where they differ.
bool equal_constant_time(std::string_view a, std::string_view b);

// `bytes` as a big-endian number in base 36 (0-9a-z), left-padded with '0' to `width`.
std::string to_base36(std::string_view bytes, size_t width);

}  // namespace shoal::ca
