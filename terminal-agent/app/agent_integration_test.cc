// The real kaiban-agent process against a fake orchestrator over real mutual TLS: durability
// of the queue, exactly-once forwarding, offline operation and recovery, heartbeats, the
// local API's session and validation rules.

#include <gtest/gtest.h>

#include <string>

#include "adapters/transport/testing/test_pki.h"
#include "core/application_json.h"
#include "core/messages.h"
#include "terminal-agent/app/testing/agent_process.h"
#include "terminal-agent/link/json_text.h"
#include "terminal-agent/link/testing/fake_orchestrator.h"
#include "tests/testing/test_env.h"

namespace kaiban::agent {
namespace {

using testing::AgentProcess;
using testing::eventually;
using testing::FakeOrchestrator;
using transport::testing::TestPki;

std::string form(const std::string& company) {
  return R"({"enterprise": {"name": ")" + company +
         R"(", "type": "limited_liability_company", "registered_capital": "100万",
             "registered_address": {"division_code": "370202", "detail": "香港中路8号"},
             "business_scope": "软件开发"},
           "legal_representative": {"phone": "13800138000"},
           "shareholders": [{"self": true, "contribution": "100万"}],
           "finance_officer": {"self": true},
           "contact_phone": "13800138000",
           "seal": {"shop": "QD-SEAL-017", "delivery": "pickup"},
           "tax": {"taxpayer_type": "small_scale",
                   "invoices": [{"type": "vat_ordinary", "monthly_quantity": 25}]}})";
}

class AgentIntegrationTest : public ::testing::Test {
 protected:
  AgentIntegrationTest() : fake_(TestPki::shared().server(false)) {
    agent_ = std::make_unique<AgentProcess>(TestPki::shared().dir(), var_.path(), fake_.port());
  }

  // Consent, card, face check: a session ready to submit. Card `index` of the sample deck.
  std::string verifiedSession(int index = 0) {
    transport::Response started = agent_->call(
        "POST", "/local/session", R"({"consent_id_card": true, "consent_face": true})");
    EXPECT_EQ(started.status, 201) << started.body;
    const std::string session =
        json::stringMember(*agent_->parsed(started), "session").value_or("");
    EXPECT_EQ(agent_
                  ->call("POST", "/local/sim/card",
                         R"({"action": "insert", "index": )" + std::to_string(index) + "}")
                  .status,
              204);
    transport::Response card = agent_->call("GET", "/local/card", "", session);
    EXPECT_EQ(card.status, 200) << card.body;
    transport::Response face = agent_->call("POST", "/local/face-check", "{}", session);
    EXPECT_EQ(face.status, 200) << face.body;
    EXPECT_EQ(json::boolMember(*agent_->parsed(face), "matched"), true) << face.body;
    return session;
  }

  std::string submit(const std::string& session, const std::string& company) {
    transport::Response answer = agent_->call("POST", "/local/submit", form(company), session);
    EXPECT_EQ(answer.status, 202) << answer.body;
    return json::stringMember(*agent_->parsed(answer), "reference").value_or("");
  }

  std::string stateOf(const std::string& session, const std::string& reference) {
    transport::Response answer =
        agent_->call("GET", "/local/submissions/" + reference, "", session);
    if (answer.status != 200) return "http " + std::to_string(answer.status);
    return json::stringMember(*agent_->parsed(answer), "state").value_or("");
  }

  int64_t queueDepth() {
    Poco::JSON::Object::Ptr health = agent_->parsed(agent_->call("GET", "/local/health"));
    Poco::JSON::Object::Ptr queue = json::objectMember(*health, "queue");
    return queue ? json::intMember(*queue, "depth").value_or(-1) : -1;
  }

  kaiban::testing::TempDir var_;
  FakeOrchestrator fake_;
  std::unique_ptr<AgentProcess> agent_;
};

