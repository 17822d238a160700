#include <gtest/gtest.h>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>

#include <csignal>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>

#include "adapters/partner_codec/partner_test_support.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/testing/test_pki.h"
#include "adapters/transport/tls.h"
#include "core/application_json.h"
#include "tests/integration/kaiban_harness.h"

// The kiosk API of the real kaiban-orchestrator binary over real mutual TLS, with kaiban-sim
// behind it for people lookups, name checks and the partners of a whole flow: who is let in
// (docs/api/kiosk-api.md, "Identity and access"), how bad requests are answered, idempotent
// submission, the kiosk registry commands, and CRL reloads without a restart.
namespace kaiban::testing {
namespace {

using transport::HttpsClient;
using transport::Response;
using transport::TlsFiles;
using transport::testing::TestPki;

constexpr auto kCompletionTimeout = std::chrono::seconds(90);
constexpr auto kReloadTimeout = std::chrono::seconds(20);

const TestPki& pki() { return TestPki::shared(); }

// Issues a client certificate for one more kiosk in the shared test PKI.
void issueKioskCertificate(const std::string& id, const std::string& bank) {
  const std::string command = "bash '" + repoFile("certs/make-dev-pki.sh").string() + "' --out '" +
                              pki().dir().string() + "' --add-kiosk " + id + " " + bank +
                              " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

std::string stringify(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

Application kioskApplication(const std::string& kiosk_id, const std::string& name) {
  Application application = adapters::testing::sampleApplication();
  application.kiosk_id = kiosk_id;
  application.bank_code = "BOCQD";
  application.enterprise.name = name;
  return application;
}

std::string body(const Application& application) { return stringify(*toJson(application)); }

class KioskApiIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    issueKioskCertificate("QD-SN-0042", "BOCQD");  // valid, never registered
    issueKioskCertificate("QD-SN-0043", "BOCQD");  // revoked while the orchestrator runs
    harness_ = new KaibanHarness;
    harness_->startSim();
    harness_->startOrchestrator({"tls.crl_check_seconds=1"});
    for (const auto& [kiosk, bank] : {std::pair{"QD-SN-0001", "BOCQD"},
                                      {"QD-SN-0002", "BOCQD"},
                                      {"QD-LS-0001", "ICBCQD"},
                                      {"QD-SN-0043", "BOCQD"},
                                      // Registered: only the CRL keeps it out.
                                      {"QD-SN-9999", "BOCQD"}}) {
      ProcessResult added = harness_->cli({"kiosk", "add", kiosk, "--bank", bank, "--district",
                                           "370202", "--name", std::string("lobby of ") + kiosk});
      ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
    }
  }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }

  static KaibanHarness& harness() { return *harness_; }

  std::unique_ptr<HttpsClient> client(const TlsFiles& files) {
    return std::make_unique<HttpsClient>(
        transport::Endpoint{"127.0.0.1", harness().apiPort(), "orchestrator"},
        transport::makeClientContext(files), transport::ClientOptions{}, clock_);
  }
  std::unique_ptr<HttpsClient> kiosk(const std::string& id) { return client(pki().kiosk(id)); }

  static Response post(HttpsClient& client, const std::string& path, const std::string& text,
                       const std::string& key) {
    transport::Headers headers;
    if (!key.empty()) headers["Idempotency-Key"] = key;
    Result<Response> response = client.post(path, text, "application/json", headers);
    EXPECT_TRUE(response) << response.error();
    return response ? *response : Response{};
  }
  static Response get(HttpsClient& client, const std::string& path) {
    Result<Response> response = client.get(path);
    EXPECT_TRUE(response) << response.error();
    return response ? *response : Response{};
  }

