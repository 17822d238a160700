#include "core/crypto/password.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace kaiban::crypto {
namespace {

using ::testing::MatchesRegex;

// Cheap enough for unit tests under sanitizers; production uses the defaults.
const PasswordParams kFast{uint64_t{1} << 10, 8, 1};

TEST(PasswordTest, EncodedFormat) {
  const std::string encoded = hashPassword("correct horse", kFast);
  // 16-byte salt: 22 characters; 32-byte hash: 43 characters.
  EXPECT_THAT(encoded,
              MatchesRegex(R"(\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43})"));
}

TEST(PasswordTest, VerifiesTheRightPasswordOnly) {
  const std::string encoded = hashPassword("correct horse", kFast);
  EXPECT_TRUE(verifyPassword("correct horse", encoded));
  EXPECT_FALSE(verifyPassword("correct horsf", encoded));
  EXPECT_FALSE(verifyPassword("Correct horse", encoded));
  EXPECT_FALSE(verifyPassword("", encoded));
  EXPECT_FALSE(verifyPassword("correct horse ", encoded));

  const std::string empty = hashPassword("", kFast);
  EXPECT_TRUE(verifyPassword("", empty));
  EXPECT_FALSE(verifyPassword("x", empty));
  const std::string chinese = hashPassword("开办密码", kFast);
  EXPECT_TRUE(verifyPassword("开办密码", chinese));
}

TEST(PasswordTest, SaltsDiffer) {
  const std::string first = hashPassword("same", kFast);
  const std::string second = hashPassword("same", kFast);
  EXPECT_NE(first, second);
  EXPECT_NE(first.substr(0, first.rfind('$')), second.substr(0, second.rfind('$')));
  EXPECT_TRUE(verifyPassword("same", first));
  EXPECT_TRUE(verifyPassword("same", second));
}

TEST(PasswordTest, VerifiesTheRfc7914TestVector) {
  // RFC 7914 §12: scrypt("password", "NaCl", N=1024, r=8, p=16, dkLen=64).
  const std::string encoded =
      "$scrypt$ln=10,r=8,p=16$TmFDbA$/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/"
      "xCSedmDDaxyevuUqD7m2DYMvfoswGQA";
  EXPECT_TRUE(verifyPassword("password", encoded));
  EXPECT_FALSE(verifyPassword("Password", encoded));
  // Parameters are read from the string: the same hash under other parameters fails.
  std::string other_p = encoded;
  other_p.replace(other_p.find("p=16"), 4, "p=15");
  EXPECT_FALSE(verifyPassword("password", other_p));
}

TEST(PasswordTest, DefaultCostFitsTheMemoryLimitSetForOpenssl) {
  // N=2^15, r=8 needs 128 * 8 * (2^15 + 2) + 128 * 8 bytes, just over 32 MiB: scrypt fails
  // unless the maxmem given to OpenSSL covers it.
  const std::string encoded = hashPassword("staff password");
  EXPECT_THAT(encoded, ::testing::StartsWith("$scrypt$ln=15,r=8,p=1$"));
  EXPECT_TRUE(verifyPassword("staff password", encoded));
  EXPECT_FALSE(needsRehash(encoded, PasswordParams{}));
}

TEST(PasswordTest, MalformedHashesNeverVerify) {
  const std::string good = hashPassword("pw", kFast);
  ASSERT_TRUE(verifyPassword("pw", good));
  const size_t fields = good.find("ln=");
  const size_t salt = good.find('$', fields) + 1;
  const std::string tail = good.substr(salt);  // "<salt>$<hash>"
  for (const std::string& bad : {
           std::string(),
           std::string("$scrypt$"),
           std::string("pw"),
           "$2b$ln=10,r=8,p=1$" + tail,                         // another scheme
           "$scrypt$ln=0,r=8,p=1$" + tail,                      // N = 1
           "$scrypt$ln=99,r=8,p=1$" + tail,                     // N beyond 2^62
           "$scrypt$ln=30,r=8,p=1$" + tail,                     // 128 GiB
           "$scrypt$ln=10,r=0,p=1$" + tail,                     // r = 0
           "$scrypt$ln=10,r=8,p=0$" + tail,                     // p = 0
           "$scrypt$ln=010,r=8,p=1$" + tail,                    // leading zero
           "$scrypt$ln=10,p=1,r=8$" + tail,                     // fields reordered
           "$scrypt$ln=10,r=8$" + tail,                         // p missing
           "$scrypt$ln=10,r=8,p=1,x=1$" + tail,                 // extra field
           "$scrypt$ln=-10,r=8,p=1$" + tail,                    // sign
           good + "$",                                          // extra part
           good.substr(0, good.rfind('$')),                     // hash missing
           good + "A",                                          // hash one byte too long
           good.substr(0, good.size() - 23),                    // hash of 15 bytes
           good.substr(0, salt) + "!" + tail,                   // bad salt character
           good.substr(0, salt) + tail.substr(tail.find('$')),  // empty salt
       }) {
    EXPECT_FALSE(verifyPassword("pw", bad)) << bad;
    EXPECT_TRUE(needsRehash(bad, kFast)) << bad;
  }
}

TEST(PasswordTest, ATamperedHashDoesNotVerify) {
  std::string encoded = hashPassword("pw", kFast);
  encoded[encoded.size() - 2] = encoded[encoded.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verifyPassword("pw", encoded));
}

TEST(PasswordTest, NeedsRehashWhenParametersChange) {
  const std::string encoded = hashPassword("pw", kFast);
  EXPECT_FALSE(needsRehash(encoded, kFast));
  EXPECT_TRUE(needsRehash(encoded, PasswordParams{}));
  EXPECT_TRUE(needsRehash(encoded, PasswordParams{uint64_t{1} << 11, 8, 1}));
  EXPECT_TRUE(needsRehash(encoded, PasswordParams{uint64_t{1} << 10, 4, 1}));
  EXPECT_TRUE(needsRehash(encoded, PasswordParams{uint64_t{1} << 10, 8, 2}));
  // The RFC vector has our parameters' shape but a 4-byte salt and a 64-byte hash.
  EXPECT_TRUE(needsRehash(
      "$scrypt$ln=10,r=8,p=16$TmFDbA$/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/"
      "xCSedmDDaxyevuUqD7m2DYMvfoswGQA",
      PasswordParams{uint64_t{1} << 10, 8, 16}));
}

TEST(PasswordTest, ParameterValidation) {
  EXPECT_TRUE(validatePasswordParams(PasswordParams{}).ok());
  EXPECT_TRUE(validatePasswordParams(kFast).ok());
  for (const PasswordParams& bad :
       {PasswordParams{1000, 8, 1}, PasswordParams{1, 8, 1}, PasswordParams{0, 8, 1},
        PasswordParams{1024, 0, 1}, PasswordParams{1024, 8, 0},
        PasswordParams{uint64_t{1} << 20, 8, 1} /* 1 GiB */,
        PasswordParams{1024, 1u << 15, 1u << 15} /* r * p = 2^30 */}) {
    Result<void> valid = validatePasswordParams(bad);
    ASSERT_FALSE(valid.ok()) << bad.scrypt_n << " " << bad.r << " " << bad.p;
    EXPECT_EQ(valid.error().code, ErrorCode::kInvalidInput);
    EXPECT_THROW(hashPassword("pw", bad), std::invalid_argument);
  }
}

}  // namespace
}  // namespace kaiban::crypto
