#include "ca/certs.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <string>

namespace shoal::ca {
namespace {

using std::chrono::hours;

// 2026-01-01T00:00:00Z
const Timestamp kNow = Timestamp::from_unix_nanos(1767225600LL * 1'000'000'000);

KeyPair root_at(Timestamp now) {
  auto root = make_root_ca(now);
  EXPECT_TRUE(root.is_ok()) << root.status().message();
  return *root;
}

TEST(RootCA, SelfSignedSwarmCaValidTwentyYears) {
  KeyPair root = root_at(kNow);
  EXPECT_TRUE(root.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
  EXPECT_TRUE(root.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  EXPECT_TRUE(verify_chain(root.cert_pem, root.cert_pem, kNow).is_ok());
  EXPECT_TRUE(check_key_matches(root.cert_pem, root.key_pem).is_ok());
  // Valid from an hour back (backdated) to 20 years ahead.
  EXPECT_TRUE(verify_chain(root.cert_pem, root.cert_pem, kNow - hours(1)).is_ok());
  EXPECT_FALSE(verify_chain(root.cert_pem, root.cert_pem, kNow - hours(2)).is_ok());
  EXPECT_TRUE(verify_chain(root.cert_pem, root.cert_pem, kNow + hours(24 * 7299)).is_ok());
  EXPECT_FALSE(verify_chain(root.cert_pem, root.cert_pem, kNow + hours(24 * 7301)).is_ok());
  // Not a node certificate.
  EXPECT_EQ(identity_of(root.cert_pem).status().code(), Code::kInvalidArgument);
}

TEST(RootCA, TwoRootsDiffer) {
  KeyPair a = root_at(kNow), b = root_at(kNow);
  EXPECT_NE(a.cert_pem, b.cert_pem);
  EXPECT_NE(ca_digest(a.cert_pem), ca_digest(b.cert_pem));
  EXPECT_EQ(check_key_matches(a.cert_pem, b.key_pem).code(), Code::kInvalidArgument);
}

struct SignCase {
  const char* name;
  api::NodeRole role;
  std::chrono::nanoseconds validity;
  std::chrono::nanoseconds expected_lifetime;  // not_after - now
  Code code;
  const char* message;
};

TEST(SignCsr, Table) {
  const SignCase cases[] = {
      {"worker default 90 days", api::NodeRole::kWorker, std::chrono::nanoseconds(0), hours(2160),
       Code::kOk, ""},
      {"manager 2h", api::NodeRole::kManager, hours(2), hours(2), Code::kOk, ""},
      {"exactly the minimum", api::NodeRole::kWorker, hours(1), hours(1), Code::kOk, ""},
      {"below the minimum", api::NodeRole::kWorker, std::chrono::minutes(59), hours(0),
       Code::kInvalidArgument, "minimum certificate expiry time is: 1h0m0s"},
      {"capped at the root's expiry", api::NodeRole::kWorker, hours(24 * 365 * 30), kRootCAValidity,
       Code::kOk, ""},
  };
  KeyPair root = root_at(kNow);
  for (const SignCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto node = make_key_and_csr();
    ASSERT_TRUE(node.is_ok());
    auto cert =
        sign_csr(root, SignRequest{node->csr_pem, "node1", c.role, "cluster1", c.validity}, kNow);
    ASSERT_EQ(cert.status().code(), c.code) << cert.status().message();
    if (c.code != Code::kOk) {
      EXPECT_EQ(cert.status().message(), c.message);
      continue;
    }
    auto id = identity_of(*cert);
    ASSERT_TRUE(id.is_ok()) << id.status().message();
    EXPECT_EQ(id->node_id, "node1");
    EXPECT_EQ(id->role, c.role);
    EXPECT_EQ(id->cluster_id, "cluster1");
    EXPECT_EQ(id->not_before, kNow - hours(1));
    EXPECT_EQ(id->not_after, kNow + c.expected_lifetime);
    EXPECT_TRUE(verify_chain(*cert, root.cert_pem, kNow).is_ok());
    EXPECT_TRUE(check_key_matches(*cert, node->key_pem).is_ok());
    Status expired = verify_chain(*cert, root.cert_pem, kNow + c.expected_lifetime + hours(1));
    EXPECT_EQ(expired.code(), Code::kPermissionDenied);
  }
}

TEST(SignCsr, ManagersGetSwarmSans) {
  KeyPair root = root_at(kNow);
  auto node = make_key_and_csr();
  ASSERT_TRUE(node.is_ok());
  for (api::NodeRole role : {api::NodeRole::kManager, api::NodeRole::kWorker}) {
    auto cert = sign_csr(root, SignRequest{node->csr_pem, "n", role, "c", hours(3)}, kNow);
    ASSERT_TRUE(cert.is_ok());
    BIO* bio = BIO_new_mem_buf(cert->data(), static_cast<int>(cert->size()));
    X509* x509 = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    ASSERT_NE(x509, nullptr);
    bool manager = role == api::NodeRole::kManager;
    EXPECT_EQ(X509_check_host(x509, "swarm-manager", 0, 0, nullptr) == 1, manager);
    EXPECT_EQ(X509_check_host(x509, "swarm-ca", 0, 0, nullptr) == 1, manager);
    X509_free(x509);
    BIO_free(bio);
  }
}

TEST(SignCsr, RefusesBadInput) {
  KeyPair root = root_at(kNow);
  KeyPair other = root_at(kNow);
  auto node = make_key_and_csr();
  ASSERT_TRUE(node.is_ok());
  auto bad_csr = sign_csr(root, SignRequest{"not a csr", "n", api::NodeRole::kWorker, "c"}, kNow);
  EXPECT_EQ(bad_csr.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(bad_csr.status().message().starts_with("invalid CSR: "))
      << bad_csr.status().message();
  KeyPair mismatched{root.cert_pem, other.key_pem};
  auto bad_root =
      sign_csr(mismatched, SignRequest{node->csr_pem, "n", api::NodeRole::kWorker, "c"}, kNow);
  EXPECT_EQ(bad_root.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(bad_root.status().message().starts_with("invalid CA key pair: "));
}

TEST(VerifyChain, OtherRootAndBundles) {
  KeyPair a = root_at(kNow), b = root_at(kNow);
  auto node = make_key_and_csr();
  ASSERT_TRUE(node.is_ok());
  auto cert = sign_csr(a, SignRequest{node->csr_pem, "n", api::NodeRole::kWorker, "c"}, kNow);
  ASSERT_TRUE(cert.is_ok());
  Status wrong = verify_chain(*cert, b.cert_pem, kNow);
  EXPECT_EQ(wrong.code(), Code::kPermissionDenied);
  EXPECT_TRUE(wrong.message().starts_with("certificate verification failed: ")) << wrong.message();
  // A bundle holding both roots (a rotation) accepts it.
  EXPECT_TRUE(verify_chain(*cert, b.cert_pem + a.cert_pem, kNow).is_ok());
  // PEMs without their last line end (as a user may paste them) still parse.
  auto trimmed = [](std::string pem) {
    while (!pem.empty() && pem.back() == '\n') pem.pop_back();
    return pem;
  };
  EXPECT_TRUE(verify_chain(trimmed(*cert), trimmed(a.cert_pem), kNow).is_ok());
  EXPECT_EQ(verify_chain("junk", a.cert_pem, kNow).code(), Code::kInvalidArgument);
  EXPECT_EQ(verify_chain(*cert, "", kNow).code(), Code::kInvalidArgument);
}

TEST(CrossSign, ALeafOfTheNewRootVerifiesAgainstTheOldRootThroughIt) {
  KeyPair old_root = root_at(kNow), new_root = root_at(kNow);
  auto cross = cross_sign(old_root, new_root.cert_pem);
  ASSERT_TRUE(cross.is_ok()) << cross.status().to_string();
  auto node = make_key_and_csr();
  ASSERT_TRUE(node.is_ok());
  auto leaf =
      sign_csr(new_root, SignRequest{node->csr_pem, "n", api::NodeRole::kWorker, "c"}, kNow);
  ASSERT_TRUE(leaf.is_ok());
  EXPECT_FALSE(verify_chain(*leaf, old_root.cert_pem, kNow).is_ok());
  EXPECT_TRUE(verify_chain(*leaf + *cross, old_root.cert_pem, kNow).is_ok());
  EXPECT_TRUE(verify_chain(*leaf + *cross, new_root.cert_pem, kNow).is_ok());
  EXPECT_TRUE(verify_chain(*leaf + *cross, new_root.cert_pem + old_root.cert_pem, kNow).is_ok());
  // The identity is the leaf's.
  EXPECT_EQ(identity_of(*leaf + *cross)->node_id, "n");
  // The old key must match the old certificate.
  EXPECT_EQ(
      cross_sign(KeyPair{old_root.cert_pem, new_root.key_pem}, new_root.cert_pem).status().code(),
      Code::kInvalidArgument);
}

TEST(TlsInfo, SubjectAndPublicKeyOfTheRoot) {
  KeyPair root = root_at(kNow);
  auto info = tls_info(root.cert_pem);
  ASSERT_TRUE(info.is_ok());
  EXPECT_EQ(info->TrustRoot, root.cert_pem);
  // DER Name: SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String "swarm-ca" } } }.
  EXPECT_EQ(info->CertIssuerSubject[0], '\x30');
  EXPECT_NE(info->CertIssuerSubject.find("swarm-ca"), std::string::npos);
  // DER SubjectPublicKeyInfo of a P-256 key: 91 bytes.
  EXPECT_EQ(info->CertIssuerPublicKey.size(), 91u);
  EXPECT_EQ(tls_info("nope").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace shoal::ca