  static void expectError(const Response& response, int status, const std::string& field,
                          const std::string& message_part) {
    ASSERT_EQ(response.status, status) << response.body;
    Poco::JSON::Object::Ptr error = parseObject(response.body)->getObject("error");
    ASSERT_FALSE(error.isNull()) << response.body;
    EXPECT_EQ(error->getValue<std::string>("field"), field) << response.body;
    EXPECT_NE(error->getValue<std::string>("message").find(message_part), std::string::npos)
        << response.body;
  }

  static void expectRefused(const Result<Response>& result, const std::string& reason_part) {
    ASSERT_FALSE(result.ok()) << "answered " << result->status << ": " << result->body;
    EXPECT_EQ(result.error().code, ErrorCode::kUnavailable) << result.error();
    EXPECT_NE(result.error().message.find(reason_part), std::string::npos) << result.error();
  }

  // POSTs `bytes` of chunked body to /api/v1/applications from QD-SN-0001 on a connection of
  // its own. The status, or 0 when no answer came.
  int chunkedPost(std::size_t bytes) {
    Poco::Net::HTTPSClientSession session("127.0.0.1",
                                          static_cast<Poco::UInt16>(harness().apiPort()),
                                          transport::makeClientContext(pki().kiosk("QD-SN-0001")));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/api/v1/applications",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setChunkedTransferEncoding(true);
    request.setContentType("application/json");
    request.set("Idempotency-Key", "oversized-0001");
    try {
      session.sendRequest(request) << std::string(bytes, ' ');
      Poco::Net::HTTPResponse response;
      std::istream& in = session.receiveResponse(response);
      std::string answer((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_NE(answer.find("65536 bytes"), std::string::npos) << answer;
      return response.getStatus();
    } catch (const Poco::Exception& error) {
      ADD_FAILURE() << error.displayText();
      return 0;
    }
  }

  static int total() { return harness().summary()->getValue<int>("total"); }

  SystemClock clock_;
  static KaibanHarness* harness_;
};

KaibanHarness* KioskApiIntegrationTest::harness_ = nullptr;

TEST_F(KioskApiIntegrationTest, RefusesWhoeverIsNotAnEnabledRegisteredKiosk) {
  // Refused by TLS (TLS 1.3 says so at the first read, hence a request each).
  expectRefused(client(pki().anonymous())->get("/api/v1/applications"), "certificate required");
  expectRefused(client(pki().stranger())->get("/api/v1/applications"), "unknown ca");
  expectRefused(kiosk("QD-SN-9999")->get("/api/v1/applications"), "revoked");

  // Let through by TLS, refused by the kiosk registry.
  expectError(get(*kiosk("QD-SN-0042"), "/api/v1/applications"), 403, "", "not registered");
  const TlsFiles partner{pki().file("ca.crt"), pki().file("partners/registry/client.crt"),
                         pki().file("partners/registry/client.key"), std::nullopt};
  expectError(get(*client(partner), "/api/v1/applications"), 403, "", "OU=partner");

  std::unique_ptr<HttpsClient> ls = kiosk("QD-LS-0001");
  EXPECT_EQ(get(*ls, "/api/v1/applications").status, 200);
  ProcessResult revoked = harness().cli({"kiosk", "revoke", "QD-LS-0001"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  // The same keep-alive connection: the registry is asked on every request.
  expectError(get(*ls, "/api/v1/applications"), 403, "", "disabled");
  ASSERT_EQ(harness().cli({"kiosk", "enable", "QD-LS-0001"}).exit_code, 0);
  EXPECT_EQ(get(*ls, "/api/v1/applications").status, 200);

  ProcessResult audit = harness().cli({"audit", "verify"});
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
}

TEST_F(KioskApiIntegrationTest, AReplayedSubmissionCreatesNothingNew) {
  std::unique_ptr<HttpsClient> qd = kiosk("QD-SN-0001");
  const std::string text = body(kioskApplication("QD-SN-0001", "青岛重放一号科技有限公司"));
  const int before = total();
  Response created = post(*qd, "/api/v1/applications", text, "replay-key-0001");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = parseObject(created.body)->getValue<std::string>("application_id");

  // Sent again on a fresh connection, as a kiosk does after losing the answer.
  Response replay = post(*kiosk("QD-SN-0001"), "/api/v1/applications", text, "replay-key-0001");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(parseObject(replay.body)->getValue<std::string>("application_id"), id);
  EXPECT_FALSE(parseObject(replay.body)->getValue<bool>("created"));
  EXPECT_EQ(total(), before + 1);

  const std::string other = body(kioskApplication("QD-SN-0001", "青岛重放二号科技有限公司"));
  expectError(post(*qd, "/api/v1/applications", other, "replay-key-0001"), 409, "",
              "Idempotency-Key");
  EXPECT_EQ(total(), before + 1);
}

TEST_F(KioskApiIntegrationTest, BadRequestsGetClearErrors) {
  std::unique_ptr<HttpsClient> qd = kiosk("QD-SN-0001");
  const int before = total();
  expectError(post(*qd, "/api/v1/applications", std::string(70 * 1024, ' '), "bad-key-0000"), 413,
              "body", "65536 bytes");
  EXPECT_EQ(chunkedPost(70 * 1024), 413);

  expectError(post(*qd, "/api/v1/applications", R"({"kiosk_id": "QD-SN-0001",)", "bad-key-0001"),
              400, "", "not valid JSON");
  Poco::JSON::Object::Ptr json = toJson(kioskApplication("QD-SN-0001", "青岛坏请求科技有限公司"));
  json->getObject("legal_representative")->set("nickname", "小王");
  expectError(post(*qd, "/api/v1/applications", stringify(*json), "bad-key-0002"), 400,
              "legal_representative.nickname", "unknown field");
  expectError(post(*qd, "/api/v1/applications", body(kioskApplication("QD-SN-0001", "x")), ""), 400,
              "Idempotency-Key", "Idempotency-Key");

  Application invalid = kioskApplication("QD-SN-0001", "青岛坏请求");
  invalid.legal_representative.id_number = "370202198503071234";  // check character wrong
  invalid.shareholders[0].person.id_number = invalid.legal_representative.id_number;
  Response refused = post(*qd, "/api/v1/applications", body(invalid), "bad-key-0003");
  ASSERT_EQ(refused.status, 422) << refused.body;
  Poco::JSON::Array::Ptr problems = parseObject(refused.body)->getArray("problems");
  ASSERT_FALSE(problems.isNull()) << refused.body;
  std::map<std::string, Poco::JSON::Object::Ptr> by_field;
  for (unsigned i = 0; i < problems->size(); ++i) {
    by_field[problems->getObject(i)->getValue<std::string>("field")] = problems->getObject(i);
  }
  ASSERT_TRUE(by_field.count("legal_representative.id_number")) << refused.body;
  EXPECT_EQ(by_field["legal_representative.id_number"]->getValue<std::string>("zh"),
            "身份证号码有误，请核对");
  EXPECT_EQ(by_field["legal_representative.id_number"]->getValue<std::string>("en"),
            "The ID card number is not valid. Please check it");
  ASSERT_TRUE(by_field.count("enterprise.name")) << refused.body;
  EXPECT_EQ(by_field["enterprise.name"]->getValue<std::string>("key"),
            "enterprise.name.form_company");
  EXPECT_EQ(total(), before);
}

TEST_F(KioskApiIntegrationTest, AKioskReadsOnlyItsOwnApplications) {
  Response created =
      post(*kiosk("QD-SN-0001"), "/api/v1/applications",
           body(kioskApplication("QD-SN-0001", "青岛只读科技有限公司")), "own-key-0001");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = parseObject(created.body)->getValue<std::string>("application_id");
  EXPECT_EQ(get(*kiosk("QD-SN-0001"), "/api/v1/applications/" + id).status, 200);

  std::unique_ptr<HttpsClient> neighbour = kiosk("QD-SN-0002");
  Response theirs = get(*neighbour, "/api/v1/applications/" + id);
  Response unknown = get(*neighbour, "/api/v1/applications/KB-20990101-ZZZZZZZZ");
  EXPECT_EQ(theirs.status, 404) << theirs.body;
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(parseObject(theirs.body)->getObject("error")->getValue<std::string>("code"),
            parseObject(unknown.body)->getObject("error")->getValue<std::string>("code"));
  Response list = get(*neighbour, "/api/v1/applications?limit=100");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body.find(id), std::string::npos) << list.body;
  // Answering it is no different.
  expectError(post(*neighbour, "/api/v1/applications/" + id + "/answer", "{}", "own-key-0002"), 404,
              "", "no application");
}

TEST_F(KioskApiIntegrationTest, PeopleAndNamesComeFromThePartnerSystems) {
  std::unique_ptr<HttpsClient> qd = kiosk("QD-SN-0001");
  Response person =
      post(*qd, "/api/v1/people/lookup", R"({"id_number": "370202198503071235"})", "people-0001");
  ASSERT_EQ(person.status, 200) << person.body;
  EXPECT_EQ(parseObject(person.body)->getValue<std::string>("name"), "张伟");
  EXPECT_EQ(parseObject(person.body)->getValue<std::string>("birth_date"), "1985-03-07");
  // A valid number the platform does not know.
  EXPECT_EQ(
      post(*qd, "/api/v1/people/lookup", R"({"id_number": "11010519491231002X"})", "people-0002")
          .status,
      404);
  EXPECT_EQ(post(*qd, "/api/v1/people/lookup", R"({"id_number": "12345"})", "people-0003").status,
            422);

  Response prohibited =
      post(*qd, "/api/v1/name-check",
           R"({"name": "中国海风科技有限公司", "division_code": "370202"})", "names-0001");
  ASSERT_EQ(prohibited.status, 200) << prohibited.body;
  EXPECT_EQ(parseObject(prohibited.body)->getValue<std::string>("result"), "prohibited_word");
  Response available =
      post(*qd, "/api/v1/name-check",
           R"({"name": "青岛名查科技有限公司", "division_code": "370202"})", "names-0002");
  EXPECT_EQ(parseObject(available.body)->getValue<std::string>("result"), "available")
      << available.body;
}

TEST_F(KioskApiIntegrationTest, HeartbeatsAreRecorded) {
  Response beat = post(*kiosk("QD-SN-0002"), "/api/v1/heartbeat",
                       R"({"agent_version": "1.0.0", "queue_depth": 4, "oldest_pending_seconds": 12,
                           "devices": [{"device": "receipt_printer", "status": "degraded",
                                        "detail": "paper low"}]})",
                       "beat-0001");
  ASSERT_EQ(beat.status, 200) << beat.body;
  EXPECT_TRUE(parseObject(beat.body)->has("server_time"));

  ProcessResult listed = harness().cli({"kiosk", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  std::istringstream lines(listed.out);
  std::string line;
  bool found = false;
  while (std::getline(lines, line)) {
    Poco::JSON::Object::Ptr kiosk = parseObject(line);
    if (kiosk->getValue<std::string>("kiosk_id") != "QD-SN-0002") continue;
    found = true;
    EXPECT_EQ(kiosk->getValue<std::string>("name"), "lobby of QD-SN-0002");
    Poco::JSON::Object::Ptr last = kiosk->getObject("last_heartbeat");
    ASSERT_FALSE(last.isNull()) << line;
    EXPECT_EQ(last->getValue<int>("queue_depth"), 4);
    EXPECT_EQ(last->getArray("devices")->getObject(0)->getValue<std::string>("detail"),
              "paper low");
    EXPECT_FALSE(kiosk->isNull("last_heartbeat_at"));
  }
  EXPECT_TRUE(found) << listed.out;
}

TEST_F(KioskApiIntegrationTest, ASubmissionFromAKioskCompletes) {
  std::unique_ptr<HttpsClient> qd = kiosk("QD-SN-0001");
  Response created =
      post(*qd, "/api/v1/applications",
           body(kioskApplication("QD-SN-0001", "青岛全程科技有限公司")), "complete-key-0001");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = parseObject(created.body)->getValue<std::string>("application_id");
  Poco::JSON::Object::Ptr view;
  const bool completed = KaibanHarness::waitUntil(
      [&] {
        harness().cli({"task", "approve", "--application", id, "--actor", "kiosk-officer"});
        Response status = get(*qd, "/api/v1/applications/" + id);
        view = status.status == 200 ? parseObject(status.body) : nullptr;
        return view && view->getValue<std::string>("state") == "completed";
      },
      kCompletionTimeout);
  ASSERT_TRUE(completed) << (view ? stringify(*view) : "no status")
                         << tailOf(harness().dir() / "orchestrator.log");
  Poco::JSON::Object::Ptr outputs = view->getObject("outputs");
  EXPECT_EQ(outputs->getValue<std::string>("uscc").size(), 18u);
  const std::string account = outputs->getValue<std::string>("account_number");
  EXPECT_EQ(account.rfind("****", 0), 0u) << account;
  EXPECT_EQ(account.size(), 8u) << account;
}

TEST_F(KioskApiIntegrationTest, ACertificateRevokedWhileRunningIsRefusedWithoutRestart) {
  EXPECT_EQ(get(*kiosk("QD-SN-0043"), "/api/v1/applications").status, 200);
  pki().revokeKiosk("QD-SN-0043");
  // tls.crl_check_seconds=1: the orchestrator notices the new file by itself.
  Result<Response> last = Error::internal("not tried");
  const bool refused = KaibanHarness::waitUntil(
      [&] {
        last = kiosk("QD-SN-0043")->get("/api/v1/applications");
        return !last.ok();
      },
      kReloadTimeout);
  ASSERT_TRUE(refused) << tailOf(harness().dir() / "orchestrator.log");
  expectRefused(last, "revoked");
  EXPECT_EQ(get(*kiosk("QD-SN-0001"), "/api/v1/applications").status, 200);
}

TEST(KioskApiSighupTest, SighupReloadsTheCrl) {
  issueKioskCertificate("QD-SN-0044", "BOCQD");
  KaibanHarness harness;
  harness.startSim();
  // No periodic check: only the signal reloads.
  harness.startOrchestrator({"tls.crl_check_seconds=0"});
  ASSERT_EQ(harness.cli({"kiosk", "add", "QD-SN-0044", "--bank", "BOCQD", "--district", "370202"})
                .exit_code,
            0);
  SystemClock clock;
  auto call = [&] {
    return HttpsClient(transport::Endpoint{"127.0.0.1", harness.apiPort(), "orchestrator"},
                       transport::makeClientContext(pki().kiosk("QD-SN-0044")), {}, clock)
        .get("/api/v1/applications");
  };
  Result<Response> before = call();
  ASSERT_TRUE(before) << before.error();
  EXPECT_EQ(before->status, 200);

  pki().revokeKiosk("QD-SN-0044");
  harness.orchestrator().signal(SIGHUP);
  const bool refused = KaibanHarness::waitUntil([&] { return !call().ok(); }, kReloadTimeout);
  EXPECT_TRUE(refused) << tailOf(harness.dir() / "orchestrator.log");
  EXPECT_FALSE(harness.orchestrator().exited()) << "SIGHUP must not stop the orchestrator";
  const std::string log = tailOf(harness.dir() / "orchestrator.log", 50);
  EXPECT_NE(log.find("reloaded the CRL"), std::string::npos) << log;
}

}  // namespace
}  // namespace kaiban::testing
