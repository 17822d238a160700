#include "core/uscc.h"

#include <gtest/gtest.h>

#include <string>

namespace kaiban {
namespace {

// `first17` completed with its check character, so that only the rule a test breaks on
// purpose can fail.
std::string withCheck(const std::string& first17) {
  Result<char> check = Uscc::checkCharacterFor(first17);
  EXPECT_TRUE(check.ok()) << first17;
  return first17 + check.valueOr('?');
}

TEST(UsccTest, AcceptsPublishedCodes) {
  // Real codes printed on published business licences (Huawei's is 914403001922038216).
  for (const char* code : {"914403001922038216", "91330100799655058B", "9144030071526726XG",
                           "91110108551385082Q", "91350100M000100Y43"}) {
    EXPECT_TRUE(Uscc::parse(code).ok()) << code;
    EXPECT_EQ(Uscc::violatedRule(code), std::nullopt) << code;
  }
}

TEST(UsccTest, CheckCharacterMatchesIndependentlyComputedValues) {
  // Computed by hand from the standard's formula, outside this code.
  EXPECT_EQ(Uscc::checkCharacterFor("91310115MA1K4L2A3").valueOr('?'), 'H');
  EXPECT_EQ(Uscc::checkCharacterFor("53100000500021676").valueOr('?'), 'K');
  EXPECT_EQ(Uscc::checkCharacterFor("Y1110000MA01ABCD1").valueOr('?'), '0');  // 31 → 0
  EXPECT_EQ(Uscc::checkCharacterFor("N2440101MA59ABCD1").valueOr('?'), 'W');
  EXPECT_EQ(Uscc::checkCharacterFor("91440300MA5DC6QX7").valueOr('?'), '6');
}

TEST(UsccTest, CheckCharacterForRejectsBadInput) {
  EXPECT_FALSE(Uscc::checkCharacterFor("9131011").ok());
  EXPECT_FALSE(Uscc::checkCharacterFor("91310115MA1K4L2A3H").ok());  // 18 characters
  Result<char> lower = Uscc::checkCharacterFor("91310115ma1k4l2a3");
  ASSERT_FALSE(lower.ok());
  EXPECT_EQ(lower.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(lower.error().field, "uscc");
}

TEST(UsccTest, AccessorsSplitTheCode) {
  Result<Uscc> uscc = Uscc::parse("914403001922038216");
  ASSERT_TRUE(uscc.ok());
  EXPECT_EQ(uscc->text(), "914403001922038216");
  EXPECT_EQ(uscc->registrationAuthority(), '9');
  EXPECT_EQ(uscc->entityType(), '1');
  EXPECT_EQ(uscc->divisionCode(), "440300");
  EXPECT_EQ(uscc->organizationCode(), "192203821");
  EXPECT_EQ(*uscc, Uscc::parse("914403001922038216").value());
}

TEST(UsccTest, LengthRule) {
  EXPECT_EQ(Uscc::violatedRule(""), UsccRule::kLength);
  EXPECT_EQ(Uscc::violatedRule("91440300192203821"), UsccRule::kLength);
  EXPECT_EQ(Uscc::violatedRule("9144030019220382160"), UsccRule::kLength);
  EXPECT_EQ(Uscc::violatedRule(" 914403001922038216"), UsccRule::kLength);
  Result<Uscc> parsed = Uscc::parse("9144");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(parsed.error().field, "uscc");
  EXPECT_NE(parsed.error().message.find("18 characters"), std::string::npos);
}

TEST(UsccTest, AlphabetRuleExcludesConfusableLettersAndLowerCase) {
  for (char letter : {'I', 'O', 'Z', 'S', 'V'}) {
    std::string code = "91310115MA1K4L2A3";
    code[10] = letter;
    code += 'H';
    EXPECT_EQ(Uscc::violatedRule(code), UsccRule::kAlphabet) << code;
  }
  EXPECT_EQ(Uscc::violatedRule("91310115ma1k4l2a3h"), UsccRule::kAlphabet);
  EXPECT_EQ(Uscc::violatedRule("91310115MA1K4L2A3h"), UsccRule::kAlphabet);
  EXPECT_EQ(Uscc::violatedRule("91310115MA1K4L2A-H"), UsccRule::kAlphabet);
  Result<Uscc> parsed = Uscc::parse("91310115MA1K4L2A3h");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("character 18"), std::string::npos);
  EXPECT_NE(parsed.error().message.find("capital letters"), std::string::npos);
}

TEST(UsccTest, RegistrationAuthorityRule) {
  for (const char* first17 : {"01310115MA1K4L2A3", "B1310115MA1K4L2A3", "X1310115MA1K4L2A3"}) {
    EXPECT_EQ(Uscc::violatedRule(withCheck(first17)), UsccRule::kRegistrationAuthority) << first17;
  }
  Result<Uscc> parsed = Uscc::parse(withCheck("B1310115MA1K4L2A3"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("registration authority"), std::string::npos);
}

TEST(UsccTest, EntityTypeRuleDependsOnTheAuthority) {
  // Market regulation registers enterprises (1), individual businesses (2), cooperatives (3).
  EXPECT_EQ(Uscc::violatedRule(withCheck("91310115MA1K4L2A3")), std::nullopt);
  EXPECT_EQ(Uscc::violatedRule(withCheck("92310115MA1K4L2A3")), std::nullopt);
  EXPECT_EQ(Uscc::violatedRule(withCheck("93310115MA1K4L2A3")), std::nullopt);
  EXPECT_EQ(Uscc::violatedRule(withCheck("94310115MA1K4L2A3")), UsccRule::kEntityType);
  EXPECT_EQ(Uscc::violatedRule(withCheck("99310115MA1K4L2A3")), UsccRule::kEntityType);
  // Establishment offices and civil affairs: 1, 2, 3, 9.
  EXPECT_EQ(Uscc::violatedRule(withCheck("19310115MA1K4L2A3")), std::nullopt);
  EXPECT_EQ(Uscc::violatedRule(withCheck("14310115MA1K4L2A3")), UsccRule::kEntityType);
  EXPECT_EQ(Uscc::violatedRule(withCheck("53310115MA1K4L2A3")), std::nullopt);
  EXPECT_EQ(Uscc::violatedRule(withCheck("55310115MA1K4L2A3")), UsccRule::kEntityType);
  // Justice registers six kinds; "other" authorities only type 1.
  EXPECT_EQ(Uscc::violatedRule(withCheck("35310115MA1K4L2A3")), std::nullopt);
  EXPECT_EQ(Uscc::violatedRule(withCheck("Y1310115MA1K4L2A3")), std::nullopt);
  EXPECT_EQ(Uscc::violatedRule(withCheck("Y2310115MA1K4L2A3")), UsccRule::kEntityType);
  EXPECT_EQ(Uscc::violatedRule(withCheck("A1310115MA1K4L2A3")), std::nullopt);
  EXPECT_EQ(Uscc::violatedRule(withCheck("N3310115MA1K4L2A3")), std::nullopt);
  EXPECT_EQ(Uscc::violatedRule(withCheck("9A310115MA1K4L2A3")), UsccRule::kEntityType);
  Result<Uscc> parsed = Uscc::parse(withCheck("94310115MA1K4L2A3"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("entity type"), std::string::npos);
}

TEST(UsccTest, DivisionCodeRule) {
  EXPECT_EQ(Uscc::violatedRule(withCheck("91990115MA1K4L2A3")), UsccRule::kDivisionCode);
  EXPECT_EQ(Uscc::violatedRule(withCheck("91000000MA1K4L2A3")), UsccRule::kDivisionCode);
  EXPECT_EQ(Uscc::violatedRule(withCheck("91160100MA1K4L2A3")), UsccRule::kDivisionCode);
  EXPECT_EQ(Uscc::violatedRule(withCheck("91310A15MA1K4L2A3")), UsccRule::kDivisionCode);
  for (const char* first17 : {"91110000MA1K4L2A3", "91650100MA1K4L2A3", "91710000MA1K4L2A3",
                              "91810000MA1K4L2A3", "91820000MA1K4L2A3"}) {
    EXPECT_EQ(Uscc::violatedRule(withCheck(first17)), std::nullopt) << first17;
  }
  Result<Uscc> parsed = Uscc::parse(withCheck("91990115MA1K4L2A3"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("division code"), std::string::npos);
}

TEST(UsccTest, CheckCharacterRuleCatchesEverySingleTypo) {
  const std::string valid = "914403001922038216";
  const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  for (size_t position = 0; position < valid.size(); ++position) {
    for (char replacement : alphabet) {
      if (replacement == valid[position]) continue;
      std::string typo = valid;
      typo[position] = replacement;
      EXPECT_NE(Uscc::violatedRule(typo), std::nullopt) << typo;
    }
  }
  EXPECT_EQ(Uscc::violatedRule("914403001922038217"), UsccRule::kCheckCharacter);
  EXPECT_EQ(Uscc::violatedRule("914403001922038226"), UsccRule::kCheckCharacter);
  Result<Uscc> parsed = Uscc::parse("914403001922038217");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("check character"), std::string::npos);
}

}  // namespace
}  // namespace kaiban
