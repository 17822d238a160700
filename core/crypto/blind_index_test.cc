#include "core/crypto/blind_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto/crypto_test_util.h"
#include "core/crypto/hash.h"

namespace kaiban::crypto {
namespace {

using testing::keySetText;
using testing::writeKeyFile;

constexpr std::string_view kIdNumber = "applicant.id_number";

TEST(BlindIndexTest, IsDeterministicLowerCaseHex) {
  const BlindIndex index(KeyRing::forTesting());
  const std::string value = index.compute(kIdNumber, "11010519491231002X");
  EXPECT_EQ(value.size(), 64u);
  EXPECT_EQ(value.find_first_not_of("0123456789abcdef"), std::string::npos) << value;
  EXPECT_EQ(value, index.compute(kIdNumber, "11010519491231002X"));
  EXPECT_EQ(value, BlindIndex(KeyRing::forTesting()).compute(kIdNumber, "11010519491231002X"));
}

TEST(BlindIndexTest, MatchesAnIndependentHmacComputation) {
  // Python: hmac.new(sha256(b"kaiban test mac key 1").digest(),
  //   len(domain).to_bytes(4, "big") + domain + value, sha256).hexdigest()
  EXPECT_EQ(BlindIndex(KeyRing::forTesting()).compute(kIdNumber, "11010519491231002X"),
            "528c7597508eb8f780bb2ff9c45ce2ec501bd8e0ecd2a5c49ca8546975164dc0");
}

TEST(BlindIndexTest, DomainsAreSeparated) {
  const BlindIndex index(KeyRing::forTesting());
  EXPECT_NE(index.compute("applicant.id_number", "13800138000"),
            index.compute("applicant.phone", "13800138000"));
  // Without the length prefix both would hash "abc".
  EXPECT_NE(index.compute("ab", "c"), index.compute("a", "bc"));
  EXPECT_NE(index.compute("", "abc"), index.compute("abc", ""));
}

TEST(BlindIndexTest, DependsOnTheKeyAndIsNotAPlainHash) {
  const std::string value = "11010519491231002X";
  EXPECT_NE(BlindIndex(KeyRing::forTesting(1)).compute(kIdNumber, value),
            BlindIndex(KeyRing::forTesting(2)).compute(kIdNumber, value));
  EXPECT_NE(BlindIndex(KeyRing::forTesting()).compute(kIdNumber, value), sha256Hex(value));
}

TEST(BlindIndexTest, DoesNotNormaliseForTheCaller) {
  const BlindIndex index(KeyRing::forTesting());
  EXPECT_NE(index.compute(kIdNumber, "11010519491231002x"),
            index.compute(kIdNumber, "11010519491231002X"));
  EXPECT_NE(index.compute(kIdNumber, " 11010519491231002X"),
            index.compute(kIdNumber, "11010519491231002X"));
}

TEST(BlindIndexTest, ComputeAllCoversEveryDistinctMacKeyCurrentFirst) {
  const BlindIndex index(KeyRing::forTesting(2));
  const std::vector<std::string> all = index.computeAll(kIdNumber, "v");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], index.compute(kIdNumber, "v"));
  EXPECT_EQ(all[1], BlindIndex(KeyRing::forTesting(1)).compute(kIdNumber, "v"));
}

TEST(BlindIndexTest, RotatingOnlyTheEncryptionKeyKeepsIndexes) {
  kaiban::testing::TempDir dir;
  Result<KeyRing> before = KeyRing::loadFile(writeKeyFile(dir, "a.key", keySetText(1, '1', '2')));
  // Key set 2 has a new enc key and repeats mac key '2'.
  Result<KeyRing> after = KeyRing::loadFile(
      writeKeyFile(dir, "b.key", keySetText(1, '1', '2') + "\n" + keySetText(2, '3', '2')));
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(BlindIndex(*before).compute(kIdNumber, "v"),
            BlindIndex(*after).compute(kIdNumber, "v"));
  EXPECT_EQ(BlindIndex(*after).computeAll(kIdNumber, "v").size(), 1u);
}

}  // namespace
}  // namespace kaiban::crypto
