#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <memory>

#include "adapters/partner_codec/partner_test_support.h"
#include "adapters/registry/registry_codec.h"
#include "adapters/transport/tls.h"
#include "tests/integration/kaiban_harness.h"

// kaiban-orchestrator and kaiban-sim as processes on loopback: applications submitted through
// the binary's CLI go through every partner over mutual TLS and complete; callbacks that must
// be refused are; the binary's start-up and audit commands behave.
namespace kaiban::testing {
namespace {

constexpr auto kCompletionTimeout = std::chrono::seconds(90);

std::filesystem::path writeText(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file) << text;
  return file;
}

// Submits `count` applications and approves KYC reviews until all are completed.
void runToCompletion(KaibanHarness& harness, int count) {
  const std::filesystem::path file =
      writeText(harness.dir() / "applications.json", applicationsJson(count));
  ProcessResult submitted =
      harness.cli({"submit", "--file", file.string(), "--kiosk", "QD-SN-0001"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  const bool completed = KaibanHarness::waitUntil(
      [&] {
        harness.cli({"task", "approve-all", "--actor", "e2e-officer"});
        Poco::JSON::Object::Ptr states = harness.summary()->getObject("by_state");
        return states->has("completed") && states->getValue<int>("completed") == count;
      },
      kCompletionTimeout);
  ASSERT_TRUE(completed) << harness.cli({"summary"}).out
                         << tailOf(harness.dir() / "orchestrator.log");
  ASSERT_TRUE(harness.waitForTexts(2 * count, kCompletionTimeout));
}

TEST(OrchestratorEndToEndTest, CompletesApplicationsWithEachPartnerEffectExactlyOnce) {
  KaibanHarness harness;
  harness.startSim();
  harness.startOrchestrator();

  EXPECT_EQ(harness.admin("/healthz").status, 200);
  transport::Response ready = harness.admin("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_TRUE(parseObject(ready.body)->getValue<bool>("ready"));

  runToCompletion(harness, 3);
  EffectCounts counts =
      expectCompletedExactlyOnce(harness.statuses(), *harness.effects(), /*expected=*/3);
  EXPECT_EQ(counts.partner_effects, 3 * 5);

  // Submitting the same file again creates nothing: the keys come from the bodies.
  ProcessResult again =
      harness.cli({"submit", "--file", (harness.dir() / "applications.json").string(), "--kiosk",
                   "QD-SN-0001"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.find("\"created\":true"), std::string::npos) << again.out;
  EXPECT_EQ(harness.summary()->getValue<int>("total"), 3);

  ProcessResult audit = harness.cli({"audit", "verify"});
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_NE(audit.out.find("audit log verified"), std::string::npos) << audit.out;

  // SIGTERM stops it cleanly: exit 0, and the ports file it wrote is gone.
  EXPECT_EQ(harness.stopOrchestrator(), 0) << tailOf(harness.dir() / "orchestrator.out");
  EXPECT_FALSE(std::filesystem::exists(harness.varDir() / "run" / "orchestrator.ports.json"));
  const std::string log = tailOf(harness.dir() / "orchestrator.log", 5);
  EXPECT_NE(log.find("\"message\":\"stopped\""), std::string::npos) << log;
}

class CallbackRefusalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    harness_.startSim();
    harness_.startOrchestrator();
    const std::filesystem::path file =
        writeText(harness_.dir() / "one.json", applicationsJson(1, 500));
    ProcessResult submitted =
        harness_.cli({"submit", "--file", file.string(), "--kiosk", "QD-SN-0001"});
    ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
    application_id_ = parseObject(submitted.out)->getValue<std::string>("application_id");
    // Wait for the registration step's result: the callback the tests then play with.
    ASSERT_TRUE(
        KaibanHarness::waitUntil([&] { return registration() != nullptr; }, kCompletionTimeout))
        << tailOf(harness_.dir() / "orchestrator.log");
  }

  // The application's status, and its registration step once that is done.
  Poco::JSON::Object::Ptr status() {
    ProcessResult result = harness_.cli({"status", application_id_});
    return result.exit_code == 0 ? parseObject(result.out) : nullptr;
  }
  Poco::JSON::Object::Ptr registration() {
    Poco::JSON::Object::Ptr found = status();
    if (!found) return nullptr;
    Poco::JSON::Array::Ptr steps = found->getArray("steps");
    for (std::size_t i = 0; i < steps->size(); ++i) {
      Poco::JSON::Object::Ptr step = steps->getObject(static_cast<unsigned>(i));
      if (step->getValue<std::string>("id") == "registration" &&
          step->getValue<std::string>("state") == "done") {
        return step;
      }
    }
    return nullptr;
  }

  // POSTs `body` to the callback route of `partner` presenting `certificate_dir`'s client
  // certificate (under the PKI).
  transport::Response callback(const std::string& certificate_dir, const std::string& partner,
                               const std::string& body) {
    const std::filesystem::path pki = harness_.pkiDir();
    transport::TlsFiles files{pki / "ca.crt", pki / certificate_dir / "client.crt",
                              pki / certificate_dir / "client.key", std::nullopt};
    transport::HttpsClient client(
        transport::Endpoint{"127.0.0.1", harness_.apiPort(), "orchestrator"},
        transport::makeClientContext(files), {}, clock_);
    Result<transport::Response> response =
        client.post("/partner/v1/" + partner + "/callback", body, "application/xml");
    EXPECT_TRUE(response) << response.error();
    return response ? *response : transport::Response{};
  }

  // The registry's result for the registration step, as the simulator sent it.
  std::string registrationResult() {
    Poco::JSON::Object::Ptr step = registration();
    Poco::JSON::Object::Ptr outputs = step->getObject("outputs");
    adapters::RegistryCodec codec =
        adapters::RegistryCodec::load(adapters::testing::schemaDir()).value();
    return codec
        .encode(adapters::RegistrationResult{
            step->getValue<std::string>("message_id"),
            adapters::Registered{outputs->getValue<std::string>("uscc"),
                                 outputs->getValue<std::string>("licence_ref"), "2026-03-10"}})
        .value();
  }

  SystemClock clock_;
  KaibanHarness harness_;
  std::string application_id_;
};

TEST_F(CallbackRefusalTest, RefusesAnotherPartnersCertificateAndAKiosks) {
  const std::string body = registrationResult();
  transport::Response wrong_partner = callback("partners/seal", "registry", body);
  EXPECT_EQ(wrong_partner.status, 403) << wrong_partner.body;
  EXPECT_NE(wrong_partner.body.find("'seal' may not deliver callbacks for 'registry'"),
            std::string::npos)
      << wrong_partner.body;
  transport::Response kiosk = callback("kiosks/QD-SN-0001", "registry", body);
  EXPECT_EQ(kiosk.status, 403) << kiosk.body;
}

TEST_F(CallbackRefusalTest, RefusesAnXxeBodyAndAnOversizedOne) {
  const std::string xxe =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
      "<RegistrationResult xmlns=\"urn:kaiban:partner:registry:1\"><MessageId>&x;</MessageId>"
      "</RegistrationResult>";
  transport::Response refused = callback("partners/registry", "registry", xxe);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("DOCTYPE"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.body.find("root:"), std::string::npos) << refused.body;

  transport::Response oversized =
      callback("partners/registry", "registry", std::string(300 * 1024, ' '));
  EXPECT_EQ(oversized.status, 413) << oversized.body;
}

TEST_F(CallbackRefusalTest, ADuplicateCallbackIsAcknowledgedAndChangesNothing) {
  const std::string body = registrationResult();
  Poco::JSON::Object::Ptr before = status();
  transport::Response duplicate = callback("partners/registry", "registry", body);
  EXPECT_EQ(duplicate.status, 204) << duplicate.body;
  // Other steps may move meanwhile; the registration step and its outputs may not.
  Poco::JSON::Object::Ptr step = registration();
  EXPECT_EQ(step->getObject("outputs")->getValue<std::string>("uscc"),
            before->getObject("outputs")->getValue<std::string>("uscc"));
  EXPECT_EQ(step->getValue<int>("attempts"), 1);
  const std::string log = tailOf(harness_.dir() / "orchestrator.log", 400);
  EXPECT_NE(log.find("\"disposition\":\"duplicate\""), std::string::npos) << log;
}

TEST(OrchestratorStartupTest, ExplainsBadConfigurationAndExitsNonZero) {
  KaibanHarness harness;
  ProcessResult help = runProcess(harness.orchestratorBinary(), {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("dispatcher.lease_seconds"), std::string::npos);
  EXPECT_NE(help.out.find("audit verify"), std::string::npos);

  ProcessResult unknown = runProcess(harness.orchestratorBinary(),
                                     {"--var", harness.varDir().string(), "--set", "api.prot=1"});
  EXPECT_EQ(unknown.exit_code, 78);
  EXPECT_NE(unknown.err.find("unknown configuration key 'api.prot'"), std::string::npos)
      << unknown.err;

  ProcessResult no_keys =
      runProcess(harness.orchestratorBinary(),
                 {"--var", harness.varDir().string(), "--pki", (harness.dir() / "nopki").string(),
                  "--set", "admin.port=0", "--set", "api.port=0"});
  EXPECT_EQ(no_keys.exit_code, 78);
  EXPECT_NE(no_keys.err.find("keys.file"), std::string::npos) << no_keys.err;

  ProcessResult bad_command = harness.cli({"frobnicate"});
  EXPECT_EQ(bad_command.exit_code, 64);
}

TEST(OrchestratorAuditTest, AuditVerifyFindsAnEditedEntry) {
  // No server is needed: submitting through the CLI writes audit entries.
  KaibanHarness harness;
  const std::filesystem::path file =
      writeText(harness.dir() / "two.json", applicationsJson(2, 700));
  ProcessResult submitted =
      harness.cli({"submit", "--file", file.string(), "--kiosk", "QD-SN-0001"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  ProcessResult intact = harness.cli({"audit", "verify"});
  ASSERT_EQ(intact.exit_code, 0) << intact.err;

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((harness.varDir() / "orchestrator.db").c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, "UPDATE audit_log SET actor = 'staff:mallory' WHERE seq = 1", nullptr,
                         nullptr, &error),
            SQLITE_OK)
      << (error ? error : "");
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);

  ProcessResult broken = harness.cli({"audit", "verify"});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("BROKEN"), std::string::npos) << broken.err;
}

}  // namespace
}  // namespace kaiban::testing
