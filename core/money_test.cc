#include "core/money.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace kaiban {
namespace {

// The amount in fen, or -1 when parsing fails.
int64_t fen(std::string_view text) {
  Result<Money> money = Money::parseYuan(text);
  return money.ok() ? money->minorUnits() : -1;
}

TEST(MoneyTest, ParsesPlainGroupedAndDecimalAmounts) {
  EXPECT_EQ(fen("1000000"), 100000000);
  EXPECT_EQ(fen("1,000,000.00"), 100000000);
  EXPECT_EQ(fen("1000000.5"), 100000050);
  EXPECT_EQ(fen("0.01"), 1);
  EXPECT_EQ(fen("0"), 0);
  EXPECT_EQ(fen("999"), 99900);
  EXPECT_EQ(fen("12,345.6"), 1234560);
}

TEST(MoneyTest, ParsesWanAndYi) {
  EXPECT_EQ(fen("100万"), 100000000);
  EXPECT_EQ(fen("100.5万"), 100500000);
  EXPECT_EQ(fen("1亿"), 10000000000);
  EXPECT_EQ(fen("1.234567万"), 1234567);
  EXPECT_EQ(fen("0.0000000001亿"), 1);
  EXPECT_EQ(fen("1,000万"), 1000000000);
}

TEST(MoneyTest, AcceptsCurrencySignAndSurroundingSpace) {
  EXPECT_EQ(fen("¥1,000.00"), 100000);
  EXPECT_EQ(fen("￥1,000.00"), 100000);
  EXPECT_EQ(fen("¥ 50"), 5000);
  EXPECT_EQ(fen("  1000 \t\n"), 100000);
  EXPECT_EQ(fen(" ¥100万 "), 100000000);
}

TEST(MoneyTest, RejectsNegativeAmounts) {
  Result<Money> negative = Money::parseYuan("-5");
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(negative.error().field, "amount");
  EXPECT_NE(negative.error().message.find("negative"), std::string::npos);
  EXPECT_FALSE(Money::parseYuan("¥-5").ok());
}

TEST(MoneyTest, RejectsMoreDecimalsThanOneFen) {
  Result<Money> three = Money::parseYuan("1.234");
  ASSERT_FALSE(three.ok());
  EXPECT_NE(three.error().message.find("at most 2 decimals"), std::string::npos);
  EXPECT_FALSE(Money::parseYuan("1.0000001万").ok());
  EXPECT_FALSE(Money::parseYuan("1.00000000001亿").ok());
  EXPECT_FALSE(Money::parseYuan("0.001").ok());
}

TEST(MoneyTest, RejectsEmptyAndGarbage) {
  for (const char* text : {"", "   ", "¥", "万", "abc", "12a", "1 000", "+5", "1e6", "0x10",
                           "100元", "100万万", "1.5.", ".5", "5.", "1..2", "1.2.3", "1,5.0.0"}) {
    Result<Money> money = Money::parseYuan(text);
    EXPECT_FALSE(money.ok()) << text;
    if (!money.ok()) {
      EXPECT_EQ(money.error().field, "amount") << text;
      EXPECT_FALSE(money.error().message.empty()) << text;
    }
  }
  EXPECT_NE(Money::parseYuan("1.2.3").error().message.find("more than one decimal point"),
            std::string::npos);
  EXPECT_NE(Money::parseYuan("").error().message.find("empty"), std::string::npos);
}

TEST(MoneyTest, RejectsMisplacedCommas) {
  for (const char* text : {",100", "100,", "1,00", "1,0000", "1000,000", "1,000,00", "1,,000",
                           "1,000.0,0", "1000,000.00", "12,34,567"}) {
    EXPECT_FALSE(Money::parseYuan(text).ok()) << text;
  }
  EXPECT_NE(Money::parseYuan("1,00").error().message.find("commas"), std::string::npos);
}

TEST(MoneyTest, RejectsOverflow) {
  // INT64_MAX fen is 92,233,720,368,547,758.07 yuan.
  EXPECT_EQ(fen("92233720368547758.07"), std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(Money::parseYuan("92233720368547758.08").ok());
  EXPECT_FALSE(Money::parseYuan("92233720368547759").ok());
  EXPECT_FALSE(Money::parseYuan("99999999999999999999999999").ok());
  EXPECT_FALSE(Money::parseYuan("922337204亿").ok());
  EXPECT_EQ(fen("922337203亿"), 9223372030000000000);
  Result<Money> huge = Money::parseYuan("100000000000000万");
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.error().message.find("too large"), std::string::npos);
}

TEST(MoneyTest, FormatsWithGroupsAndTwoDecimals) {
  EXPECT_EQ(Money::fromMinorUnits(100000000).formatYuan(), "1,000,000.00");
  EXPECT_EQ(Money::fromMinorUnits(0).formatYuan(), "0.00");
  EXPECT_EQ(Money::fromMinorUnits(5).formatYuan(), "0.05");
  EXPECT_EQ(Money::fromMinorUnits(12345).formatYuan(), "123.45");
  EXPECT_EQ(Money::fromMinorUnits(99999).formatYuan(), "999.99");
  EXPECT_EQ(Money::fromMinorUnits(100000).formatYuan(), "1,000.00");
  EXPECT_EQ(Money::fromMinorUnits(-123456).formatYuan(), "-1,234.56");
  EXPECT_EQ(Money::fromMinorUnits(std::numeric_limits<int64_t>::max()).formatYuan(),
            "92,233,720,368,547,758.07");
  EXPECT_EQ(Money::fromMinorUnits(std::numeric_limits<int64_t>::min()).formatYuan(),
            "-92,233,720,368,547,758.08");
}

TEST(MoneyTest, FormatParseRoundTrip) {
  for (int64_t amount : {int64_t{0}, int64_t{1}, int64_t{99}, int64_t{100}, int64_t{123456789},
                         int64_t{100000000}, std::numeric_limits<int64_t>::max()}) {
    const Money money = Money::fromMinorUnits(amount);
    Result<Money> parsed = Money::parseYuan(money.formatYuan());
    ASSERT_TRUE(parsed.ok()) << money.formatYuan() << ": " << parsed.error();
    EXPECT_EQ(*parsed, money);
  }
}

TEST(MoneyTest, ComparesAndAddsWithOverflowCheck) {
  const Money one = Money::fromMinorUnits(100);
  const Money two = Money::fromMinorUnits(200);
  EXPECT_LT(one, two);
  EXPECT_GT(two, one);
  EXPECT_EQ(one, Money::parseYuan("1").value());
  EXPECT_NE(one, two);
  EXPECT_EQ(Money(), Money::fromMinorUnits(0));
  Result<Money> sum = one.add(two);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->minorUnits(), 300);
  const Money max = Money::fromMinorUnits(std::numeric_limits<int64_t>::max());
  Result<Money> overflow = max.add(Money::fromMinorUnits(1));
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.error().field, "amount");
  EXPECT_TRUE(max.add(Money::fromMinorUnits(-1)).ok());
  EXPECT_FALSE(Money::fromMinorUnits(std::numeric_limits<int64_t>::min())
                   .add(Money::fromMinorUnits(-1))
                   .ok());
}

}  // namespace
}  // namespace kaiban
