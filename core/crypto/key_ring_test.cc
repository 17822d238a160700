#include "core/crypto/key_ring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto/crypto_test_util.h"
#include "core/crypto/pii_cipher.h"

namespace kaiban::crypto {
namespace {

using ::testing::HasSubstr;
using testing::keySetText;
using ::testing::Not;
using testing::testKeyHex;
using testing::writeKeyFile;
namespace fs = std::filesystem;

// The error parse() gives for `text`, which must fail.
Error parseError(const std::string& text) {
  Result<KeyRing> ring = KeyRing::parse(text, "test.key");
  EXPECT_FALSE(ring.ok()) << text;
  return ring.ok() ? Error{} : ring.error();
}

TEST(KeyRingTest, LoadsOneKeySet) {
  kaiban::testing::TempDir dir;
  const fs::path path = writeKeyFile(dir, "orchestrator.key", keySetText(7, '1', '2'));
  Result<KeyRing> ring = KeyRing::loadFile(path);
  ASSERT_TRUE(ring.ok()) << ring.error();
  EXPECT_EQ(ring->currentKeyId(), 7);
  EXPECT_EQ(ring->keyIds(), std::vector<uint8_t>{7});
  EXPECT_TRUE(ring->hasKeyId(7));
  EXPECT_FALSE(ring->hasKeyId(1));
}

TEST(KeyRingTest, LastOfSeveralSetsIsCurrentAndCommentsSpacesAndCrlfAreAccepted) {
  const std::string text =
      "# Kaiban data keys\r\n"
      "key_id=3\r\n"
      "  enc = " +
      testKeyHex('A') +
      "  \r\n"  // upper-case hex
      "# a comment inside a set\r\n"
      "mac=" +
      testKeyHex('b') +
      "\r\n"
      "\r\n\r\n"
      "mac=" +
      testKeyHex('c') +
      "\n"  // fields in any order
      "key_id=255\n"
      "enc=" +
      testKeyHex('d') +
      "\n"
      "\n"
      "key_id=1\n"
      "enc=" +
      testKeyHex('e') +
      "\n"
      "mac=" +
      testKeyHex('f');  // no final newline
  Result<KeyRing> ring = KeyRing::parse(text, "test.key");
  ASSERT_TRUE(ring.ok()) << ring.error();
  EXPECT_EQ(ring->keyIds(), (std::vector<uint8_t>{3, 255, 1}));
  EXPECT_EQ(ring->currentKeyId(), 1);
}

TEST(KeyRingTest, RefusesAFileAccessibleToGroupOrOthers) {
  kaiban::testing::TempDir dir;
  using fs::perms;
  for (perms extra : {perms::group_read | perms::others_read, perms::group_read, perms::others_read,
                      perms::group_write, perms::others_exec}) {
    const fs::path path = writeKeyFile(dir, "agent.key", keySetText(1, '1', '2'),
                                       perms::owner_read | perms::owner_write | extra);
    Result<KeyRing> ring = KeyRing::loadFile(path);
    ASSERT_FALSE(ring.ok());
    EXPECT_EQ(ring.error().code, ErrorCode::kForbidden);
    EXPECT_THAT(ring.error().message, HasSubstr("chmod 600 " + path.string()));
  }
  const fs::path path = writeKeyFile(dir, "agent.key", keySetText(1, '1', '2'),
                                     perms::owner_read | perms::group_read | perms::others_read);
  Result<KeyRing> ring = KeyRing::loadFile(path);
  ASSERT_FALSE(ring.ok());
  EXPECT_THAT(ring.error().message, HasSubstr("mode 0444"));
  // Owner-only modes load.
  EXPECT_TRUE(
      KeyRing::loadFile(writeKeyFile(dir, "ok.key", keySetText(1, '1', '2'), perms::owner_read))
          .ok());
}

TEST(KeyRingTest, MissingFileAndDirectory) {
  kaiban::testing::TempDir dir;
  Result<KeyRing> missing = KeyRing::loadFile(dir.path() / "absent.key");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing.error().message, HasSubstr("absent.key"));

  fs::create_directory(dir.path() / "keys");
  fs::permissions(dir.path() / "keys", fs::perms::owner_all, fs::perm_options::replace);
  Result<KeyRing> directory = KeyRing::loadFile(dir.path() / "keys");
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().code, ErrorCode::kInvalidInput);
}

TEST(KeyRingTest, RefusesAnOversizedFile) {
  kaiban::testing::TempDir dir;
  const std::string text = keySetText(1, '1', '2') + "#" + std::string(70 * 1024, 'x') + "\n";
  Result<KeyRing> ring = KeyRing::loadFile(writeKeyFile(dir, "big.key", text));
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(ring.error().message, HasSubstr("64 KiB"));
}

