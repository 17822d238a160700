#include "core/application_json.h"

#include <sstream>
#include <string>
#include <vector>

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "core/messages.h"
#include "core/timestamp.h"

namespace kaiban {
namespace {

constexpr CivilDate kToday{2026, 3, 10};

// What a kiosk sends, written by hand: the wire format as documented in application_json.h,
// with grouped and 万 amounts as a person might type them.
constexpr const char* kValidBody = R"json({
  "kiosk_id": "QD-SN-0001",
  "bank_code": "QDBANK",
  "green_channel": true,
  "enterprise": {
    "name": "青岛海蓝科技有限公司",
    "type": "limited_liability_company",
    "registered_capital": "100万",
    "registered_address": {"division_code": "370202", "detail": "香港中路8号1201室"},
    "business_scope": "软件开发；信息技术咨询服务"
  },
  "legal_representative": {"id_number": "370202198503071235", "name": "张伟",
                           "phone": "13800138000"},
  "shareholders": [
    {"person": {"id_number": "370202198503071235", "name": "张伟"},
     "contribution": "600,000.00"},
    {"person": {"id_number": "11010519491231002x", "name": "刘芳", "phone": null},
     "contribution": "400000"}
  ],
  "supervisor": {"id_number": "110105197012010519", "name": "王强"},
  "finance_officer": {"id_number": "370212198811110040", "name": "陈静", "phone": "15066668888"},
  "contact_phone": "13800138000",
  "seal": {"shop": "QD-SEAL-017", "delivery": "courier",
           "courier_address": {"division_code": "370203", "detail": "延安三路100号"}},
  "tax": {"taxpayer_type": "general",
          "invoices": [{"type": "vat_special", "monthly_quantity": 25},
                       {"type": "vat_ordinary", "monthly_quantity": 50}]}
})json";

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string stringify(const Poco::JSON::Object::Ptr& json) {
  std::ostringstream out;
  json->stringify(out);
  return out.str();
}

Poco::JSON::Object::Ptr validBody() { return parseObject(kValidBody); }

Poco::JSON::Object::Ptr child(const Poco::JSON::Object::Ptr& json, const std::string& key) {
  return json->getObject(key);
}

Poco::JSON::Object::Ptr shareholder(const Poco::JSON::Object::Ptr& json, size_t index) {
  return json->getArray("shareholders")->getObject(static_cast<unsigned>(index));
}

// applicationFromJson fails with kInvalidInput on `field`, and the message contains `words`.
void expectRejected(const Poco::JSON::Object::Ptr& json, const std::string& field,
                    const std::string& words) {
  const Result<Application> result = applicationFromJson(*json);
  ASSERT_FALSE(result.ok()) << "accepted: " << stringify(json);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(result.error().field, field) << result.error();
  EXPECT_NE(result.error().message.find(words), std::string::npos) << result.error();
}

TEST(ApplicationJsonTest, ParsesTheDocumentedBody) {
  const Result<Application> parsed = applicationFromJsonText(kValidBody);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const Application& application = *parsed;
  EXPECT_EQ(application.kiosk_id, "QD-SN-0001");
  EXPECT_TRUE(application.green_channel);
  EXPECT_EQ(application.enterprise.registered_capital, Money::fromMinorUnits(100'000'000));
  EXPECT_EQ(application.enterprise.registered_address.division_code, "370202");
  ASSERT_EQ(application.shareholders.size(), 2u);
  EXPECT_EQ(application.shareholders[0].contribution, Money::fromMinorUnits(60'000'000));
  EXPECT_EQ(application.shareholders[1].person.phone, "");
  ASSERT_TRUE(application.supervisor.has_value());
  EXPECT_EQ(application.supervisor->name, "王强");
  EXPECT_EQ(application.seal.delivery, SealDelivery::kCourier);
  ASSERT_TRUE(application.seal.courier_address.has_value());
  EXPECT_EQ(application.seal.courier_address->detail, "延安三路100号");
  EXPECT_EQ(application.tax.taxpayer_type, TaxpayerType::kGeneral);
  EXPECT_EQ(application.tax.invoices, (std::vector<InvoiceNeed>{{InvoiceType::kVatSpecial, 25},
                                                                {InvoiceType::kVatOrdinary, 50}}));
  const std::vector<Problem> problems = validateApplication(application, kToday);
  EXPECT_TRUE(problems.empty()) << problems.front().field << " " << problems.front().message_key;
}

