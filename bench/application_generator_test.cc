#include "bench/application_generator.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "core/application_json.h"
#include "core/id_number.h"

namespace kaiban::bench {
namespace {

constexpr CivilDate kToday{2026, 3, 2};

TEST(ApplicationGeneratorTest, EveryApplicationPassesValidationAndSurvivesJson) {
  ApplicationGenerator generator(42, 0);
  for (int i = 0; i < 3000; ++i) {
    const Application application = generator.make(i, "BENCH-0001", "BOCQD");
    const std::vector<Problem> problems = validateApplication(application, kToday);
    ASSERT_TRUE(problems.empty()) << "application " << i << " (" << application.enterprise.name
                                  << "): " << problems.front().field << " "
                                  << problems.front().message_key;
    Result<Application> back = applicationFromJson(*toJson(application));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, application);
  }
}

TEST(ApplicationGeneratorTest, NamesAreUniqueAndAvoidWhatTheRegistrySimulatorRefuses) {
  ApplicationGenerator generator(7, 3);
  std::set<std::string> names;
  const std::string refused[] = {"中国",
                                 "中华",
                                 "全国",
                                 "国家",
                                 "国际",
                                 "中央",
                                 "赌博",
                                 "色情",
                                 "青岛啤酒股份有限公司",
                                 "海尔集团公司",
                                 "海信集团有限公司",
                                 "青岛海蓝科技发展有限公司"};
  for (int i = 0; i < 5000; ++i) {
    // Spread over the whole sequence space, not only its start.
    const std::int64_t sequence = static_cast<std::int64_t>(i) * 511;
    const std::string name = generator.make(sequence, "BENCH-0002", "ICBCQD").enterprise.name;
    EXPECT_TRUE(names.insert(name).second) << name << " repeats";
    for (const std::string& word : refused) {
      EXPECT_EQ(name.find(word), std::string::npos) << name << " holds " << word;
    }
  }
}

TEST(ApplicationGeneratorTest, CoversTheLegalFormsAndOptionsAndCarriesTheKiosk) {
  ApplicationGenerator generator(1, 0);
  std::set<EnterpriseType> types;
  int green = 0;
  int courier = 0;
  int general = 0;
  std::set<std::string> districts;
  for (int i = 0; i < 1000; ++i) {
    const Application application = generator.make(i, "BENCH-0003", "ICBCQD");
    EXPECT_EQ(application.kiosk_id, "BENCH-0003");
    EXPECT_EQ(application.bank_code, "ICBCQD");
    types.insert(application.enterprise.type);
    green += application.green_channel ? 1 : 0;
    courier += application.seal.delivery == SealDelivery::kCourier ? 1 : 0;
    general += application.tax.taxpayer_type == TaxpayerType::kGeneral ? 1 : 0;
    districts.insert(application.enterprise.registered_address.division_code);
    EXPECT_FALSE(application.contact_phone.ends_with("0000"));
  }
  EXPECT_EQ(types.size(), 3u);
  EXPECT_GT(green, 30);
  EXPECT_GT(courier, 200);
  EXPECT_GT(general, 100);
  EXPECT_EQ(districts.size(), std::size(kQingdaoDistricts));
}

TEST(ApplicationGeneratorTest, IdNumbersHaveTheirCheckCharacterAndSex) {
  ApplicationGenerator generator(9, 0);
  for (int i = 0; i < 500; ++i) {
    const bool male = i % 2 == 0;
    const std::string text = generator.idNumber("370212", male);
    Result<IdNumber> parsed = IdNumber::parse(text, kToday);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
    EXPECT_EQ(parsed->sex(), male ? Sex::kMale : Sex::kFemale) << text;
    EXPECT_EQ(parsed->divisionCode(), "370212");
  }
}

TEST(ApplicationGeneratorTest, TheSameSeedGivesTheSameApplications) {
  ApplicationGenerator first(5, 1);
  ApplicationGenerator second(5, 1);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(first.make(i, "BENCH-0001", "BOCQD"), second.make(i, "BENCH-0001", "BOCQD"));
  }
}

}  // namespace
}  // namespace kaiban::bench
