#include "core/crypto/encoding.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace kaiban::crypto {
namespace {

TEST(EncodingTest, Base64MatchesRfc4648Vectors) {
  const std::array<std::pair<const char*, const char*>, 7> vectors = {{{"", ""},
                                                                       {"f", "Zg=="},
                                                                       {"fo", "Zm8="},
                                                                       {"foo", "Zm9v"},
                                                                       {"foob", "Zm9vYg=="},
                                                                       {"fooba", "Zm9vYmE="},
                                                                       {"foobar", "Zm9vYmFy"}}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(toBase64(plain), encoded);
    EXPECT_EQ(fromBase64(encoded).valueOr("<error>"), plain);
  }
  EXPECT_EQ(toBase64("fo", Base64Alphabet::kStandardNoPad), "Zm8");
  EXPECT_EQ(fromBase64("Zm8", Base64Alphabet::kStandardNoPad).valueOr("<error>"), "fo");
}

TEST(EncodingTest, UrlAlphabetReplacesPlusAndSlash) {
  const std::string bytes = "\xfb\xff";
  EXPECT_EQ(toBase64(bytes), "+/8=");
  EXPECT_EQ(toBase64(bytes, Base64Alphabet::kStandardNoPad), "+/8");
  EXPECT_EQ(toBase64(bytes, Base64Alphabet::kUrlNoPad), "-_8");
  EXPECT_EQ(fromBase64("-_8", Base64Alphabet::kUrlNoPad).valueOr("<error>"), bytes);
}

TEST(EncodingTest, EveryByteValueRoundTripsInEveryAlphabet) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (auto alphabet :
       {Base64Alphabet::kStandard, Base64Alphabet::kStandardNoPad, Base64Alphabet::kUrlNoPad}) {
    for (size_t length = 0; length <= all.size(); length += 37) {
      const std::string bytes = all.substr(0, length);
      EXPECT_EQ(fromBase64(toBase64(bytes, alphabet), alphabet).valueOr("<error>"), bytes);
    }
  }
}

TEST(EncodingTest, Base64DecodingIsStrict) {
  for (const char* bad : {"Zg=", "Zg===", "Z===", "Zg==\n",
                          " Zg==", "Zm9v Yg==", "Zh==", "Zm9=", "Z-8=", "Zg=A", "===="}) {
    Result<std::string> decoded = fromBase64(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidInput) << bad;
  }
  EXPECT_FALSE(fromBase64("Zg==", Base64Alphabet::kStandardNoPad).ok());
  EXPECT_FALSE(fromBase64("Zm9vY", Base64Alphabet::kStandardNoPad).ok());  // 5 chars
  EXPECT_FALSE(fromBase64("+/8", Base64Alphabet::kUrlNoPad).ok());
  EXPECT_FALSE(fromBase64("-_8", Base64Alphabet::kStandardNoPad).ok());
  EXPECT_FALSE(fromBase64("Zh", Base64Alphabet::kUrlNoPad).ok());  // non-zero trailing bits
}

TEST(EncodingTest, Hex) {
  EXPECT_EQ(toHex(std::string("\x00\xff\x10\xab", 4)), "00ff10ab");
  EXPECT_EQ(fromHex("00FF10ab").valueOr("<error>"), std::string("\x00\xff\x10\xab", 4));
  EXPECT_EQ(fromHex("").valueOr("<error>"), "");
  EXPECT_FALSE(fromHex("abc").ok());
  EXPECT_FALSE(fromHex("0g").ok());
  std::array<unsigned char, 2> out{};
  EXPECT_TRUE(hexToBytes("beef", out));
  EXPECT_EQ(out[0], 0xbe);
  EXPECT_EQ(out[1], 0xef);
  EXPECT_FALSE(hexToBytes("bee", out));
  EXPECT_FALSE(hexToBytes("beefee", out));
  EXPECT_FALSE(hexToBytes("be f", out));
}

}  // namespace
}  // namespace kaiban::crypto