TEST(KeyRingTest, BadHexAndWrongLengthNameTheLineWithoutEchoingTheKey) {
  const std::string bad_hex = "z" + testKeyHex('1').substr(1);
  Error error = parseError("# keys\nkey_id=1\nenc=" + bad_hex + "\nmac=" + testKeyHex('2'));
  EXPECT_EQ(error.code, ErrorCode::kInvalidInput);
  EXPECT_THAT(error.message, HasSubstr("test.key line 3"));
  EXPECT_THAT(error.message, HasSubstr("hex digit"));
  EXPECT_THAT(error.message, Not(HasSubstr(bad_hex)));

  error = parseError("key_id=1\nenc=" + testKeyHex('1') + "\nmac=" + testKeyHex('2') + "ab");
  EXPECT_EQ(error.code, ErrorCode::kInvalidInput);
  EXPECT_THAT(error.message, HasSubstr("line 3: mac must be 64 hex digits"));
  EXPECT_THAT(error.message, HasSubstr("found 66"));

  error = parseError("key_id=1\nenc=" + testKeyHex('1').substr(2) + "\nmac=" + testKeyHex('2'));
  EXPECT_THAT(error.message, HasSubstr("line 2: enc must be 64 hex digits"));
}

TEST(KeyRingTest, KeyIdMustBeFrom1To255AndUnique) {
  for (const char* id : {"0", "256", "-1", "x", "", "1000", "+5"}) {
    const Error error = parseError(std::string("key_id=") + id + "\nenc=" + testKeyHex('1') +
                                   "\nmac=" + testKeyHex('2'));
    EXPECT_EQ(error.code, ErrorCode::kInvalidInput) << id;
    EXPECT_THAT(error.message, HasSubstr("line 1: key_id must be a whole number from 1 to 255"))
        << id;
  }
  const Error duplicate = parseError(keySetText(4, '1', '2') + "\n" + keySetText(5, '3', '4') +
                                     "\n" + keySetText(4, '5', '6'));
  EXPECT_EQ(duplicate.code, ErrorCode::kInvalidInput);
  EXPECT_THAT(duplicate.message, HasSubstr("line 9: key_id 4 is already used"));
}

TEST(KeyRingTest, EachSetNeedsExactlyItsThreeFields) {
  Error error = parseError("key_id=1\nenc=" + testKeyHex('1') + "\n\nkey_id=2\n");
  EXPECT_EQ(error.code, ErrorCode::kInvalidInput);
  EXPECT_THAT(error.message, HasSubstr("line 3: the key set starting at line 1 has no mac key"));

  // Two sets without a blank line between them read as one set with repeated fields.
  error = parseError(keySetText(1, '1', '2') + keySetText(2, '3', '4'));
  EXPECT_THAT(error.message, HasSubstr("line 4: key_id given twice"));
  EXPECT_THAT(error.message, HasSubstr("blank line"));

  error = parseError("key_id=1\nenc=" + testKeyHex('1') + "\nenc=" + testKeyHex('2'));
  EXPECT_THAT(error.message, HasSubstr("line 3: enc given twice"));

  error = parseError(keySetText(1, '1', '2') + "cipher=aes\n");
  EXPECT_THAT(error.message, HasSubstr("line 4: unknown field \"cipher\""));

  error = parseError("key_id 1\n");
  EXPECT_THAT(error.message, HasSubstr("line 1: expected name=value"));

  error = parseError(keySetText(1, '7', '7'));
  EXPECT_THAT(error.message, HasSubstr("enc and mac are the same key"));
}

TEST(KeyRingTest, AFileWithoutKeySetsIsRefused) {
  for (const char* text : {"", "\n\n", "# only a comment\n"}) {
    const Error error = parseError(text);
    EXPECT_EQ(error.code, ErrorCode::kInvalidInput);
    EXPECT_THAT(error.message, HasSubstr("holds no key set"));
  }
}

TEST(KeyRingTest, ForTestingIsDeterministic) {
  const KeyRing ring = KeyRing::forTesting(3);
  EXPECT_EQ(ring.keyIds(), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(ring.currentKeyId(), 3);
  EXPECT_EQ(KeyRing::forTesting().keyIds(), std::vector<uint8_t>{1});
  // Another instance holds the same keys: what one seals, the other opens.
  const std::string sealed = PiiCipher(KeyRing::forTesting(3)).seal("value", "row 1");
  EXPECT_EQ(PiiCipher(ring).open(sealed, "row 1").valueOr("<error>"), "value");
}

TEST(KeyRingTest, CopiesShareKeysThatOutliveTheOriginal) {
  std::optional<KeyRing> original = KeyRing::forTesting(2);
  const KeyRing copy = *original;
  const std::string sealed = PiiCipher(*original).seal("value", "ad");
  original.reset();
  EXPECT_EQ(PiiCipher(copy).open(sealed, "ad").valueOr("<error>"), "value");
}

}  // namespace
}  // namespace kaiban::crypto