TEST_F(AgentIntegrationTest, ASubmissionIsQueuedThenForwardedExactlyOnce) {
  const std::string session = verifiedSession();
  const std::string reference = submit(session, "青岛海蓝科技有限公司");
  ASSERT_FALSE(reference.empty());
  ASSERT_TRUE(eventually([&] { return stateOf(session, reference) == "forwarded"; }))
      << agent_->log();
  // A second tap on "submit" in the same session is the same submission.
  transport::Response again =
      agent_->call("POST", "/local/submit", form("青岛海蓝科技有限公司"), session);
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(json::stringMember(*agent_->parsed(again), "reference"), reference);

  std::vector<FakeOrchestrator::Submission> received = fake_.submissions();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].kiosk_id, "QD-SN-0001");
  EXPECT_EQ(fake_.submitRequests(received[0].idempotency_key), 1);
  // The applicant's identity came from the card, not from the screen.
  EXPECT_NE(received[0].body.find("370202198503071235"), std::string::npos);
  EXPECT_NE(received[0].body.find("张伟"), std::string::npos);
  EXPECT_NE(received[0].body.find("\"bank_code\":\"BOCQD\""), std::string::npos);
  // The face check that verified the holder travels with it: its summary, never the image.
  Result<Application> forwarded = applicationFromJsonText(received[0].body);
  ASSERT_TRUE(forwarded.ok()) << forwarded.error();
  ASSERT_TRUE(forwarded->identity_verification.has_value()) << received[0].body;
  const IdentityVerification& verification = *forwarded->identity_verification;
  EXPECT_EQ(verification.method, VerificationMethod::kFace);
  EXPECT_TRUE(verification.liveness_passed);
  EXPECT_DOUBLE_EQ(verification.match_score, 0.95);  // the simulated camera's default face
  EXPECT_EQ(verification.reference.rfind("fc-", 0), 0u) << verification.reference;
  EXPECT_EQ(verification.staff_verifier, "");

  Poco::JSON::Object::Ptr shown =
      agent_->parsed(agent_->call("GET", "/local/submissions/" + reference, "", session));
  EXPECT_EQ(json::stringMember(*shown, "application_id"), received[0].application_id);
  Poco::JSON::Object::Ptr status = json::objectMember(*shown, "status");
  ASSERT_FALSE(status.isNull()) << json::stringify(*shown);
  EXPECT_EQ(json::arrayMember(*status, "steps")->size(), 5u);

  transport::Response receipt =
      agent_->call("POST", "/local/submissions/" + reference + "/receipt", "{}", session);
  ASSERT_EQ(receipt.status, 200) << receipt.body;
  EXPECT_EQ(json::boolMember(*agent_->parsed(receipt), "printed"), true);
  EXPECT_NE(json::stringMember(*agent_->parsed(receipt), "qr_payload")
                .value_or("")
                .find(received[0].application_id),
            std::string::npos);
  const std::string printed = agent_->call("GET", "/local/sim/receipts").body;
  EXPECT_NE(printed.find(received[0].application_id), std::string::npos);
  EXPECT_EQ(printed.find("370202198503071235"), std::string::npos) << "no ID number on paper";

  EXPECT_EQ(agent_->stop(), 0) << agent_->log();
  const std::string log = agent_->log();
  EXPECT_EQ(log.find("370202198503071235"), std::string::npos) << "ID numbers are masked";
  EXPECT_NE(log.find("\"kiosk_id\":\"QD-SN-0001\""), std::string::npos);
}

TEST_F(AgentIntegrationTest, OfflineTheKioskKeepsAcceptingAndForwardsEachOnceInOrder) {
  fake_.stop();
  const std::vector<std::string> companies = {"青岛一号科技有限公司", "青岛二号科技有限公司",
                                              "青岛三号科技有限公司"};
  std::vector<std::pair<std::string, std::string>> accepted;  // session, reference
  for (size_t i = 0; i < companies.size(); ++i) {
    const std::string session = verifiedSession(static_cast<int>(i));
    const std::string reference = submit(session, companies[i]);
    ASSERT_FALSE(reference.empty());
    EXPECT_EQ(stateOf(session, reference), "queued");
    accepted.emplace_back(session, reference);
  }
  EXPECT_EQ(queueDepth(), 3);

  fake_.start();
  ASSERT_TRUE(
      fake_.waitFor([&] { return fake_.submissions().size() >= 3; }, std::chrono::seconds(60)))
      << agent_->log();
  // Let a few more heartbeats and forwarder polls pass: nothing is sent twice.
  const size_t beats = fake_.heartbeats().size();
  ASSERT_TRUE(fake_.waitFor([&] { return fake_.heartbeats().size() >= beats + 3; }));
  std::vector<FakeOrchestrator::Submission> received = fake_.submissions();
  ASSERT_EQ(received.size(), 3u);
  for (size_t i = 0; i < companies.size(); ++i) {
    EXPECT_NE(received[i].body.find(companies[i]), std::string::npos) << "order, at " << i;
  }
  EXPECT_EQ(queueDepth(), 0);
  const auto& [last_session, last_reference] = accepted.back();
  EXPECT_EQ(stateOf(last_session, last_reference), "forwarded");
}

