#include "core/id_number.h"

#include <gtest/gtest.h>

#include <string>

namespace kaiban {
namespace {

constexpr CivilDate kToday{2024, 6, 1};

// `first17` completed with its check character, so that only the rule a test breaks on
// purpose can fail.
std::string withCheck(const std::string& first17) {
  Result<char> check = IdNumber::checkCharacterFor(first17);
  EXPECT_TRUE(check.ok()) << first17;
  return first17 + check.valueOr('?');
}

TEST(CivilDateTest, ValidityFormattingAndOrder) {
  EXPECT_EQ((CivilDate{2024, 2, 9}).toString(), "2024-02-09");
  EXPECT_EQ((CivilDate{987, 12, 31}).toString(), "0987-12-31");
  EXPECT_EQ((CivilDate{2024, 2, 29}), (CivilDate{2024, 2, 29}));
  EXPECT_LT((CivilDate{2023, 12, 31}), (CivilDate{2024, 1, 1}));
  EXPECT_LT((CivilDate{2024, 1, 31}), (CivilDate{2024, 2, 1}));
  EXPECT_TRUE((CivilDate{2000, 2, 29}).isValid());
  EXPECT_TRUE((CivilDate{2024, 2, 29}).isValid());
  EXPECT_FALSE((CivilDate{1900, 2, 29}).isValid());
  EXPECT_FALSE((CivilDate{2023, 2, 29}).isValid());
  EXPECT_FALSE((CivilDate{2024, 4, 31}).isValid());
  EXPECT_FALSE((CivilDate{2024, 13, 1}).isValid());
  EXPECT_FALSE((CivilDate{2024, 0, 1}).isValid());
  EXPECT_FALSE((CivilDate{2024, 1, 0}).isValid());
}

TEST(IdNumberTest, AcceptsTheStandardsExample) {
  // The worked example of GB 11643-1999.
  Result<IdNumber> id = IdNumber::parse("11010519491231002X", kToday);
  ASSERT_TRUE(id.ok()) << id.error();
  EXPECT_EQ(id->text(), "11010519491231002X");
  EXPECT_EQ(id->divisionCode(), "110105");
  EXPECT_EQ(id->birthDate(), (CivilDate{1949, 12, 31}));
  EXPECT_EQ(id->sex(), Sex::kFemale);
  EXPECT_EQ(id->masked(), "1101**********002X");
}

TEST(IdNumberTest, AccessorsOfAComputedNumber) {
  Result<IdNumber> id = IdNumber::parse("370202199003071233", kToday);
  ASSERT_TRUE(id.ok()) << id.error();
  EXPECT_EQ(id->sex(), Sex::kMale);
  EXPECT_EQ(id->birthDate().toString(), "1990-03-07");
  EXPECT_EQ(id->masked(), "3702**********1233");
}

TEST(IdNumberTest, CheckCharacterMatchesIndependentlyComputedValues) {
  // Computed by hand from the ISO 7064 MOD 11-2 formula, outside this code.
  EXPECT_EQ(IdNumber::checkCharacterFor("11010519491231002").valueOr('?'), 'X');
  EXPECT_EQ(IdNumber::checkCharacterFor("44052418800101001").valueOr('?'), '4');
  EXPECT_EQ(IdNumber::checkCharacterFor("37020219900307123").valueOr('?'), '3');
  EXPECT_EQ(IdNumber::checkCharacterFor("44030419851111101").valueOr('?'), '0');
  Result<char> bad = IdNumber::checkCharacterFor("1101051949123100X");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "id_number");
  EXPECT_FALSE(IdNumber::checkCharacterFor("1101051949").ok());
}

TEST(IdNumberTest, LowerCaseXIsAcceptedAndNormalised) {
  Result<IdNumber> id = IdNumber::parse("11010519491231002x", kToday);
  ASSERT_TRUE(id.ok()) << id.error();
  EXPECT_EQ(id->text(), "11010519491231002X");
  EXPECT_EQ(*id, IdNumber::parse("11010519491231002X", kToday).value());
  EXPECT_EQ(IdNumber::violatedRule("11010519491231002x", kToday), std::nullopt);
  // Only the check character position: an x elsewhere is not a digit.
  EXPECT_EQ(IdNumber::violatedRule("1101051949123100x2", kToday), IdNumberRule::kDigits);
}

TEST(IdNumberTest, LengthRule) {
  EXPECT_EQ(IdNumber::violatedRule("", kToday), IdNumberRule::kLength);
  EXPECT_EQ(IdNumber::violatedRule("110105491231002", kToday), IdNumberRule::kLength);
  EXPECT_EQ(IdNumber::violatedRule("11010519491231002X ", kToday), IdNumberRule::kLength);
  Result<IdNumber> parsed = IdNumber::parse("1101", kToday);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(parsed.error().field, "id_number");
  EXPECT_NE(parsed.error().message.find("18 characters"), std::string::npos);
}

TEST(IdNumberTest, DigitsRule) {
  EXPECT_EQ(IdNumber::violatedRule("1101051949123100A2", kToday), IdNumberRule::kDigits);
  EXPECT_EQ(IdNumber::violatedRule("X10105194912310029", kToday), IdNumberRule::kDigits);
  EXPECT_EQ(IdNumber::violatedRule("11010519491231002Y", kToday), IdNumberRule::kDigits);
  EXPECT_EQ(IdNumber::violatedRule("11010519491231 02X", kToday), IdNumberRule::kDigits);
}

TEST(IdNumberTest, DivisionCodeRule) {
  EXPECT_EQ(IdNumber::violatedRule(withCheck("99010519491231002"), kToday),
            IdNumberRule::kDivisionCode);
  EXPECT_EQ(IdNumber::violatedRule(withCheck("00000019491231002"), kToday),
            IdNumberRule::kDivisionCode);
  EXPECT_EQ(IdNumber::violatedRule(withCheck("83010019491231002"), kToday),
            IdNumberRule::kDivisionCode);
  // Residence permits of Hong Kong, Macao and Taiwan residents.
  for (const char* first17 : {"81000019900101002", "82000019900101002", "83000019900101002"}) {
    EXPECT_EQ(IdNumber::violatedRule(withCheck(first17), kToday), std::nullopt) << first17;
  }
  Result<IdNumber> parsed = IdNumber::parse(withCheck("99010519491231002"), kToday);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("division code"), std::string::npos);
}

