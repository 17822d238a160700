#include "adapters/bank/account_number.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace kaiban::adapters::bank {
namespace {

TEST(LuhnTest, KnownVectors) {
  // The worked example of ISO/IEC 7812-1 Annex B and the common test card number.
  EXPECT_EQ(luhnCheckDigit("7992739871").value(), '3');
  EXPECT_EQ(luhnCheckDigit("401288888888188").value(), '1');
  EXPECT_EQ(luhnCheckDigit("0").value(), '0');
  EXPECT_TRUE(hasValidLuhnCheckDigit("79927398713"));
  EXPECT_TRUE(hasValidLuhnCheckDigit("4012888888881881"));
  EXPECT_FALSE(hasValidLuhnCheckDigit("79927398710"));
}

TEST(LuhnTest, RefusesNonDigits) {
  EXPECT_FALSE(luhnCheckDigit("").ok());
  EXPECT_FALSE(luhnCheckDigit("12a4").ok());
  EXPECT_FALSE(hasValidLuhnCheckDigit("3"));
  EXPECT_FALSE(hasValidLuhnCheckDigit("7992739871x"));
}

TEST(AccountNumberTest, NineteenDigitsWithValidCheckDigit) {
  Result<std::string> number = generateAccountNumber("QDBANK", 42);
  ASSERT_TRUE(number.ok()) << number.error();
  ASSERT_EQ(number->size(), 19u);
  EXPECT_NE(number->front(), '0');
  EXPECT_EQ(number->substr(6, 12), "000000000042");
  EXPECT_TRUE(hasValidLuhnCheckDigit(*number));
}

TEST(AccountNumberTest, EverySingleDigitErrorIsDetected) {
  std::string number = generateAccountNumber("QDBANK", 123456789).value();
  for (size_t i = 0; i < number.size(); ++i) {
    for (char digit = '0'; digit <= '9'; ++digit) {
      if (digit == number[i]) continue;
      std::string typo = number;
      typo[i] = digit;
      EXPECT_FALSE(hasValidLuhnCheckDigit(typo)) << typo;
    }
  }
}

TEST(AccountNumberTest, StablePerBankAndDistinctPerSequence) {
  EXPECT_EQ(generateAccountNumber("QDBANK", 7).value(), generateAccountNumber("QDBANK", 7).value());
  EXPECT_NE(generateAccountNumber("QDBANK", 7)->substr(0, 6),
            generateAccountNumber("ICBC", 7)->substr(0, 6));
  std::set<std::string> numbers;
  for (uint64_t sequence = 0; sequence < 1000; ++sequence) {
    numbers.insert(generateAccountNumber("QDBANK", sequence).value());
  }
  EXPECT_EQ(numbers.size(), 1000u);
  EXPECT_TRUE(generateAccountNumber("QDBANK", kMaxAccountSequence).ok());
}

TEST(AccountNumberTest, RefusesBadBankCodeOrSequence) {
  EXPECT_EQ(generateAccountNumber("qdbank", 1).error().code, ErrorCode::kInvalidInput);
  EXPECT_FALSE(generateAccountNumber("QD", 1).ok());
  EXPECT_FALSE(generateAccountNumber("ABCDEFGHIJKLM", 1).ok());
  EXPECT_FALSE(generateAccountNumber("QD-BANK", 1).ok());
  EXPECT_FALSE(generateAccountNumber("QDBANK", kMaxAccountSequence + 1).ok());
}

}  // namespace
}  // namespace kaiban::adapters::bank
