// Unit tests of the kiosk screen's server side: sessions, the form, routing.

#include <gtest/gtest.h>

#include "core/application_json.h"
#include "core/timestamp.h"
#include "terminal-agent/link/json_text.h"
#include "terminal-agent/ui/kiosk_form.h"
#include "terminal-agent/ui/kiosk_session.h"
#include "terminal-agent/ui/local_api.h"
#include "terminal-agent/ui/local_http.h"

namespace kaiban::agent {
namespace {

TEST(KioskSessionsTest, ASessionEndsAfterTheIdleTimeoutAndTakesTheCardWithIt) {
  ManualClock clock(shanghaiTime(2026, 3, 10, 10, 0));
  KioskSessions sessions(clock, std::chrono::seconds(120));
  KioskSession session = sessions.start(true, true);
  ASSERT_TRUE(sessions
                  .update(session.token,
                          [](KioskSession& s) {
                            s.card = IdCardData{};
                            s.card->name = "王海蓝";
                          })
                  .ok());
  clock.advance(std::chrono::seconds(119));
  ASSERT_TRUE(sessions.get(session.token).ok()) << "activity restarts the timer";
  clock.advance(std::chrono::seconds(119));
  EXPECT_TRUE(sessions.active());
  clock.advance(std::chrono::seconds(1));
  EXPECT_TRUE(sessions.expireIfIdle());
  EXPECT_FALSE(sessions.active());
  Result<KioskSession> gone = sessions.get(session.token);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
}

TEST(KioskSessionsTest, ANewSessionReplacesTheOldOneAndTokensAreNotGuessable) {
  ManualClock clock(shanghaiTime(2026, 3, 10, 10, 0));
  KioskSessions sessions(clock, std::chrono::seconds(120));
  KioskSession first = sessions.start(true, false);
  KioskSession second = sessions.start(true, true);
  EXPECT_NE(first.token, second.token);
  EXPECT_NE(first.idempotency_key, second.idempotency_key);
  EXPECT_GE(second.token.size(), 32u);
  EXPECT_FALSE(sessions.get(first.token).ok());
  EXPECT_FALSE(sessions.get("").ok());
  EXPECT_TRUE(sessions.get(second.token)->consent_face);
  sessions.end(second.token);
  EXPECT_FALSE(sessions.active());
}

FormContext context() {
  FormContext ctx;
  ctx.kiosk_id = "QD-SN-0001";
  ctx.bank_code = "BOCQD";
  ctx.applicant.name = "王海蓝";
  ctx.applicant.id_number = "370202198805123010";
  return ctx;
}

Poco::JSON::Object::Ptr parse(const std::string& text) {
  return json::parseObject(text, "test").value();
}

const char* kForm = R"({
  "enterprise": {"name": "青岛海蓝科技有限公司", "type": "limited_liability_company",
                 "registered_capital": "100万",
                 "registered_address": {"division_code": "370202", "detail": "香港中路8号"},
                 "business_scope": "软件开发"},
  "legal_representative": {"phone": "13800138000"},
  "shareholders": [{"self": true, "contribution": "60万"},
                   {"person": {"id_number": "370203199208174523", "name": "李晓雯"},
                    "contribution": "40万"}],
  "supervisor": null,
  "finance_officer": {"self": true},
  "contact_phone": "13800138000",
  "seal": {"shop": "QD-SEAL-017", "delivery": "pickup"},
  "tax": {"taxpayer_type": "small_scale", "invoices": []}})";

TEST(KioskFormTest, SelfStandsForTheCardHolder) {
  Result<Application> application = applicationFromKioskForm(*parse(kForm), context());
  ASSERT_TRUE(application.ok()) << application.error();
  EXPECT_EQ(application->kiosk_id, "QD-SN-0001");
  EXPECT_EQ(application->bank_code, "BOCQD");
  EXPECT_EQ(application->legal_representative,
            (Person{"370202198805123010", "王海蓝", "13800138000"}));
  ASSERT_EQ(application->shareholders.size(), 2u);
  EXPECT_EQ(application->shareholders[0].person.id_number, "370202198805123010");
  EXPECT_EQ(application->shareholders[0].contribution, Money::parseYuan("60万").value());
  ASSERT_TRUE(application->finance_officer.has_value());
  EXPECT_EQ(application->finance_officer->phone, "13800138000");
  EXPECT_FALSE(application->supervisor.has_value());
  EXPECT_TRUE(validateApplication(*application, CivilDate{2026, 3, 10}).empty());
}

