#include "terminal-agent/demo/demo_form.h"

#include <algorithm>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "core/application.h"
#include "terminal-agent/ui/kiosk_form.h"

namespace kaiban::agent::demo {
namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The screen's path: the agent turns each form, with the card holder, into an application
// and validates it exactly as /local/submit does.
TEST(DemoFormMaker, FormsBecomeValidVariedCompaniesOwnedByTheCardHolder) {
  const KioskChoices choices{{"370202", "370212", "370281"}, {"QD-SEAL-017", "QD-SEAL-023"}};
  DemoFormMaker maker(7, 3, choices);
  bench::ApplicationGenerator people(11, 0);
  const CivilDate today{2026, 11, 27};

  std::set<std::string> names;
  std::set<std::string> divisions;
  std::set<std::string> shops;
  std::set<TaxpayerType> taxpayers;
  std::set<SealDelivery> deliveries;
  for (int sequence = 0; sequence < 300; ++sequence) {
    IdCardData card;
    card.name = "王秀英";
    card.id_number = people.idNumber("370202", sequence % 2 == 0);
    const FormContext context{"QD-SN-0001", "BOCQD", card};

    Result<Application> application = applicationFromKioskForm(*maker.make(sequence), context);
    ASSERT_TRUE(application.ok()) << sequence << ": " << application.error().message << " at "
                                  << application.error().field;
    const std::vector<Problem> problems = validateApplication(*application, today);
    ASSERT_TRUE(problems.empty()) << sequence << ": " << problems.front().field << " "
                                  << problems.front().message_key;

    const Enterprise& enterprise = application->enterprise;
    EXPECT_EQ(enterprise.type, EnterpriseType::kLimitedLiabilityCompany);
    EXPECT_TRUE(endsWith(enterprise.name, "有限公司") || endsWith(enterprise.name, "有限责任公司"))
        << enterprise.name;
    ASSERT_EQ(application->shareholders.size(), 1u);
    EXPECT_EQ(application->shareholders[0].person.id_number, card.id_number);
    EXPECT_EQ(application->shareholders[0].contribution, enterprise.registered_capital);
    EXPECT_EQ(application->legal_representative.id_number, card.id_number);
    EXPECT_EQ(application->kiosk_id, "QD-SN-0001");
    EXPECT_TRUE(
        std::ranges::count(choices.divisions, enterprise.registered_address.division_code) == 1);
    EXPECT_TRUE(std::ranges::count(choices.seal_shops, application->seal.shop) == 1);

    names.insert(enterprise.name);
    divisions.insert(enterprise.registered_address.division_code);
    shops.insert(application->seal.shop);
    taxpayers.insert(application->tax.taxpayer_type);
    deliveries.insert(application->seal.delivery);
  }
  EXPECT_EQ(names.size(), 300u);
  EXPECT_EQ(divisions.size(), choices.divisions.size());
  EXPECT_EQ(shops.size(), choices.seal_shops.size());
  EXPECT_EQ(taxpayers.size(), 2u);
  EXPECT_EQ(deliveries.size(), 2u);
}

TEST(DemoFormMaker, RefusesAKioskWithoutChoices) {
  EXPECT_THROW(DemoFormMaker(1, 0, KioskChoices{{}, {"QD-SEAL-017"}}), std::invalid_argument);
  EXPECT_THROW(DemoFormMaker(1, 0, KioskChoices{{"370202"}, {}}), std::invalid_argument);
}

}  // namespace
}  // namespace kaiban::agent::demo