TEST(ApplicationJsonTest, RoundTripsThroughText) {
  const Application original = applicationFromJsonText(kValidBody).value();
  const std::string text = stringify(toJson(original));
  const Result<Application> again = applicationFromJsonText(text);
  ASSERT_TRUE(again.ok()) << again.error() << "\n" << text;
  EXPECT_EQ(*again, original);
}

TEST(ApplicationJsonTest, RoundTripsWithoutOptionalParts) {
  Application original = applicationFromJsonText(kValidBody).value();
  original.supervisor.reset();
  original.finance_officer.reset();
  original.seal.delivery = SealDelivery::kPickup;
  original.seal.courier_address.reset();
  original.tax.invoices.clear();
  original.shareholders.clear();
  original.green_channel = false;
  const Poco::JSON::Object::Ptr json = toJson(original);
  EXPECT_FALSE(json->has("supervisor"));
  EXPECT_FALSE(json->has("finance_officer"));
  EXPECT_FALSE(child(json, "seal")->has("courier_address"));
  const Result<Application> again = applicationFromJson(*json);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(*again, original);
}

// A face check as a kiosk reports it, on top of the documented body.
Poco::JSON::Object::Ptr bodyWithFaceCheck() {
  Poco::JSON::Object::Ptr json = validBody();
  json->set("identity_verification",
            parseObject(R"json({"method": "face", "match_score": 0.93, "liveness_passed": true,
                                "reference": "fc-000001",
                                "verified_at": "2026-03-10T09:41:07+08:00"})json"));
  return json;
}

TEST(ApplicationJsonTest, ReadsAFaceCheck) {
  const Result<Application> parsed = applicationFromJson(*bodyWithFaceCheck());
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  ASSERT_TRUE(parsed->identity_verification.has_value());
  const IdentityVerification& verification = *parsed->identity_verification;
  EXPECT_EQ(verification.method, VerificationMethod::kFace);
  EXPECT_DOUBLE_EQ(verification.match_score, 0.93);
  EXPECT_TRUE(verification.liveness_passed);
  EXPECT_EQ(verification.reference, "fc-000001");
  EXPECT_EQ(verification.staff_verifier, "");
  EXPECT_EQ(formatIso8601(verification.verified_at), "2026-03-10T09:41:07+08:00");
}

TEST(ApplicationJsonTest, IdentityVerificationRoundTripsForBothMethods) {
  Application face = applicationFromJson(*bodyWithFaceCheck()).value();
  Application staff = face;
  staff.identity_verification = IdentityVerification{
      VerificationMethod::kStaff, 0, false, "sv-7f3a", "E10482", shanghaiTime(2026, 3, 10, 9, 45)};
  Application anonymous_staff = staff;
  anonymous_staff.identity_verification->staff_verifier.clear();
  for (const Application& original : {face, staff, anonymous_staff}) {
    const std::string text = stringify(toJson(original));
    SCOPED_TRACE(text);
    const Result<Application> again = applicationFromJsonText(text);
    ASSERT_TRUE(again.ok()) << again.error();
    EXPECT_EQ(*again, original);
  }
  const Poco::JSON::Object::Ptr staff_json = toJson(staff)->getObject("identity_verification");
  EXPECT_FALSE(staff_json->has("match_score"));
  EXPECT_FALSE(staff_json->has("liveness_passed"));
  EXPECT_EQ(staff_json->getValue<std::string>("verified_at"), "2026-03-10T09:45:00+08:00");
  EXPECT_FALSE(toJson(anonymous_staff)->getObject("identity_verification")->has("staff_verifier"));
}

TEST(ApplicationJsonTest, IdentityVerificationIsOptionalForOlderKiosks) {
  const Application without = applicationFromJsonText(kValidBody).value();
  EXPECT_FALSE(without.identity_verification.has_value());
  EXPECT_FALSE(toJson(without)->has("identity_verification"));
  Poco::JSON::Object::Ptr json = validBody();
  json->set("identity_verification", Poco::Dynamic::Var());
  const Result<Application> with_null = applicationFromJson(*json);
  ASSERT_TRUE(with_null.ok()) << with_null.error();
  EXPECT_FALSE(with_null->identity_verification.has_value());
}

