// Sealed records (datastore/seal.h): AES-256-GCM round trip, key and associated-data binding,
// tamper detection, format versions.
#include "store/datastore/seal.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "data_keys.h"
#include "fixtures.h"
#include "store/codec.h"

namespace shoal::store {
namespace {

using testing::key_of;

std::string sealed(const DataKey& key, std::string_view table, std::string_view id,
                   std::string_view plain) {
  std::string out;
  EXPECT_TRUE(seal::seal(key, table, id, plain, &out).is_ok());
  return out;
}

TEST(SealTest, OpenReturnsWhatSealSealed) {
  DataKey key = key_of(7);
  for (std::string plain :
       {std::string(), std::string("x"), std::string(5000, '\0'), std::string("s3cr\0t", 6)}) {
    std::string s = sealed(key, "secrets", "id1", plain);
    EXPECT_EQ(s.size(), plain.size() + seal::kOverhead);
    EXPECT_TRUE(seal::is_sealed(s));
    auto opened = seal::open(key, "secrets", "id1", s);
    ASSERT_TRUE(opened.is_ok()) << opened.status().message();
    EXPECT_EQ(*opened, plain);
  }
}

TEST(SealTest, SealingTwiceGivesDifferentBytesWithoutThePlainText) {
  DataKey key = key_of(7);
  std::string plain = "a very distinctive secret value";
  std::string a = sealed(key, "secrets", "id1", plain);
  std::string b = sealed(key, "secrets", "id1", plain);
  EXPECT_NE(a, b);  // a fresh nonce each time
  EXPECT_EQ(a.find("distinctive"), std::string::npos);
  EXPECT_EQ(b.find("distinctive"), std::string::npos);
}

TEST(SealTest, OpenWithAnotherKeyFailsWithAnAuthenticationError) {
  std::string s = sealed(key_of(7), "secrets", "id1", "hello");
  auto opened = seal::open(key_of(8), "secrets", "id1", s);
  ASSERT_FALSE(opened.is_ok());
  EXPECT_EQ(opened.status().code(), Code::kInternal);
  EXPECT_NE(opened.status().message().find("secrets record id1"), std::string::npos);
  EXPECT_NE(opened.status().message().find("authentication failed"), std::string::npos);
}

TEST(SealTest, ChangingAnyByteMakesOpenFail) {
  DataKey key = key_of(7);
  std::string s = sealed(key, "configs", "c1", "key=value\n");
  for (size_t i = 2; i < s.size(); ++i) {  // nonce, ciphertext and tag
    std::string changed = s;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    EXPECT_FALSE(seal::open(key, "configs", "c1", changed).is_ok()) << "byte " << i;
  }
  EXPECT_FALSE(seal::open(key, "configs", "c1", s.substr(0, s.size() - 1)).is_ok());
  EXPECT_FALSE(seal::open(key, "configs", "c1", s + "x").is_ok());
}

TEST(SealTest, ARecordOpensOnlyUnderItsOwnTableAndId) {
  DataKey key = key_of(7);
  std::string s = sealed(key, "secrets", "id1", "hello");
  EXPECT_TRUE(seal::open(key, "secrets", "id1", s).is_ok());
  EXPECT_FALSE(seal::open(key, "secrets", "id2", s).is_ok());
  EXPECT_FALSE(seal::open(key, "configs", "id1", s).is_ok());
  // The separator keeps ("secrets", "1x") apart from ("secrets1", "x").
  std::string t = sealed(key, "secrets", "1x", "hello");
  EXPECT_FALSE(seal::open(key, "secrets1", "x", t).is_ok());
}

TEST(SealTest, AnUnknownFormatVersionIsNamed) {
  DataKey key = key_of(7);
  std::string s = sealed(key, "secrets", "id1", "hello");
  s[1] = 9;
  auto opened = seal::open(key, "secrets", "id1", s);
  ASSERT_FALSE(opened.is_ok());
  EXPECT_NE(opened.status().message().find("format 9"), std::string::npos);
}

TEST(SealTest, ATruncatedRecordIsCorrupt) {
  DataKey key = key_of(7);
  std::string s = sealed(key, "secrets", "id1", "hello");
  auto opened = seal::open(key, "secrets", "id1", s.substr(0, seal::kOverhead - 1));
  ASSERT_FALSE(opened.is_ok());
  EXPECT_NE(opened.status().message().find("corrupt"), std::string::npos);
}

TEST(SealTest, PlainCodecRecordsAreNeverTakenForSealedOnes) {
  std::string record;
  codec::encode(testing::make_secret("sec1", "pw"), &record);
  EXPECT_FALSE(seal::is_sealed(record));
  record.clear();
  codec::encode(testing::make_cluster("c1"), &record);
  EXPECT_FALSE(seal::is_sealed(record));
}

}  // namespace
}  // namespace shoal::store