TEST_F(AgentIntegrationTest, AQueuedSubmissionSurvivesAPowerCutAndIsForwardedOnce) {
  fake_.failSubmitsWith(503);
  const std::string session = verifiedSession();
  ASSERT_FALSE(submit(session, "青岛断电测试有限公司").empty());
  // The heartbeat tells the operators what is waiting.
  ASSERT_TRUE(fake_.waitFor([&] {
    for (const Poco::JSON::Object::Ptr& beat : fake_.heartbeats()) {
      if (json::intMember(*beat, "queue_depth") == 1) return true;
    }
    return false;
  })) << agent_->log();
  Poco::JSON::Object::Ptr beat = fake_.heartbeats().back();
  EXPECT_GE(json::intMember(*beat, "oldest_pending_seconds").value_or(-1), 0);
  Poco::JSON::Array::Ptr devices = json::arrayMember(*beat, "devices");
  ASSERT_FALSE(devices.isNull());
  EXPECT_EQ(devices->size(), 3u);
  EXPECT_EQ(json::stringMember(*beat, "agent_version"), "0.1.0");

  agent_->kill();
  EXPECT_TRUE(fake_.submissions().empty());
  fake_.failSubmitsWith(0);
  agent_ = std::make_unique<AgentProcess>(TestPki::shared().dir(), var_.path(), fake_.port());
  ASSERT_TRUE(fake_.waitFor([&] { return fake_.submissions().size() == 1; })) << agent_->log();
  ASSERT_TRUE(eventually([&] { return queueDepth() == 0; }));
  EXPECT_EQ(fake_.submissions().size(), 1u);
  EXPECT_NE(fake_.submissions()[0].body.find("青岛断电测试有限公司"), std::string::npos);
}

TEST_F(AgentIntegrationTest, AnInvalidApplicationGets422WithTheCatalogTextsAndIsNotQueued) {
  const std::string session = verifiedSession();
  transport::Response answer = agent_->call("POST", "/local/submit", form("海蓝科技"), session);
  ASSERT_EQ(answer.status, 422) << answer.body;
  Poco::JSON::Array::Ptr problems = json::arrayMember(*agent_->parsed(answer), "problems");
  ASSERT_FALSE(problems.isNull());
  ASSERT_GE(problems->size(), 1u);
  Poco::JSON::Object::Ptr first = problems->getObject(0);
  EXPECT_EQ(json::stringMember(*first, "field"), "enterprise.name");
  EXPECT_EQ(json::stringMember(*first, "key"), "enterprise.name.form_company");
  EXPECT_EQ(json::stringMember(*first, "zh"),
            std::string(messageText("enterprise.name.form_company", Language::kZhCn)));
  EXPECT_EQ(json::stringMember(*first, "en"),
            std::string(messageText("enterprise.name.form_company", Language::kEn)));
  EXPECT_EQ(queueDepth(), 0);

  // A malformed amount is a form problem too, on its field.
  std::string bad = form("青岛海蓝科技有限公司");
  const std::string capital = "\"100万\"";
  bad.replace(bad.find(capital), capital.size(), "\"lots\"");
  transport::Response malformed = agent_->call("POST", "/local/submit", bad, session);
  ASSERT_EQ(malformed.status, 422) << malformed.body;
  EXPECT_NE(malformed.body.find("enterprise.registered_capital"), std::string::npos);
}

TEST_F(AgentIntegrationTest, SessionRulesGuardEveryStep) {
  // No session: the screen is told to start over.
  transport::Response card = agent_->call("GET", "/local/card");
  EXPECT_EQ(card.status, 404);
  EXPECT_NE(card.body.find("\"field\":\"session\""), std::string::npos);
  // Consent to the card is required.
  EXPECT_EQ(agent_->call("POST", "/local/session", R"({"consent_id_card": false})").status, 422);
  // Without face consent there is no face check.
  transport::Response started =
      agent_->call("POST", "/local/session", R"({"consent_id_card": true})");
  const std::string session = json::stringMember(*agent_->parsed(started), "session").value_or("");
  EXPECT_EQ(agent_->call("GET", "/local/card", "", session).status, 404) << "no card yet";
  ASSERT_EQ(agent_->call("POST", "/local/sim/card", R"({"action": "insert", "index": 1})").status,
            204);
  ASSERT_EQ(agent_->call("GET", "/local/card", "", session).status, 200);
  EXPECT_EQ(agent_->call("POST", "/local/face-check", "{}", session).status, 403);
  // Not verified: nothing can be submitted.
  EXPECT_EQ(agent_->call("POST", "/local/submit", form("青岛海蓝科技有限公司"), session).status,
            409);
  // Staff verification is off unless a staff code is configured.
  EXPECT_EQ(
      agent_->call("POST", "/local/staff-verify", R"({"staff_code": "0000"})", session).status,
      403);
  // An ended session is gone.
  EXPECT_EQ(agent_->call("POST", "/local/session/end", "", session).status, 204);
  EXPECT_EQ(agent_->call("POST", "/local/session/touch", "", session).status, 404);
  // The messages the screen shows are the catalog's.
  Poco::JSON::Object::Ptr messages = agent_->parsed(agent_->call("GET", "/local/messages?lang=en"));
  EXPECT_EQ(json::stringMember(*json::objectMember(*messages, "messages"), "step.seal"),
            std::string(messageText("step.seal", Language::kEn)));
  EXPECT_EQ(agent_->call("GET", "/local/messages?lang=fr").status, 400);
}