TEST(ApplicationJsonTest, BadIdentityVerificationIsRejectedWithThePath) {
  const auto identity = [](const Poco::JSON::Object::Ptr& json) {
    return json->getObject("identity_verification");
  };
  struct Case {
    std::string key;
    Poco::Dynamic::Var value;  // empty: remove the key
    std::string field;
    std::string words;
  };
  const std::string long_reference(IdentityVerification::kMaxReferenceLength + 1, 'f');
  const std::vector<Case> cases = {
      {"method", std::string("iris"), "identity_verification.method", "face, staff"},
      {"match_score", 1.5, "identity_verification.match_score", "[0, 1]"},
      {"match_score", -0.01, "identity_verification.match_score", "[0, 1]"},
      {"match_score", std::string("0.9"), "identity_verification.match_score", "a number"},
      {"match_score", true, "identity_verification.match_score", "a number"},
      {"match_score", {}, "identity_verification.match_score", "missing"},
      {"liveness_passed", std::string("yes"), "identity_verification.liveness_passed",
       "true or false"},
      {"liveness_passed", {}, "identity_verification.liveness_passed", "missing"},
      {"reference", std::string(""), "identity_verification.reference", "empty"},
      {"reference", long_reference, "identity_verification.reference", "longer than 64"},
      {"reference", {}, "identity_verification.reference", "missing"},
      {"staff_verifier", std::string("E10482"), "identity_verification.staff_verifier",
       "face check"},
      {"verified_at", std::string("2026-03-10 09:41"), "identity_verification.verified_at",
       "2026-03-10 09:41"},
      {"verified_at", std::string("2026-03-10T09:41:07"), "identity_verification.verified_at",
       "offset"},
      {"face_image", std::string("/9j/4AAQ"), "identity_verification.face_image", "unknown field"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key + " " + c.words);
    Poco::JSON::Object::Ptr json = bodyWithFaceCheck();
    if (c.value.isEmpty()) {
      identity(json)->remove(c.key);
    } else {
      identity(json)->set(c.key, c.value);
    }
    expectRejected(json, c.field, c.words);
  }

  Poco::JSON::Object::Ptr json = bodyWithFaceCheck();
  json->set("identity_verification", std::string("face"));
  expectRejected(json, "identity_verification", "an object");

  // A staff check carries no face data, and its employee id is short like a reference.
  for (const char* key : {"match_score", "liveness_passed"}) {
    SCOPED_TRACE(key);
    json = bodyWithFaceCheck();
    identity(json)->set("method", std::string("staff"));
    identity(json)->remove(key == std::string("match_score") ? "liveness_passed" : "match_score");
    expectRejected(json, std::string("identity_verification.") + key, "staff check");
  }
  json = bodyWithFaceCheck();
  identity(json)->set("method", std::string("staff"));
  identity(json)->remove("match_score");
  identity(json)->remove("liveness_passed");
  identity(json)->set("staff_verifier", long_reference);
  expectRejected(json, "identity_verification.staff_verifier", "longer than 64");
  identity(json)->set("staff_verifier", std::string("E10482"));
  EXPECT_TRUE(applicationFromJson(*json).ok());
}

