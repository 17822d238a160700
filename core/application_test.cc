#include "core/application.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/messages.h"

namespace kaiban {
namespace {

constexpr CivilDate kToday{2026, 3, 10};

// Valid resident ID numbers (check characters verified with IdNumber::parse below).
constexpr const char* kZhangWeiId = "370202198503071235";   // male, 1985-03-07
constexpr const char* kLiNaId = "370203199002150024";       // female, 1990-02-15
constexpr const char* kWangQiangId = "110105197012010519";  // male, 1970-12-01
constexpr const char* kChenJingId = "370212198811110040";   // female, 1988-11-11
constexpr const char* kMinorId = "370202201006010030";      // born 2010-06-01
constexpr const char* kLeapDayId = "370202200802290032";    // born 2008-02-29
constexpr const char* kZhaoLeiId = "370281199208203557";    // male, 1992-08-20

Person person(const char* id_number, const char* name, const char* phone = "") {
  return Person{id_number, name, phone};
}

Money yuan(int64_t amount) { return Money::fromMinorUnits(amount * 100); }

// A limited liability company with two shareholders (the first is also the legal
// representative), a supervisor, a finance officer, courier delivery and two invoice types:
// every optional part is present, so every rule has something to check.
Application validCompany() {
  Application application;
  application.kiosk_id = "QD-SN-0001";
  application.bank_code = "QDBANK";
  application.enterprise.name = "青岛海蓝科技有限公司";
  application.enterprise.type = EnterpriseType::kLimitedLiabilityCompany;
  application.enterprise.registered_capital = yuan(1'000'000);
  application.enterprise.registered_address = {"370202", "香港中路8号1201室"};
  application.enterprise.business_scope = "软件开发；信息技术咨询服务";
  application.legal_representative = person(kZhangWeiId, "张伟", "13800138000");
  application.shareholders = {{person(kZhangWeiId, "张伟"), yuan(600'000)},
                              {person(kLiNaId, "李娜", "13912345678"), yuan(400'000)}};
  application.supervisor = person(kWangQiangId, "王强");
  application.finance_officer = person(kChenJingId, "陈静", "15066668888");
  application.contact_phone = "13800138000";
  application.seal = {"QD-SEAL-017", SealDelivery::kCourier, Address{"370203", "延安三路100号"}};
  application.tax = {TaxpayerType::kGeneral,
                     {{InvoiceType::kVatSpecial, 25}, {InvoiceType::kVatOrdinary, 50}}};
  return application;
}

Application validSoleProprietorship() {
  Application application = validCompany();
  application.enterprise.name = "青岛市市南区海蓝咨询服务中心";
  application.enterprise.type = EnterpriseType::kSoleProprietorship;
  application.enterprise.registered_capital = yuan(100'000);
  application.shareholders = {{person(kZhangWeiId, "张伟"), yuan(100'000)}};
  application.supervisor.reset();
  return application;
}

Application validPartnership() {
  Application application = validCompany();
  application.enterprise.name = "青岛海蓝创业投资合伙企业（有限合伙）";
  application.enterprise.type = EnterpriseType::kPartnership;
  application.supervisor.reset();
  return application;
}

std::string describe(const std::vector<Problem>& problems) {
  std::string text;
  for (const Problem& problem : problems) {
    text += "  " + problem.field + ": " + problem.message_key + "\n";
  }
  return text.empty() ? "  (none)\n" : text;
}

void expectKeyInCatalog(const std::string& key) {
  EXPECT_TRUE(hasMessage(key)) << key;
  EXPECT_NE(messageText(key, Language::kZhCn), key);
  EXPECT_NE(messageText(key, Language::kEn), key);
  EXPECT_NE(messageText(key, Language::kZhCn), messageText(key, Language::kEn)) << key;
}

// Exactly one problem, on `field`, with `key`, and the key speaks both languages.
void expectOnlyProblem(const Application& application, const std::string& field,
                       const std::string& key, CivilDate today = kToday) {
  const std::vector<Problem> problems = validateApplication(application, today);
  EXPECT_EQ(problems, (std::vector<Problem>{{field, key}})) << "got:\n" << describe(problems);
  expectKeyInCatalog(key);
}

struct RuleCase {
  const char* name;
  std::function<void(Application&)> change;
  const char* field;
  const char* key;
};

std::string repeat(std::string_view unit, size_t times) {
  std::string text;
  for (size_t i = 0; i < times; ++i) text += unit;
  return text;
}

TEST(ValidateApplicationTest, TestIdNumbersAreValid) {
  for (const char* id : {kZhangWeiId, kLiNaId, kWangQiangId, kChenJingId, kMinorId, kLeapDayId,
                         kZhaoLeiId, "11010519491231002X"}) {
    EXPECT_TRUE(IdNumber::parse(id, kToday).ok()) << id;
  }
}

TEST(ValidateApplicationTest, ValidApplicationsOfEveryLegalFormHaveNoProblems) {
  for (const Application& application :
       {validCompany(), validSoleProprietorship(), validPartnership()}) {
    const std::vector<Problem> problems = validateApplication(application, kToday);
    EXPECT_TRUE(problems.empty()) << toString(application.enterprise.type) << ":\n"
                                  << describe(problems);
  }
}

TEST(ValidateApplicationTest, OptionalPartsMayBeLeftOut) {
  Application application = validCompany();
  application.supervisor.reset();
  application.finance_officer.reset();
  application.tax = {TaxpayerType::kSmallScale, {}};
  application.seal.delivery = SealDelivery::kPickup;
  application.seal.courier_address.reset();
  application.shareholders[1].person.phone.clear();
  EXPECT_EQ(describe(validateApplication(application, kToday)), "  (none)\n");
}

TEST(ValidateApplicationTest, LowerCaseXInIdNumberIsAccepted) {
  Application application = validCompany();
  application.shareholders[1].person = person("11010519491231002x", "刘芳");
  EXPECT_EQ(describe(validateApplication(application, kToday)), "  (none)\n");
}

TEST(ValidateApplicationTest, SameIdNumberWithUpperAndLowerCaseXIsOnePerson) {
  Application application = validCompany();
  application.shareholders[1].person = person("11010519491231002x", "刘芳");
  application.supervisor = person("11010519491231002X", "刘红");
  expectOnlyProblem(application, "supervisor.name", "person.name.mismatch");
  application.supervisor->name = "刘芳";
  application.finance_officer = person("11010519491231002X", "刘芳", "13800138000");
  expectOnlyProblem(application, "supervisor.id_number", "supervisor.is_finance_officer");
}

TEST(ValidateApplicationTest, EachRuleReportsItsFieldAndKey) {
  const std::vector<RuleCase> cases = {
      {"kiosk id empty", [](Application& a) { a.kiosk_id.clear(); }, "kiosk_id",
       "kiosk_id.invalid"},
      {"kiosk id lower case", [](Application& a) { a.kiosk_id = "qd-sn-0001"; }, "kiosk_id",
       "kiosk_id.invalid"},
      {"kiosk id too long", [](Application& a) { a.kiosk_id = repeat("A", 33); }, "kiosk_id",
       "kiosk_id.invalid"},
      {"bank code empty", [](Application& a) { a.bank_code.clear(); }, "bank_code",
       "bank_code.required"},
      {"bank code with hyphen", [](Application& a) { a.bank_code = "QD-BANK"; }, "bank_code",
       "bank_code.invalid"},
      {"bank code too long", [](Application& a) { a.bank_code = repeat("B", 13); }, "bank_code",
       "bank_code.invalid"},
      {"company name empty", [](Application& a) { a.enterprise.name.clear(); }, "enterprise.name",
       "enterprise.name.required"},
      {"company name one character", [](Application& a) { a.enterprise.name = "海"; },
       "enterprise.name", "enterprise.name.length"},
      {"company name 51 characters",
       [](Application& a) { a.enterprise.name = repeat("海", 47) + "有限公司"; }, "enterprise.name",
       "enterprise.name.length"},
      {"company name not UTF-8", [](Application& a) { a.enterprise.name = "青岛\xff有限公司"; },
       "enterprise.name", "text.invalid"},
      {"company name with a tab", [](Application& a) { a.enterprise.name = "青岛\t有限公司"; },
       "enterprise.name", "text.invalid"},
      {"company name with a bidi override",
       [](Application& a) { a.enterprise.name = "青岛\u202E海蓝有限公司"; }, "enterprise.name",
       "text.invalid"},
      {"company name with leading ideographic space",
       [](Application& a) { a.enterprise.name = "\u3000青岛海蓝有限公司"; }, "enterprise.name",
       "text.whitespace"},
      {"company name without its legal form",
       [](Application& a) { a.enterprise.name = "青岛海蓝科技"; }, "enterprise.name",
       "enterprise.name.form_company"},
      {"registered capital zero", [](Application& a) { a.enterprise.registered_capital = Money(); },
       "enterprise.registered_capital", "enterprise.registered_capital.not_positive"},
      {"registered capital negative",
       [](Application& a) { a.enterprise.registered_capital = Money::fromMinorUnits(-1); },
       "enterprise.registered_capital", "enterprise.registered_capital.not_positive"},
      {"division code unknown province",
       [](Application& a) { a.enterprise.registered_address.division_code = "990202"; },
       "enterprise.registered_address.division_code", "address.division_code.invalid"},
      {"division code five digits",
       [](Application& a) { a.enterprise.registered_address.division_code = "37020"; },
       "enterprise.registered_address.division_code", "address.division_code.invalid"},
      {"address detail empty", [](Application& a) { a.enterprise.registered_address.detail = ""; },
       "enterprise.registered_address.detail", "address.detail.required"},
      {"address detail 121 characters",
       [](Application& a) { a.enterprise.registered_address.detail = repeat("路", 121); },
       "enterprise.registered_address.detail", "address.detail.length"},
      {"business scope empty", [](Application& a) { a.enterprise.business_scope.clear(); },
       "enterprise.business_scope", "enterprise.business_scope.required"},
      {"business scope 501 characters",
       [](Application& a) { a.enterprise.business_scope = repeat("售", 501); },
       "enterprise.business_scope", "enterprise.business_scope.length"},
      {"legal representative ID empty",
       [](Application& a) { a.legal_representative.id_number.clear(); },
       "legal_representative.id_number", "person.id_number.required"},
      {"legal representative ID with a wrong check character",
       [](Application& a) { a.legal_representative.id_number = "370202198503071236"; },
       "legal_representative.id_number", "person.id_number.invalid"},
      {"legal representative under 18",
       [](Application& a) { a.legal_representative = person(kMinorId, "小明", "13800138000"); },
       "legal_representative.id_number", "person.under_age"},
      {"legal representative without a phone",
       [](Application& a) { a.legal_representative.phone.clear(); }, "legal_representative.phone",
       "phone.required"},
      {"legal representative phone starting 12",
       [](Application& a) { a.legal_representative.phone = "12800138000"; },
       "legal_representative.phone", "phone.invalid"},
      {"legal representative phone of 10 digits",
       [](Application& a) { a.legal_representative.phone = "1380013800"; },
       "legal_representative.phone", "phone.invalid"},
      {"legal representative phone with a country code",
       [](Application& a) { a.legal_representative.phone = "+8613800138000"; },
       "legal_representative.phone", "phone.invalid"},
      {"shareholder name empty", [](Application& a) { a.shareholders[1].person.name.clear(); },
       "shareholders[1].person.name", "person.name.required"},
      {"shareholder name 31 characters",
       [](Application& a) { a.shareholders[1].person.name = repeat("娜", 31); },
       "shareholders[1].person.name", "person.name.length"},
      {"shareholder name with trailing space",
       [](Application& a) { a.shareholders[1].person.name = "李娜 "; },
       "shareholders[1].person.name", "text.whitespace"},
      {"shareholder ID invalid",
       [](Application& a) { a.shareholders[1].person.id_number = "37020319900215002"; },
       "shareholders[1].person.id_number", "person.id_number.invalid"},
      {"shareholder phone present but invalid",
       [](Application& a) { a.shareholders[1].person.phone = "0532-8888888"; },
       "shareholders[1].person.phone", "phone.invalid"},
      {"shareholder contribution zero",
       [](Application& a) { a.shareholders[1].contribution = Money(); },
       "shareholders[1].contribution", "shareholders.contribution.not_positive"},
      {"company without shareholders", [](Application& a) { a.shareholders.clear(); },
       "shareholders", "shareholders.required"},
      {"same shareholder twice",
       [](Application& a) { a.shareholders[1].person = a.shareholders[0].person; },
       "shareholders[1].person.id_number", "shareholders.duplicate"},
      {"contributions short of the capital",
       [](Application& a) { a.shareholders[1].contribution = yuan(399'999); },
       "enterprise.registered_capital", "shareholders.contribution_sum_mismatch"},
      {"contributions over the capital by one fen",
       [](Application& a) { a.shareholders[1].contribution = Money::fromMinorUnits(40'000'001); },
       "enterprise.registered_capital", "shareholders.contribution_sum_mismatch"},
      {"contributions overflowing int64",
       [](Application& a) {
         a.shareholders[0].contribution = Money::fromMinorUnits(INT64_MAX);
         a.shareholders[1].contribution = Money::fromMinorUnits(INT64_MAX);
       },
       "enterprise.registered_capital", "shareholders.contribution_sum_mismatch"},
      {"one name for one ID number", [](Application& a) { a.shareholders[0].person.name = "张卫"; },
       "shareholders[0].person.name", "person.name.mismatch"},
      {"supervisor under 18", [](Application& a) { a.supervisor = person(kMinorId, "小明"); },
       "supervisor.id_number", "person.under_age"},
      {"supervisor is the legal representative",
       [](Application& a) { a.supervisor = a.legal_representative; }, "supervisor.id_number",
       "supervisor.is_legal_representative"},
      {"supervisor is the finance officer",
       [](Application& a) { a.supervisor = a.finance_officer; }, "supervisor.id_number",
       "supervisor.is_finance_officer"},
      {"general taxpayer without finance officer",
       [](Application& a) { a.finance_officer.reset(); }, "finance_officer",
       "finance_officer.required"},
      {"finance officer without a phone", [](Application& a) { a.finance_officer->phone = ""; },
       "finance_officer.phone", "phone.required"},
      {"finance officer under 18",
       [](Application& a) { a.finance_officer = person(kMinorId, "小明", "13800138000"); },
       "finance_officer.id_number", "person.under_age"},
      {"contact phone empty", [](Application& a) { a.contact_phone.clear(); }, "contact_phone",
       "phone.required"},
      {"contact phone a landline", [](Application& a) { a.contact_phone = "05328888888"; },
       "contact_phone", "phone.invalid"},
      {"seal shop empty", [](Application& a) { a.seal.shop.clear(); }, "seal.shop",
       "seal.shop.required"},
      {"seal shop 65 characters", [](Application& a) { a.seal.shop = repeat("S", 65); },
       "seal.shop", "seal.shop.length"},
      {"courier delivery without an address",
       [](Application& a) { a.seal.courier_address.reset(); }, "seal.courier_address",
       "seal.courier_address.required"},
      {"courier address with a bad division",
       [](Application& a) { a.seal.courier_address->division_code = "000000"; },
       "seal.courier_address.division_code", "address.division_code.invalid"},
      {"pick-up with a courier address",
       [](Application& a) { a.seal.delivery = SealDelivery::kPickup; }, "seal.courier_address",
       "seal.courier_address.unexpected"},
      {"invoice type twice",
       [](Application& a) { a.tax.invoices[1].type = InvoiceType::kVatSpecial; },
       "tax.invoices[1].type", "tax.invoices.duplicate_type"},
      {"no invoices a month", [](Application& a) { a.tax.invoices[0].monthly_quantity = 0; },
       "tax.invoices[0].monthly_quantity", "tax.invoices.quantity.range"},
      {"1001 invoices a month", [](Application& a) { a.tax.invoices[1].monthly_quantity = 1001; },
       "tax.invoices[1].monthly_quantity", "tax.invoices.quantity.range"},
  };
  for (const RuleCase& rule : cases) {
    SCOPED_TRACE(rule.name);
    Application application = validCompany();
    rule.change(application);
    expectOnlyProblem(application, rule.field, rule.key);
  }
}

TEST(ValidateApplicationTest, LengthsCountCodePointsNotBytes) {
  Application application = validCompany();
  application.enterprise.name = repeat("海", 46) + "有限公司";  // 50 code points, 150 bytes
  application.legal_representative.name = repeat("伟", 30);
  application.shareholders[0].person.name = application.legal_representative.name;
  application.enterprise.business_scope = repeat("售", 500);
  application.enterprise.registered_address.detail = repeat("路", 120);
  application.seal.shop = repeat("店", 64);
  EXPECT_EQ(describe(validateApplication(application, kToday)), "  (none)\n");
}

TEST(ValidateApplicationTest, MinorityNamesWithMiddleDotAreAccepted) {
  Application application = validCompany();
  application.shareholders[1].person.name = "阿依古丽·买买提";
  EXPECT_EQ(describe(validateApplication(application, kToday)), "  (none)\n");
}

TEST(ValidateApplicationTest, AgeCountsFromTheBirthday) {
  Application application = validCompany();
  application.legal_representative = person(kLeapDayId, "林晓", "13800138000");
  // Born 2008-02-29: 2026 has no 29 February, so the 18th birthday is 1 March 2026.
  expectOnlyProblem(application, "legal_representative.id_number", "person.under_age",
                    CivilDate{2026, 2, 28});
  EXPECT_EQ(describe(validateApplication(application, CivilDate{2026, 3, 1})), "  (none)\n");

  application.legal_representative = person("370202200803010039", "林晓", "13800138000");
  expectOnlyProblem(application, "legal_representative.id_number", "person.under_age",
                    CivilDate{2026, 2, 28});
  EXPECT_EQ(describe(validateApplication(application, CivilDate{2026, 3, 1})), "  (none)\n");
}

TEST(ValidateApplicationTest, BirthDateAfterTodayIsInvalid) {
  Application application = validCompany();
  // Valid in 2026, but on `today` this person (born 2010) is not born yet.
  application.shareholders[1].person.id_number = kMinorId;
  expectOnlyProblem(application, "shareholders[1].person.id_number", "person.id_number.invalid",
                    CivilDate{2009, 1, 1});
}

TEST(ValidateApplicationTest, MinorsMayBeShareholders) {
  Application application = validCompany();
  application.shareholders[1].person = person(kMinorId, "小明");
  EXPECT_EQ(describe(validateApplication(application, kToday)), "  (none)\n");
}

TEST(ValidateApplicationTest, CompanyHasAtMostFiftyShareholders) {
  Application application = validCompany();
  application.shareholders.clear();
  for (int i = 0; i < 51; ++i) {
    // Distinct people born the same day in Qingdao: sequence codes 100, 101, ...
    const std::string first17 = "37020219800101" + std::to_string(100 + i);
    const std::string id = first17 + IdNumber::checkCharacterFor(first17).value();
    application.shareholders.push_back({Person{id, "股东" + std::to_string(i), ""}, yuan(1)});
  }
  application.shareholders[0].person = person(kZhangWeiId, "张伟");
  application.enterprise.registered_capital = yuan(51);
  expectOnlyProblem(application, "shareholders", "shareholders.too_many");

  application.shareholders.pop_back();
  application.enterprise.registered_capital = yuan(50);
  EXPECT_EQ(describe(validateApplication(application, kToday)), "  (none)\n");
}

TEST(ValidateApplicationTest, SoleProprietorshipRules) {
  const std::vector<RuleCase> cases = {
      {"name with 公司", [](Application& a) { a.enterprise.name = "青岛海蓝咨询服务公司"; },
       "enterprise.name", "enterprise.name.form_sole_proprietorship"},
      {"name with 有限", [](Application& a) { a.enterprise.name = "青岛海蓝有限咨询中心"; },
       "enterprise.name", "enterprise.name.form_sole_proprietorship"},
      {"two investors",
       [](Application& a) {
         a.shareholders.push_back({person(kLiNaId, "李娜"), yuan(1)});
         a.enterprise.registered_capital = yuan(100'001);
       },
       "shareholders", "shareholders.sole_proprietorship_count"},
      {"no investor", [](Application& a) { a.shareholders.clear(); }, "shareholders",
       "shareholders.sole_proprietorship_count"},
      {"person in charge is not the investor",
       [](Application& a) { a.shareholders[0].person = person(kLiNaId, "李娜"); },
       "legal_representative.id_number", "legal_representative.not_investor"},
      {"with a supervisor", [](Application& a) { a.supervisor = person(kWangQiangId, "王强"); },
       "supervisor", "supervisor.not_applicable"},
  };
  for (const RuleCase& rule : cases) {
    SCOPED_TRACE(rule.name);
    Application application = validSoleProprietorship();
    rule.change(application);
    expectOnlyProblem(application, rule.field, rule.key);
  }
}

TEST(ValidateApplicationTest, PartnershipRules) {
  const std::vector<RuleCase> cases = {
      {"name without 合伙", [](Application& a) { a.enterprise.name = "青岛海蓝创业投资中心"; },
       "enterprise.name", "enterprise.name.form_partnership"},
      {"one partner",
       [](Application& a) {
         a.shareholders.pop_back();
         a.enterprise.registered_capital = yuan(600'000);
       },
       "shareholders", "shareholders.partnership_count"},
      {"executive partner is not a partner",
       [](Application& a) { a.legal_representative = person(kZhaoLeiId, "赵磊", "13800138000"); },
       "legal_representative.id_number", "legal_representative.not_partner"},
      {"with a supervisor", [](Application& a) { a.supervisor = person(kWangQiangId, "王强"); },
       "supervisor", "supervisor.not_applicable"},
  };
  for (const RuleCase& rule : cases) {
    SCOPED_TRACE(rule.name);
    Application application = validPartnership();
    rule.change(application);
    expectOnlyProblem(application, rule.field, rule.key);
  }

  Application special = validPartnership();
  special.enterprise.name = "青岛海蓝会计师事务所（特殊普通合伙）";
  EXPECT_EQ(describe(validateApplication(special, kToday)), "  (none)\n");
}

TEST(ValidateApplicationTest, PartnerRuleWaitsForUnreadablePartnerIds) {
  Application application = validPartnership();
  application.legal_representative = person(kZhaoLeiId, "赵磊", "13800138000");
  application.shareholders[1].person.id_number = "not an id";
  expectOnlyProblem(application, "shareholders[1].person.id_number", "person.id_number.invalid");
}

TEST(ValidateApplicationTest, ReportsEveryProblemAtOnce) {
  Application application = validCompany();
  application.enterprise.name.clear();
  application.shareholders[1].person.id_number = "123";
  application.legal_representative.phone = "123";
  application.seal.courier_address.reset();
  application.tax.invoices[0].monthly_quantity = -1;
  const std::vector<Problem> expected = {
      {"enterprise.name", "enterprise.name.required"},
      {"legal_representative.phone", "phone.invalid"},
      {"shareholders[1].person.id_number", "person.id_number.invalid"},
      {"seal.courier_address", "seal.courier_address.required"},
      {"tax.invoices[0].monthly_quantity", "tax.invoices.quantity.range"},
  };
  EXPECT_EQ(validateApplication(application, kToday), expected);
}

TEST(ValidateApplicationTest, EmptyApplicationReportsEveryRequiredFieldWithCatalogKeys) {
  const std::vector<Problem> problems = validateApplication(Application{}, kToday);
  std::set<std::string> fields;
  for (const Problem& problem : problems) {
    EXPECT_TRUE(fields.insert(problem.field).second) << "twice: " << problem.field;
    expectKeyInCatalog(problem.message_key);
  }
  const std::set<std::string> expected = {
      "kiosk_id",
      "bank_code",
      "enterprise.name",
      "enterprise.registered_capital",
      "enterprise.registered_address.division_code",
      "enterprise.registered_address.detail",
      "enterprise.business_scope",
      "legal_representative.id_number",
      "legal_representative.name",
      "legal_representative.phone",
      "contact_phone",
      "seal.shop",
      "shareholders",
  };
  EXPECT_EQ(fields, expected) << describe(problems);
}

TEST(StateNamesTest, EveryNameRoundTripsAndHasCatalogTexts) {
  for (auto state : {ApplicationState::kSubmitted, ApplicationState::kInProgress,
                     ApplicationState::kCompleted, ApplicationState::kNeedsAttention,
                     ApplicationState::kRejected, ApplicationState::kCancelled}) {
    const std::string_view name = toString(state);
    EXPECT_EQ(parseApplicationState(name).value(), state);
    expectKeyInCatalog("application_state." + std::string(name));
  }
  for (auto state : {StepState::kPending, StepState::kDispatched, StepState::kAcknowledged,
                     StepState::kDone, StepState::kFailed}) {
    const std::string_view name = toString(state);
    EXPECT_EQ(parseStepState(name).value(), state);
    expectKeyInCatalog("step_state." + std::string(name));
  }
  for (auto type : {EnterpriseType::kLimitedLiabilityCompany, EnterpriseType::kSoleProprietorship,
                    EnterpriseType::kPartnership}) {
    EXPECT_EQ(parseEnterpriseType(toString(type)).value(), type);
    expectKeyInCatalog("enterprise_type." + std::string(toString(type)));
  }
  for (auto type : {TaxpayerType::kSmallScale, TaxpayerType::kGeneral}) {
    EXPECT_EQ(parseTaxpayerType(toString(type)).value(), type);
    expectKeyInCatalog("taxpayer_type." + std::string(toString(type)));
  }
  for (auto type : {InvoiceType::kVatSpecial, InvoiceType::kVatOrdinary}) {
    EXPECT_EQ(parseInvoiceType(toString(type)).value(), type);
    expectKeyInCatalog("invoice_type." + std::string(toString(type)));
  }
  for (auto delivery : {SealDelivery::kPickup, SealDelivery::kCourier}) {
    EXPECT_EQ(parseSealDelivery(toString(delivery)).value(), delivery);
    expectKeyInCatalog("seal_delivery." + std::string(toString(delivery)));
  }
  for (std::string_view step : kDefaultStepIds) expectKeyInCatalog("step." + std::string(step));
}

TEST(StateNamesTest, NamesAreTheDocumentedOnes) {
  EXPECT_EQ(toString(ApplicationState::kNeedsAttention), "needs_attention");
  EXPECT_EQ(toString(ApplicationState::kInProgress), "in_progress");
  EXPECT_EQ(toString(StepState::kAcknowledged), "acknowledged");
  EXPECT_EQ(toString(EnterpriseType::kLimitedLiabilityCompany), "limited_liability_company");
  EXPECT_EQ(kDefaultStepIds,
            (std::array<std::string_view, 5>{"registration", "seal", "tax_registration",
                                             "bank_account", "tax_bank_agreement"}));
}

TEST(StateNamesTest, UnknownNamesAreRejected) {
  EXPECT_EQ(parseApplicationState("Completed").error().code, ErrorCode::kInvalidInput);
  EXPECT_FALSE(parseStepState("").ok());
  EXPECT_FALSE(parseEnterpriseType("llc").ok());
  EXPECT_FALSE(parseSealDelivery("post").ok());
  EXPECT_FALSE(parseTaxpayerType("small-scale").ok());
  EXPECT_FALSE(parseInvoiceType("vat_special ").ok());
  EXPECT_NE(parseStepState("x").error().message.find("acknowledged"), std::string::npos)
      << "the message lists the accepted names";
}

TEST(Utf8LengthTest, CountsCodePointsAndRejectsMalformedInput) {
  EXPECT_EQ(utf8Length(""), 0u);
  EXPECT_EQ(utf8Length("abc"), 3u);
  EXPECT_EQ(utf8Length("张三"), 2u);
  EXPECT_EQ(utf8Length("\xF0\x9F\x98\x80"), 1u);            // U+1F600
  EXPECT_EQ(utf8Length("\xF4\x8F\xBF\xBF"), 1u);            // U+10FFFF
  EXPECT_EQ(utf8Length("\xC0\xAF"), std::nullopt);          // overlong '/'
  EXPECT_EQ(utf8Length("\xE0\x80\xAF"), std::nullopt);      // overlong '/'
  EXPECT_EQ(utf8Length("\xED\xA0\x80"), std::nullopt);      // surrogate U+D800
  EXPECT_EQ(utf8Length("\xF4\x90\x80\x80"), std::nullopt);  // above U+10FFFF
  EXPECT_EQ(utf8Length("\xE5\xBC"), std::nullopt);          // truncated 张
  EXPECT_EQ(utf8Length("\x80"), std::nullopt);              // lone continuation byte
  EXPECT_EQ(utf8Length("\xE5\x41\xA0"), std::nullopt);      // ASCII inside a sequence
}

TEST(MessagesTest, UnknownKeyIsReturnedAsItself) {
  EXPECT_EQ(messageText("no.such.key", Language::kZhCn), "no.such.key");
  EXPECT_EQ(messageText("no.such.key", Language::kEn), "no.such.key");
  EXPECT_FALSE(hasMessage("no.such.key"));
}

TEST(MessagesTest, ExampleTexts) {
  EXPECT_EQ(messageText("enterprise.name.required", Language::kZhCn), "请填写企业名称");
  EXPECT_EQ(messageText("enterprise.name.required", Language::kEn), "Enter the company name");
  EXPECT_EQ(messageText("step.seal", Language::kZhCn), "公章刻制");
}

TEST(MessagesTest, CatalogKeysAreUniqueWellFormedAndTranslated) {
  std::set<std::string_view> seen;
  for (std::string_view key : messageKeys()) {
    EXPECT_TRUE(seen.insert(key).second) << "duplicate key " << key;
    for (char c : key) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.') << key;
    }
    const std::string_view zh = messageText(key, Language::kZhCn);
    const std::string_view en = messageText(key, Language::kEn);
    EXPECT_FALSE(zh.empty()) << key;
    EXPECT_FALSE(en.empty()) << key;
    // Every Chinese text has Chinese in it (an English text pasted twice would not).
    EXPECT_TRUE(std::any_of(zh.begin(), zh.end(), [](char c) { return (c & 0x80) != 0; })) << key;
    EXPECT_TRUE(utf8Length(zh).has_value()) << key;
  }
  EXPECT_GT(seen.size(), 60u);
}

TEST(MessagesTest, LanguageTags) {
  EXPECT_EQ(languageTag(Language::kZhCn), "zh-CN");
  EXPECT_EQ(languageTag(Language::kEn), "en");
  EXPECT_EQ(parseLanguage("zh-CN").value(), Language::kZhCn);
  EXPECT_EQ(parseLanguage("ZH-hans").value(), Language::kZhCn);
  EXPECT_EQ(parseLanguage("en-GB").value(), Language::kEn);
  EXPECT_EQ(parseLanguage("fr").error().field, "language");
  EXPECT_FALSE(parseLanguage("english").ok());
}

}  // namespace
}  // namespace kaiban