TEST(IdNumberTest, TwentyNinthOfFebruaryOnlyInLeapYears) {
  EXPECT_EQ(IdNumber::violatedRule("110105200002290021", kToday), std::nullopt);  // by hand
  EXPECT_EQ(IdNumber::violatedRule("110105202402290046", kToday), std::nullopt);  // by hand
  EXPECT_EQ(IdNumber::violatedRule(withCheck("11010519000229002"), kToday),
            IdNumberRule::kBirthDate);
  EXPECT_EQ(IdNumber::violatedRule(withCheck("11010520230229002"), kToday),
            IdNumberRule::kBirthDate);
}

TEST(IdNumberTest, BirthDateMustBeARealDate) {
  for (const char* first17 : {"11010519901301002", "11010519900001002", "11010519900431002",
                              "11010519900100002", "11010519900132002"}) {
    EXPECT_EQ(IdNumber::violatedRule(withCheck(first17), kToday), IdNumberRule::kBirthDate)
        << first17;
  }
}

TEST(IdNumberTest, BirthDateBetween1900AndToday) {
  // The standard's second example is valid by its check character but born in 1880.
  EXPECT_EQ(IdNumber::violatedRule("440524188001010014", kToday), IdNumberRule::kBirthDate);
  EXPECT_EQ(IdNumber::violatedRule(withCheck("11010518991231002"), kToday),
            IdNumberRule::kBirthDate);
  EXPECT_EQ(IdNumber::violatedRule(withCheck("11010519000101002"), kToday), std::nullopt);
  // Born today is fine; tomorrow is in the future.
  EXPECT_EQ(IdNumber::violatedRule(withCheck("11010520240601002"), kToday), std::nullopt);
  EXPECT_EQ(IdNumber::violatedRule(withCheck("11010520240602002"), kToday),
            IdNumberRule::kBirthDate);
  EXPECT_EQ(IdNumber::violatedRule(withCheck("11010520250101002"), kToday),
            IdNumberRule::kBirthDate);
  Result<IdNumber> parsed = IdNumber::parse(withCheck("11010520240602002"), kToday);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("birth date"), std::string::npos);
}

TEST(IdNumberTest, CheckCharacterRuleCatchesEverySingleDigitTypo) {
  const std::string valid = "370202199003071233";
  for (size_t position = 0; position < 17; ++position) {
    for (char digit = '0'; digit <= '9'; ++digit) {
      if (digit == valid[position]) continue;
      std::string typo = valid;
      typo[position] = digit;
      EXPECT_NE(IdNumber::violatedRule(typo, kToday), std::nullopt) << typo;
    }
  }
  EXPECT_EQ(IdNumber::violatedRule("370202199003071234", kToday), IdNumberRule::kCheckCharacter);
  EXPECT_EQ(IdNumber::violatedRule("110105194912310029", kToday), IdNumberRule::kCheckCharacter);
  Result<IdNumber> parsed = IdNumber::parse("370202199003071234", kToday);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("check character"), std::string::npos);
}

TEST(IdNumberTest, ErrorMessagesDoNotRepeatTheNumber) {
  for (const char* text : {"370202199003071234", "3702021990030712", "11010520240602002X"}) {
    Result<IdNumber> parsed = IdNumber::parse(text, kToday);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().message.find("3702021990"), std::string::npos);
    EXPECT_EQ(parsed.error().message.find("20240602"), std::string::npos);
  }
}

}  // namespace
}  // namespace kaiban