TEST(ApplicationJsonTest, WritesPlainAmountsAndNames) {
  Application application = applicationFromJsonText(kValidBody).value();
  application.shareholders[1].contribution = Money::fromMinorUnits(5);
  const Poco::JSON::Object::Ptr json = toJson(application);
  EXPECT_EQ(child(json, "enterprise")->getValue<std::string>("registered_capital"), "1000000.00");
  EXPECT_EQ(child(json, "enterprise")->getValue<std::string>("type"), "limited_liability_company");
  EXPECT_EQ(shareholder(json, 0)->getValue<std::string>("contribution"), "600000.00");
  EXPECT_EQ(shareholder(json, 1)->getValue<std::string>("contribution"), "0.05");
  EXPECT_EQ(child(json, "seal")->getValue<std::string>("delivery"), "courier");
  // The ID number as given: normalising it is not the JSON layer's business.
  EXPECT_EQ(shareholder(json, 1)->getObject("person")->getValue<std::string>("id_number"),
            "11010519491231002x");

  application.enterprise.registered_capital = Money::fromMinorUnits(-12'345);
  EXPECT_EQ(child(toJson(application), "enterprise")->getValue<std::string>("registered_capital"),
            "-123.45");
  application.enterprise.registered_capital = Money::fromMinorUnits(INT64_MIN);
  EXPECT_EQ(child(toJson(application), "enterprise")->getValue<std::string>("registered_capital"),
            "-92233720368547758.08");
}

TEST(ApplicationJsonTest, KeysKeepTheDocumentedOrder) {
  const std::string text = stringify(toJson(applicationFromJsonText(kValidBody).value()));
  EXPECT_LT(text.find("\"kiosk_id\""), text.find("\"bank_code\""));
  EXPECT_LT(text.find("\"enterprise\""), text.find("\"legal_representative\""));
  EXPECT_LT(text.find("\"shareholders\""), text.find("\"tax\""));
  EXPECT_NE(text.find("青岛海蓝科技有限公司"), std::string::npos) << "Chinese is not escaped";
}

TEST(ApplicationJsonTest, UnknownFieldsAreRejectedWithTheirPath) {
  Poco::JSON::Object::Ptr json = validBody();
  json->set("applicant_age", 30);
  expectRejected(json, "applicant_age", "unknown field");

  json = validBody();
  child(child(json, "enterprise"), "registered_address")->set("zip", "266000");
  expectRejected(json, "enterprise.registered_address.zip", "unknown field");

  json = validBody();
  shareholder(json, 1)->getObject("person")->set("nationality", "CN");
  expectRejected(json, "shareholders[1].person.nationality", "unknown field");

  json = validBody();
  child(json, "tax")->getArray("invoices")->getObject(0)->set("max_amount", "10000.00");
  expectRejected(json, "tax.invoices[0].max_amount", "unknown field");
}

TEST(ApplicationJsonTest, WrongTypesAreRejectedWithTheirPath) {
  Poco::JSON::Object::Ptr json = validBody();
  child(json, "enterprise")->set("registered_capital", 1000000);
  expectRejected(json, "enterprise.registered_capital", "expected an amount in yuan");

  json = validBody();
  json->set("green_channel", "yes");
  expectRejected(json, "green_channel", "expected true or false, got a string");

  json = validBody();
  json->set("kiosk_id", 17);
  expectRejected(json, "kiosk_id", "expected a string, got a number");

  json = validBody();
  child(json, "enterprise")->set("name", Poco::Dynamic::Var());
  expectRejected(json, "enterprise.name", "expected a string, got null");

  json = validBody();
  json->set("shareholders", child(json, "supervisor"));
  expectRejected(json, "shareholders", "expected an array, got an object");

  json = validBody();
  json->getArray("shareholders")->set(1, "李娜");
  expectRejected(json, "shareholders[1]", "expected an object, got a string");

  json = validBody();
  json->set("seal", "pickup");
  expectRejected(json, "seal", "expected an object, got a string");

  json = validBody();
  json->set("supervisor", Poco::JSON::Array::Ptr(new Poco::JSON::Array()));
  expectRejected(json, "supervisor", "expected an object, got an array");
}

TEST(ApplicationJsonTest, MonthlyQuantityMustBeAWholeNumber) {
  for (const char* value : {R"("25")", "25.5", "true", "99999999999"}) {
    SCOPED_TRACE(value);
    std::string text = kValidBody;
    const std::string original = R"("monthly_quantity": 25)";
    text.replace(text.find(original), original.size(),
                 std::string("\"monthly_quantity\": ") + value);
    const Result<Application> result = applicationFromJsonText(text);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().field, "tax.invoices[0].monthly_quantity");
  }
}

TEST(ApplicationJsonTest, MalformedMoneyIsRejectedWithThePath) {
  for (const char* amount : {"1,00,000", "abc", "-5", "1.234", "", "100 万元"}) {
    SCOPED_TRACE(amount);
    Poco::JSON::Object::Ptr json = validBody();
    shareholder(json, 0)->set("contribution", std::string(amount));
    expectRejected(json, "shareholders[0].contribution", "not an amount in yuan");
  }
}

TEST(ApplicationJsonTest, AcceptedMoneyForms) {
  for (const auto& [text, fen] :
       std::vector<std::pair<std::string, int64_t>>{{"1,000,000.00", 100'000'000},
                                                    {"100万", 100'000'000},
                                                    {"¥1000000", 100'000'000},
                                                    {"1000000.5", 100'000'050}}) {
    SCOPED_TRACE(text);
    Poco::JSON::Object::Ptr json = validBody();
    child(json, "enterprise")->set("registered_capital", text);
    const Result<Application> result = applicationFromJson(*json);
    ASSERT_TRUE(result.ok()) << result.error();
    EXPECT_EQ(result->enterprise.registered_capital.minorUnits(), fen);
  }
}

