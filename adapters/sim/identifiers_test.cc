#include "adapters/sim/identifiers.h"

#include <gtest/gtest.h>

#include <set>

#include "core/uscc.h"

namespace kaiban::sim {
namespace {

using std::chrono::year_month_day;
constexpr year_month_day kDay{std::chrono::year(2026), std::chrono::month(3), std::chrono::day(2)};

TEST(IdentifiersTest, OrganizationCodeCheckMatchesARealCode) {
  // Alibaba (China) Co., Ltd.: organisation code 71610585-2, inside USCC 91330100716105852F.
  EXPECT_EQ(organizationCodeCheck("71610585").value(), '2');
  EXPECT_FALSE(organizationCodeCheck("7161058").ok());
  EXPECT_FALSE(organizationCodeCheck("7161058a").ok());
}

TEST(IdentifiersTest, OrganizationCodeCheckWritesTenAsXAndElevenAsZero) {
  // Weights 3 7 9 10 5 8 4 2; check = 11 - (sum mod 11).
  EXPECT_EQ(organizationCodeCheck("00000000").value(), '0');  // sum 0: 11 -> '0'
  EXPECT_EQ(organizationCodeCheck("00000001").value(), '9');  // sum 2
  EXPECT_EQ(organizationCodeCheck("00010000").value(), '1');  // sum 10
  EXPECT_EQ(organizationCodeCheck("00010001").value(), 'X');  // sum 12: 10 -> 'X'
}

TEST(IdentifiersTest, UsccsAreValidDistinctAndNamedAfterTheirDivision) {
  std::set<std::string> seen;
  for (std::uint64_t sequence = 1; sequence <= 2000; ++sequence) {
    Result<std::string> code = usccFor("370212", sequence);
    ASSERT_TRUE(code.ok()) << code.error();
    Result<Uscc> uscc = Uscc::parse(*code);
    ASSERT_TRUE(uscc.ok()) << *code << ": " << uscc.error();
    EXPECT_EQ(uscc->registrationAuthority(), '9');
    EXPECT_EQ(uscc->entityType(), '1');
    EXPECT_EQ(uscc->divisionCode(), "370212");
    EXPECT_TRUE(uscc->organizationCode().starts_with("MA"));
    const std::string organization(uscc->organizationCode());
    EXPECT_EQ(organizationCodeCheck(organization.substr(0, 8)).value(), organization[8]);
    EXPECT_TRUE(seen.insert(*code).second) << "issued twice: " << *code;
  }
  EXPECT_NE(usccFor("370212", 1).value().substr(8, 9), usccFor("370212", 2).value().substr(8, 9));
}

TEST(IdentifiersTest, UsccRefusesBadInput) {
  EXPECT_FALSE(usccFor("37021", 1).ok());
  EXPECT_FALSE(usccFor("37021X", 1).ok());
  EXPECT_FALSE(usccFor("370212", kMaxUsccSequence + 1).ok());
  EXPECT_TRUE(usccFor("370212", kMaxUsccSequence).ok());
}

TEST(IdentifiersTest, OtherIdentifiersHaveTheirShapes) {
  EXPECT_EQ(sealCodeFor("370202", 42), "3702020000042");
  EXPECT_EQ(sealCodeFor("370202", 42).size(), 13u);
  EXPECT_EQ(licenceReferenceFor("370202", kDay, 42), "AMR370202-20260302-000042");
  EXPECT_EQ(taxAuthorityCodeFor("370202"), "13702020000");
  EXPECT_EQ(agreementNumberFor("370211", kDay, 7), "TBA370211-20260302-000007");
  EXPECT_EQ(partnerReferenceFor("REG", kDay, 123), "REG-20260302-000123");
}

}  // namespace
}  // namespace kaiban::sim
