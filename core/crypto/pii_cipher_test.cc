#include "core/crypto/pii_cipher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "core/crypto/crypto_test_util.h"

namespace kaiban::crypto {
namespace {

using ::testing::HasSubstr;
using testing::keySetText;
using testing::writeKeyFile;

constexpr std::string_view kAd = "application/8F3K2M7Q/applicant.id_number";

// The error open() gives, which must be kCorrupt.
std::string corruptMessage(const PiiCipher& cipher, std::string_view sealed,
                           std::string_view ad = kAd) {
  Result<std::string> opened = cipher.open(sealed, ad);
  EXPECT_FALSE(opened.ok());
  if (opened.ok()) return {};
  EXPECT_EQ(opened.error().code, ErrorCode::kCorrupt) << opened.error();
  return opened.error().message;
}

TEST(PiiCipherTest, RoundTripsAnyPlaintext) {
  const PiiCipher cipher(KeyRing::forTesting());
  const std::vector<std::string> plaintexts = {"", "11010519491231002X", "张三",
                                               std::string("nul\0inside\xff", 11),
                                               std::string(100 * 1024, 'x')};
  for (const std::string& plaintext : plaintexts) {
    const std::string sealed = cipher.seal(plaintext, kAd);
    EXPECT_EQ(sealed.size(), plaintext.size() + PiiCipher::kOverheadBytes);
    Result<std::string> opened = cipher.open(sealed, kAd);
    ASSERT_TRUE(opened.ok()) << opened.error();
    EXPECT_EQ(*opened, plaintext);
  }
  EXPECT_EQ(cipher.open(cipher.seal("x", ""), "").valueOr("<error>"), "x");
}

TEST(PiiCipherTest, HeaderCarriesVersionAndCurrentKeyId) {
  const std::string sealed = PiiCipher(KeyRing::forTesting(3)).seal("x", kAd);
  EXPECT_EQ(static_cast<unsigned char>(sealed[0]), PiiCipher::kVersion);
  EXPECT_EQ(static_cast<unsigned char>(sealed[1]), 3);
  EXPECT_EQ(PiiCipher::keyIdOf(sealed).valueOr(0), 3);
  EXPECT_FALSE(PiiCipher::keyIdOf("short").ok());
}

TEST(PiiCipherTest, EverySealUsesAFreshNonce) {
  const PiiCipher cipher(KeyRing::forTesting());
  const std::string first = cipher.seal("same plaintext", kAd);
  const std::string second = cipher.seal("same plaintext", kAd);
  EXPECT_NE(first.substr(2, PiiCipher::kNonceBytes), second.substr(2, PiiCipher::kNonceBytes));
  EXPECT_NE(first, second);
}

TEST(PiiCipherTest, OpensAValueSealedByAnIndependentAesGcmImplementation) {
  // Made with Python's `cryptography` AESGCM: key = SHA-256("kaiban test enc key 1"),
  // nonce = 00..0b, AAD = 01 01 || the associated data below, laid out as pii_cipher.h says.
  const std::string sealed =
      fromBase64("AQEAAQIDBAUGBwgJCgs4UZPgjEzUiMdt4MkA5kSYgn8XMQw4COnS8TbzHZxuEDfT+RNm39Loiw==")
          .value();
  const PiiCipher cipher(KeyRing::forTesting());
  EXPECT_EQ(cipher.open(sealed, "application/8F3K2M7Q/applicant.name").valueOr("<error>"),
            "张三 110105194912310021");
}

TEST(PiiCipherTest, FlippingAnyBitOfTheSealedValueIsDetected) {
  const PiiCipher cipher(KeyRing::forTesting(2));
  const std::string sealed = cipher.seal("110105194912310021", kAd);
  // Every byte: version, key id, nonce, ciphertext and tag; three bit positions each.
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (int bit : {0, 3, 7}) {
      std::string tampered = sealed;
      tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
      const std::string message = corruptMessage(cipher, tampered);
      if (i >= 2) {
        EXPECT_THAT(message, HasSubstr("failed authentication")) << "byte " << i;
      }
    }
  }
}

TEST(PiiCipherTest, NamesTheFieldThatIsWrong) {
  const PiiCipher cipher(KeyRing::forTesting(2));
  std::string sealed = cipher.seal("secret", kAd);

  std::string wrong_version = sealed;
  wrong_version[0] = 2;
  EXPECT_THAT(corruptMessage(cipher, wrong_version), HasSubstr("format version 2"));

  // Key id 1 exists, so the key is found, but the header is authenticated and it is not the
  // key that sealed the value.
  std::string other_key = sealed;
  other_key[1] = 1;
  EXPECT_THAT(corruptMessage(cipher, other_key), HasSubstr("failed authentication"));

  std::string unknown_key = sealed;
  unknown_key[1] = 9;
  EXPECT_THAT(corruptMessage(cipher, unknown_key), HasSubstr("key id 9"));
  EXPECT_THAT(corruptMessage(cipher, unknown_key), HasSubstr("it has 1, 2"));
}

TEST(PiiCipherTest, TruncationAtAnyLengthAndExtensionAreDetected) {
  const PiiCipher cipher(KeyRing::forTesting());
  const std::string sealed = cipher.seal("13800138000", kAd);
  for (size_t length = 0; length < sealed.size(); ++length) {
    const std::string message = corruptMessage(cipher, sealed.substr(0, length));
    if (length < PiiCipher::kOverheadBytes) {
      EXPECT_THAT(message, HasSubstr("truncated"));
    }
  }
  corruptMessage(cipher, sealed + "x");
}

TEST(PiiCipherTest, ACiphertextMovedToAnotherRowDoesNotOpen) {
  const PiiCipher cipher(KeyRing::forTesting());
  const std::string sealed = cipher.seal("11010519491231002X", "application/A1/id_number");
  EXPECT_THAT(corruptMessage(cipher, sealed, "application/A2/id_number"),
              HasSubstr("associated data"));
  corruptMessage(cipher, sealed, "application/A1/phone");
  corruptMessage(cipher, sealed, "");
}

TEST(PiiCipherTest, AValueFromAnotherKeyRingDoesNotOpen) {
  const std::string sealed = PiiCipher(KeyRing::forTesting(2)).seal("x", kAd);
  EXPECT_THAT(corruptMessage(PiiCipher(KeyRing::forTesting(1)), sealed), HasSubstr("key id 2"));
}

TEST(PiiCipherTest, RotationKeepsOldValuesReadableAndSealsWithTheNewKey) {
  kaiban::testing::TempDir dir;
  const std::string first_set = keySetText(1, '1', '2');
  Result<KeyRing> before = KeyRing::loadFile(writeKeyFile(dir, "data.key", first_set));
  ASSERT_TRUE(before.ok()) << before.error();
  const std::string old_value = PiiCipher(*before).seal("old", kAd);

  Result<KeyRing> after =
      KeyRing::loadFile(writeKeyFile(dir, "data.key", first_set + "\n" + keySetText(2, '3', '4')));
  ASSERT_TRUE(after.ok()) << after.error();
  const PiiCipher rotated(*after);
  EXPECT_EQ(rotated.open(old_value, kAd).valueOr("<error>"), "old");
  const std::string new_value = rotated.seal("new", kAd);
  EXPECT_EQ(PiiCipher::keyIdOf(new_value).valueOr(0), 2);
  EXPECT_EQ(rotated.open(new_value, kAd).valueOr("<error>"), "new");
  // The old ring cannot read what the new key sealed.
  EXPECT_THAT(corruptMessage(PiiCipher(*before), new_value), HasSubstr("key id 2"));
}

TEST(PiiCipherTest, Base64TextColumnsRoundTrip) {
  const PiiCipher cipher(KeyRing::forTesting());
  const std::string text = toBase64(cipher.seal("张三", kAd));
  Result<std::string> sealed = fromBase64(text);
  ASSERT_TRUE(sealed.ok()) << sealed.error();
  EXPECT_EQ(cipher.open(*sealed, kAd).valueOr("<error>"), "张三");
}

TEST(PiiCipherTest, ConcurrentUseFromManyThreads) {
  const PiiCipher cipher(KeyRing::forTesting());
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cipher, &failures, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string plaintext = "thread " + std::to_string(t) + " value " + std::to_string(i);
        const std::string ad = "row " + std::to_string(i);
        if (cipher.open(cipher.seal(plaintext, ad), ad).valueOr("") != plaintext) {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace kaiban::crypto