TEST(ApplicationJsonTest, MissingRequiredFieldsAreReported) {
  const std::vector<std::pair<std::string, std::string>> required = {
      {"", "kiosk_id"},
      {"", "bank_code"},
      {"", "enterprise"},
      {"", "legal_representative"},
      {"", "shareholders"},
      {"", "contact_phone"},
      {"", "seal"},
      {"", "tax"},
      {"enterprise", "name"},
      {"enterprise", "registered_capital"},
      {"enterprise", "type"},
      {"enterprise", "business_scope"},
      {"seal", "delivery"},
      {"tax", "taxpayer_type"},
      {"supervisor", "id_number"}};
  for (const auto& [parent, key] : required) {
    SCOPED_TRACE(parent + "." + key);
    Poco::JSON::Object::Ptr json = validBody();
    (parent.empty() ? json : child(json, parent))->remove(key);
    expectRejected(json, parent.empty() ? key : parent + "." + key, "missing required field");
  }
}

TEST(ApplicationJsonTest, OptionalFieldsMayBeAbsentOrNull) {
  for (const char* key : {"green_channel", "supervisor", "finance_officer"}) {
    SCOPED_TRACE(key);
    Poco::JSON::Object::Ptr json = validBody();
    json->remove(key);
    EXPECT_TRUE(applicationFromJson(*json).ok());
    json->set(key, Poco::Dynamic::Var());
    const Result<Application> result = applicationFromJson(*json);
    ASSERT_TRUE(result.ok()) << result.error();
    if (std::string_view(key) == "green_channel") {
      EXPECT_FALSE(result->green_channel);
    }
  }
  Poco::JSON::Object::Ptr json = validBody();
  child(json, "tax")->remove("invoices");
  child(json, "seal")->set("courier_address", Poco::Dynamic::Var());
  const Result<Application> result = applicationFromJson(*json);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result->tax.invoices.empty());
  EXPECT_FALSE(result->seal.courier_address.has_value());
}

TEST(ApplicationJsonTest, UnknownEnumValuesAreRejectedWithThePath) {
  Poco::JSON::Object::Ptr json = validBody();
  child(json, "enterprise")->set("type", "llc");
  expectRejected(json, "enterprise.type", "limited_liability_company");

  json = validBody();
  child(json, "seal")->set("delivery", "Courier");
  expectRejected(json, "seal.delivery", "not a known seal delivery method");

  json = validBody();
  child(json, "tax")->getArray("invoices")->getObject(1)->set("type", "digital");
  expectRejected(json, "tax.invoices[1].type", "not a known invoice type");
}

TEST(ApplicationJsonTest, TextThatIsNotAnObjectIsRejected) {
  for (const char* text : {"", "{", "[]", "\"application\"", "null", "{\"kiosk_id\": }"}) {
    SCOPED_TRACE(text);
    const Result<Application> result = applicationFromJsonText(text);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(result.error().field, "");
  }
}

TEST(ApplicationJsonTest, DeepNestingIsRefusedByTheParser) {
  const std::string deep = "{\"kiosk_id\": " + std::string(200, '[') + std::string(200, ']') + "}";
  const Result<Application> result = applicationFromJsonText(deep);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "") << "refused while parsing, not while reading kiosk_id";
}

TEST(ApplicationJsonTest, ProblemsCarryKeysAndBothLanguages) {
  const std::vector<Problem> problems = {
      {"enterprise.name", "enterprise.name.required"},
      {"shareholders[1].person.id_number", "person.id_number.invalid"}};
  const Poco::JSON::Array::Ptr json = problemsJson(problems);
  ASSERT_EQ(json->size(), 2u);
  const Poco::JSON::Object::Ptr first = json->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("field"), "enterprise.name");
  EXPECT_EQ(first->getValue<std::string>("key"), "enterprise.name.required");
  EXPECT_EQ(first->getValue<std::string>("zh"), "请填写企业名称");
  EXPECT_EQ(first->getValue<std::string>("en"), "Enter the company name");
  const Poco::JSON::Object::Ptr second = json->getObject(1);
  EXPECT_EQ(second->getValue<std::string>("field"), "shareholders[1].person.id_number");
  EXPECT_EQ(second->getValue<std::string>("zh"),
            messageText("person.id_number.invalid", Language::kZhCn));
  EXPECT_EQ(second->getValue<std::string>("en"),
            messageText("person.id_number.invalid", Language::kEn));
  EXPECT_EQ(problemsJson({})->size(), 0u);
}

}  // namespace
}  // namespace kaiban