TEST(KioskFormTest, TheScreenCannotSubstituteTheApplicant) {
  Poco::JSON::Object::Ptr form = parse(kForm);
  form->getObject("legal_representative")->set("id_number", "11010519750203007X");
  Result<Application> refused = applicationFromKioskForm(*form, context());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "legal_representative.id_number");

  Poco::JSON::Object::Ptr other = parse(kForm);
  other->set("kiosk_id", "QD-SN-0002");
  EXPECT_EQ(applicationFromKioskForm(*other, context()).error().field, "kiosk_id");

  // Nor claim a verification: the agent adds the record of the check it ran itself.
  Poco::JSON::Object::Ptr claimed = parse(kForm);
  claimed->set("identity_verification", parse(R"({"method": "staff", "reference": "sv-FAKE",
                         "verified_at": "2026-03-10T09:00:00+08:00"})"));
  EXPECT_EQ(applicationFromKioskForm(*claimed, context()).error().field, "identity_verification");
  Result<Application> plain = applicationFromKioskForm(*parse(kForm), context());
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_FALSE(plain->identity_verification.has_value());
}

TEST(KioskFormTest, ParseErrorsKeepTheirFieldPath) {
  Poco::JSON::Object::Ptr form = parse(kForm);
  form->getArray("shareholders")->getObject(1)->set("contribution", "a lot");
  Result<Application> refused = applicationFromKioskForm(*form, context());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "shareholders[1].contribution");
  Poco::JSON::Array::Ptr problems = formErrorJson(refused.error());
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_EQ(json::stringMember(*problems->getObject(0), "key"), "form.invalid");
  EXPECT_EQ(json::stringMember(*problems->getObject(0), "field"), "shareholders[1].contribution");
}

TEST(LocalRoutesTest, MatchesLiteralAndParameterSegments) {
  class Fixed final : public LocalHandler {
   public:
    LocalReply handle(const LocalRequest&) override { return LocalReply::noContent(); }
  };
  LocalRoutes routes;
  routes.add("GET", "/local/submissions/{ref}", std::make_shared<Fixed>());
  routes.add("POST", "/local/submissions/{ref}/receipt", std::make_shared<Fixed>());
  LocalRoutes::Match found = routes.match("GET", "/local/submissions/AB%2012");
  ASSERT_NE(found.handler, nullptr);
  EXPECT_EQ(found.params["ref"], "AB 12");
  EXPECT_EQ(routes.match("GET", "/local/submissions/").handler, nullptr);
  LocalRoutes::Match wrong = routes.match("DELETE", "/local/submissions/X");
  EXPECT_EQ(wrong.handler, nullptr);
  EXPECT_TRUE(wrong.path_known);
  EXPECT_FALSE(routes.match("GET", "/other").path_known);
  EXPECT_THROW(routes.add("GET", "relative", std::make_shared<Fixed>()), std::invalid_argument);
}

TEST(LocalRequestTest, QueryParametersAreDecoded) {
  LocalRequest request;
  request.query = "a=1&lang=zh%2DCN&b=x+y";
  EXPECT_EQ(request.queryParam("lang"), "zh-CN");
  EXPECT_EQ(request.queryParam("b"), "x y");
  EXPECT_EQ(request.queryParam("missing"), "");
}

TEST(LocalApiTest, MaskedIdNumbersKeepOnlyTheEnds) {
  EXPECT_EQ(maskIdNumber("370202198805123010"), "3702**********3010");
  EXPECT_EQ(maskIdNumber("1234"), "****");
}

}  // namespace
}  // namespace kaiban::agent