TEST_F(AgentIntegrationTest, StaffVerificationWithTheConfiguredCode) {
  agent_ = std::make_unique<AgentProcess>(TestPki::shared().dir(), var_.path(), fake_.port(),
                                          std::vector<std::string>{"--staff-code", "2468"});
  transport::Response started =
      agent_->call("POST", "/local/session", R"({"consent_id_card": true})");
  const std::string session = json::stringMember(*agent_->parsed(started), "session").value_or("");
  ASSERT_EQ(agent_->call("POST", "/local/sim/card", R"({"action": "insert", "index": 2})").status,
            204);
  ASSERT_EQ(agent_->call("GET", "/local/card", "", session).status, 200);
  EXPECT_EQ(
      agent_->call("POST", "/local/staff-verify", R"({"staff_code": "1357"})", session).status,
      403);
  EXPECT_EQ(
      agent_
          ->call("POST", "/local/staff-verify",
                 R"({"staff_code": "2468", "staff_id": ")" + std::string(65, 'E') + "\"}", session)
          .status,
      400)
      << "an employee id longer than the application carries";
  EXPECT_EQ(agent_
                ->call("POST", "/local/staff-verify",
                       R"({"staff_code": "2468", "staff_id": "E10482"})", session)
                .status,
            200);
  transport::Response submitted =
      agent_->call("POST", "/local/submit", form("青岛员工核验有限公司"), session);
  EXPECT_EQ(submitted.status, 202) << submitted.body;

  // The staff check travels with the application: who vouched, never the staff code.
  ASSERT_TRUE(fake_.waitFor([&] { return fake_.submissions().size() == 1; })) << agent_->log();
  const std::string body = fake_.submissions()[0].body;
  EXPECT_EQ(body.find("2468"), std::string::npos) << body;
  Result<Application> forwarded = applicationFromJsonText(body);
  ASSERT_TRUE(forwarded.ok()) << forwarded.error();
  ASSERT_TRUE(forwarded->identity_verification.has_value()) << body;
  EXPECT_EQ(forwarded->identity_verification->method, VerificationMethod::kStaff);
  EXPECT_EQ(forwarded->identity_verification->staff_verifier, "E10482");
  EXPECT_EQ(forwarded->identity_verification->reference.rfind("sv-", 0), 0u) << body;
}

TEST_F(AgentIntegrationTest, PeopleDataPrefillsTheCardHoldersRegisteredAddress) {
  fake_.addPerson("370202198503071235",
                  {"张伟", "male", "1985-03-07", "山东省青岛市市南区新地址1号"});
  transport::Response started =
      agent_->call("POST", "/local/session", R"({"consent_id_card": true, "consent_face": true})");
  const std::string session = json::stringMember(*agent_->parsed(started), "session").value_or("");
  ASSERT_EQ(agent_->call("POST", "/local/sim/card", R"({"action": "insert", "index": 0})").status,
            204);
  transport::Response card = agent_->call("GET", "/local/card", "", session);
  ASSERT_EQ(card.status, 200) << card.body;
  Poco::JSON::Object::Ptr prefill = json::objectMember(*agent_->parsed(card), "prefill");
  EXPECT_EQ(json::stringMember(*prefill, "source"), "people_data");
  EXPECT_EQ(json::stringMember(*prefill, "address"), "山东省青岛市市南区新地址1号");
  // The screen never gets the full ID number.
  EXPECT_EQ(card.body.find("370202198503071235"), std::string::npos);
  EXPECT_NE(card.body.find("3702**********1235"), std::string::npos);
}

}  // namespace
}  // namespace kaiban::agent
