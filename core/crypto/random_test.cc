#include "core/crypto/random.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/crypto/encoding.h"

namespace kaiban::crypto {
namespace {

TEST(RandomTest, BytesHaveTheRequestedSizeAndDiffer) {
  for (size_t size : {0, 1, 12, 32, 1000}) EXPECT_EQ(randomBytes(size).size(), size);
  EXPECT_NE(randomBytes(32), randomBytes(32));
}

TEST(RandomTest, TokensAreUrlSafeBase64WithoutPadding) {
  const std::string token = randomToken();
  EXPECT_EQ(token.size(), 43u);  // 32 bytes
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos)
      << token;
  EXPECT_EQ(fromBase64(token, Base64Alphabet::kUrlNoPad).valueOr("").size(), 32u);
  EXPECT_EQ(randomToken(16).size(), 22u);
  EXPECT_NE(randomToken(), randomToken());
}

TEST(RandomTest, Base32IdsUseEveryCrockfordCharacterAndNothingElse) {
  constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  EXPECT_EQ(randomBase32Id(0), "");
  EXPECT_EQ(randomBase32Id(10).size(), 10u);
  std::set<char> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string id = randomBase32Id(16);
    ASSERT_EQ(id.size(), 16u);
    for (char c : id) {
      ASSERT_NE(kCrockford.find(c), std::string_view::npos) << id;
      seen.insert(c);
    }
  }
  // 3200 uniform draws miss one of 32 characters with probability about 32 * (31/32)^3200.
  EXPECT_EQ(seen.size(), 32u);
}

}  // namespace
}  // namespace kaiban::crypto
