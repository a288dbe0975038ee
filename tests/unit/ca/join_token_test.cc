#include <gtest/gtest.h>

#include <string>

#include "ca/certs.h"

namespace shoal::ca {
namespace {

const std::string kSecret(kJoinTokenSecretBytes, '\x5a');
constexpr std::string_view kPem = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n";

TEST(CaDigest, Sha256OfThePemBytes) {
  // sha256("") and sha256("abc"), the FIPS 180-2 test vectors.
  EXPECT_EQ(ca_digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ca_digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(JoinToken, MakeAndParseRoundTrip) {
  std::string token = make_join_token(kPem, kSecret);
  ASSERT_TRUE(token.starts_with("SWMTKN-1-"));
  EXPECT_EQ(token.size(), 9u + 50 + 1 + 25);
  auto parsed = parse_join_token(token);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().message();
  EXPECT_EQ(parsed->root_digest, ca_digest(kPem));
  EXPECT_EQ(parsed->secret, token.substr(60));
  EXPECT_TRUE(check_token_digest(token, kPem).is_ok());
}

TEST(JoinToken, KnownValue) {
  // The digest of "" in base 36, as swarmkit's big.Int.Text(36) pads it.
  std::string token = make_join_token("", std::string(kJoinTokenSecretBytes, '\0'));
  EXPECT_EQ(token.substr(0, 9), "SWMTKN-1-");
  EXPECT_EQ(token.substr(60), std::string(25, '0'));
  EXPECT_EQ(token.size(), 85u);
}

TEST(ToBase36, Values) {
  EXPECT_EQ(to_base36(std::string("\x01\x00", 2), 0), "74");  // 256 = 7*36 + 4
  EXPECT_EQ(to_base36(std::string("\x01\x00", 2), 3), "074");
  EXPECT_EQ(to_base36(std::string("\x23", 1), 2), "0z");
  EXPECT_EQ(to_base36("", 3), "000");
}

struct ParseCase {
  const char* name;
  std::string token;
};

TEST(JoinToken, ParseRefuses) {
  std::string good = make_join_token(kPem, kSecret);
  const ParseCase cases[] = {
      {"empty", ""},
      {"other prefix", "SWMKEY-1-" + good.substr(9)},
      {"version 2", "SWMTKN-2-0-" + good.substr(9)},
      {"short digest", good.substr(0, 20) + good.substr(21)},
      {"short secret", good.substr(0, good.size() - 1)},
      {"long secret", good + "0"},
      {"upper case", "SWMTKN-1-" + std::string(50, 'A') + "-" + std::string(25, '0')},
      {"extra part", good + "-x"},
      {"digest too large", "SWMTKN-1-" + std::string(50, 'z') + "-" + std::string(25, '0')},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = parse_join_token(c.token);
    EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(), "invalid join token");
  }
}

TEST(JoinToken, DigestMismatchIsRefusedWithSwarmkitsText) {
  std::string token = make_join_token(kPem, kSecret);
  Status status = check_token_digest(token, "another CA");
  EXPECT_EQ(status.code(), Code::kPermissionDenied);
  EXPECT_EQ(status.message(), "remote CA does not match fingerprint. Expected: " + ca_digest(kPem));
  EXPECT_EQ(check_token_digest("junk", kPem).message(), "invalid join token");
}

TEST(JoinToken, DigestOfABundleIsItsFirstCertificates) {
  std::string first = std::string(kPem);
  std::string second = "-----BEGIN CERTIFICATE-----\nxyz\n-----END CERTIFICATE-----\n";
  EXPECT_TRUE(check_token_digest(make_join_token(first, kSecret), first + second).is_ok());
  EXPECT_EQ(check_token_digest(make_join_token(second, kSecret), first + second).code(),
            Code::kPermissionDenied);
}

TEST(EqualConstantTime, Values) {
  EXPECT_TRUE(equal_constant_time("abc", "abc"));
  EXPECT_FALSE(equal_constant_time("abc", "abd"));
  EXPECT_FALSE(equal_constant_time("abc", "ab"));
  EXPECT_TRUE(equal_constant_time("", ""));
}

}  // namespace
}  // namespace shoal::ca
