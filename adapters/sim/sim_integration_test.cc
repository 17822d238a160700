#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Parser.h"
#include "adapters/bank/account_number.h"
#include "adapters/bank/bank_adapter.h"
#include "adapters/partner_codec/partner_test_support.h"
#include "adapters/people/people_adapter.h"
#include "adapters/registry/registry_adapter.h"
#include "adapters/seal/seal_adapter.h"
#include "adapters/sim/sim_process.h"
#include "adapters/sms/sms_notifier.h"
#include "adapters/tax/tax_adapter.h"
#include "adapters/transport/partner_client.h"
#include "adapters/transport/testing/test_pki.h"
#include "adapters/transport/tls.h"
#include "core/id_number.h"
#include "core/uscc.h"

// The real kaiban-sim binary, driven over real mutual TLS by the real adapters, with an
// orchestrator-side callback receiver.
namespace kaiban::sim {
namespace {

using adapters::Ack;
using adapters::OutcomeKind;
using adapters::StepOutcome;
using adapters::StepRequest;
using adapters::testing::sampleRequest;
using adapters::testing::schemaDir;
using testing::CallbackReceiver;
using testing::SimProcess;
using testing::waitUntil;
using transport::testing::TestPki;
namespace output = adapters::output;

// The timeout fault holds answers for 6 s: past this read timeout, even doubled (the transport
// currently waits up to twice read_timeout on a TLS read; see the report to the integrator).
constexpr std::chrono::milliseconds kReadTimeout{2000};

// Results come quickly and failed callbacks are retried quickly; a timeout fault holds the
// answer past kReadTimeout, and not much longer.
const std::vector<std::string> kBaseArguments = {"--delay-ms=200", "--callback-retry-ms=100",
                                                 "--callback-retry-max-ms=400",
                                                 "--timeout-hold-ms=6000", "--seed=11"};

transport::TlsFiles orchestratorClient(const TestPki& pki) {
  return transport::TlsFiles{pki.file("ca.crt"), pki.file("orchestrator/client.crt"),
                             pki.file("orchestrator/client.key"), std::nullopt};
}

class SimIntegrationTest : public ::testing::Test {
 protected:
  const TestPki& pki() { return TestPki::shared(); }

  void SetUp() override { receiver_ = std::make_unique<CallbackReceiver>(pki()); }

  void TearDown() override {
    if (HasFailure() && sim_) std::cerr << "kaiban-sim log:\n" << sim_->log();
  }

  // (Re)starts the simulator on data_ and connects the adapters to its new ports.
  void startSim(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> arguments = kBaseArguments;
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    sim_ = std::make_unique<SimProcess>(pki().dir(), data_.path(), receiver_->port(), arguments);
    connect();
  }

  void connect() {
    adapters_.reset();
    links_.clear();
    clients_.clear();
    transport::ClientOptions options;
    options.read_timeout = kReadTimeout;
    transport::CircuitBreakerOptions breaker;
    breaker.failure_threshold = 1000;  // these tests provoke failures on purpose
    const Poco::Net::Context::Ptr context = transport::makeClientContext(orchestratorClient(pki()));
    for (std::string_view partner : {"registry", "seal", "bank", "tax", "people", "sms"}) {
      const std::string name(partner);
      clients_[name] = std::make_unique<transport::PartnerClient>(
          name, transport::Endpoint{"127.0.0.1", sim_->port(partner), name}, context, options,
          clock_, breaker);
      links_[name] = std::make_unique<adapters::PartnerClientLink>(*clients_[name]);
    }
    adapters_ = std::make_unique<Adapters>(*this);
  }

  // Dispatches, waits for the callback (which must come with the partner's certificate) and
  // returns what it says.
  StepOutcome run(adapters::StepAdapter& adapter, const StepRequest& request) {
    Result<Ack> ack = adapter.dispatch(request);
    EXPECT_TRUE(ack.ok()) << ack.error();
    std::optional<CallbackReceiver::Callback> callback = receiver_->waitFor(request.message_id);
    if (!callback) {
      ADD_FAILURE() << "no callback for " << request.message_id;
      return {};
    }
    EXPECT_EQ(callback->peer_cn, adapter.partner());
    EXPECT_EQ(callback->path, "/partner/v1/" + std::string(adapter.partner()) + "/callback");
    Result<StepOutcome> outcome = adapter.decodeCallback(callback->body);
    EXPECT_TRUE(outcome.ok()) << outcome.error();
    return outcome.ok() ? *outcome : StepOutcome{};
  }

  struct Adapters {
    explicit Adapters(SimIntegrationTest& test)
        : registry(test.registry_codec_, *test.links_["registry"]),
          seal(test.seal_codec_, *test.links_["seal"]),
          bank(*test.clients_["bank"], schemaDir() / "iso20022", test.clock_),
          tax_registration(test.tax_codec_, *test.links_["tax"]),
          tax_agreement(test.tax_codec_, *test.links_["tax"]),
          people(test.people_codec_, *test.links_["people"]),
          sms(test.sms_codec_, *test.links_["sms"]) {}
    adapters::RegistryAdapter registry;
    adapters::SealAdapter seal;
    adapters::bank::BankAdapter bank;
    adapters::TaxRegistrationAdapter tax_registration;
    adapters::TaxAgreementAdapter tax_agreement;
    adapters::PeopleAdapter people;
    adapters::SmsNotifier sms;
  };

  SystemClock clock_;
  kaiban::testing::TempDir data_;
  std::unique_ptr<CallbackReceiver> receiver_;
  std::unique_ptr<SimProcess> sim_;
  adapters::RegistryCodec registry_codec_ = adapters::RegistryCodec::load(schemaDir()).value();
  adapters::SealCodec seal_codec_ = adapters::SealCodec::load(schemaDir()).value();
  adapters::TaxCodec tax_codec_ = adapters::TaxCodec::load(schemaDir()).value();
  adapters::PeopleCodec people_codec_ = adapters::PeopleCodec::load(schemaDir()).value();
  adapters::SmsCodec sms_codec_ = adapters::SmsCodec::load(schemaDir()).value();
  std::map<std::string, std::unique_ptr<transport::PartnerClient>> clients_;
  std::map<std::string, std::unique_ptr<adapters::PartnerClientLink>> links_;
  std::unique_ptr<Adapters> adapters_;
};

TEST_F(SimIntegrationTest, FullFlowByHandOverMutualTls) {
  startSim();
  Adapters& a = *adapters_;

  Result<adapters::PersonRecord> person = a.people.lookup("370202198503071235");
  ASSERT_TRUE(person.ok()) << person.error();
  EXPECT_EQ(person->name, "张伟");
  EXPECT_EQ(person->birth_date, "1985-03-07");

  const StepRequest registration = sampleRequest("registration");
  const StepOutcome registered = run(a.registry, registration);
  ASSERT_EQ(registered.kind, OutcomeKind::kDone) << registered.reason;
  const std::string uscc = registered.outputs.at(std::string(output::kUscc));
  ASSERT_TRUE(Uscc::parse(uscc).ok()) << uscc;
  EXPECT_EQ(uscc.substr(0, 8), "91370202");

  const StepOutcome sealed = run(a.seal, sampleRequest("seal", {{"uscc", uscc}}));
  ASSERT_EQ(sealed.kind, OutcomeKind::kDone) << sealed.reason;
  const std::string seal_codes = sealed.outputs.at(std::string(output::kSealCodes));

  const StepOutcome opened =
      run(a.bank, sampleRequest("bank_account", {{"uscc", uscc}, {"seal_codes", seal_codes}}));
  ASSERT_EQ(opened.kind, OutcomeKind::kDone) << opened.reason;
  const std::string account = opened.outputs.at(std::string(output::kAccountNumber));
  EXPECT_TRUE(adapters::bank::hasValidLuhnCheckDigit(account)) << account;

  const StepOutcome taxpayer =
      run(a.tax_registration, sampleRequest("tax_registration", {{"uscc", uscc}}));
  ASSERT_EQ(taxpayer.kind, OutcomeKind::kDone) << taxpayer.reason;
  EXPECT_EQ(taxpayer.outputs.at(std::string(output::kTaxpayerId)), uscc);

  const StepRequest agreement = sampleRequest(
      "tax_bank_agreement", {{"uscc", uscc}, {"taxpayer_id", uscc}, {"account_number", account}});
  const StepOutcome signed_up = run(a.tax_agreement, agreement);
  ASSERT_EQ(signed_up.kind, OutcomeKind::kDone) << signed_up.reason;
  EXPECT_FALSE(signed_up.outputs.at(std::string(output::kAgreementRef)).empty());

  ASSERT_TRUE(a.sms.notify("APP-1-sms-done", "13912345678", "您的企业已开办完成").ok());

  // Polls find what the callbacks delivered.
  Result<StepOutcome> polled = a.registry.poll(registration.message_id);
  ASSERT_TRUE(polled.ok()) << polled.error();
  EXPECT_EQ(polled->outputs, registered.outputs);

  for (const auto& [partner, id] :
       std::vector<std::pair<std::string, std::string>>{{"registry", registration.message_id},
                                                        {"seal", "APP-1-seal"},
                                                        {"bank", "APP-1-bank-account"},
                                                        {"tax", "APP-1-tax-registration"},
                                                        {"tax", agreement.message_id},
                                                        {"sms", "APP-1-sms-done"}}) {
    EXPECT_EQ(sim_->effectsOf(partner, id), 1) << partner << " " << id;
  }
  EXPECT_EQ(sim_->effects()->getObject("totals")->getValue<int>("effects"), 6);
  EXPECT_EQ(sim_->effects()->getObject("totals")->getValue<int>("repeated_effects"), 0);
  // The summary for large runs: the same counts without the per-message lists.
  const transport::Response summary = sim_->control("GET", "/effects?by_message=0");
  ASSERT_EQ(summary.status, 200);
  EXPECT_EQ(summary.body.find("by_message"), std::string::npos) << summary.body;
  EXPECT_NE(summary.body.find(R"("effects":6)"), std::string::npos) << summary.body;
  EXPECT_TRUE(waitUntil([&] { return sim_->counter("bank", "delivered", true) == 1; }));
}

TEST_F(SimIntegrationTest, AResendReturnsTheFirstAnswerEvenAcrossARestart) {
  startSim();
  const StepRequest registration = sampleRequest("registration");
  Result<Ack> first = adapters_->registry.dispatch(registration);
  ASSERT_TRUE(first.ok()) << first.error();
  Result<Ack> again = adapters_->registry.dispatch(registration);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again->partner_reference, first->partner_reference);
  std::optional<CallbackReceiver::Callback> callback = receiver_->waitFor(registration.message_id);
  ASSERT_TRUE(callback);
  const std::string uscc =
      adapters_->registry.decodeCallback(callback->body)->outputs.at(std::string(output::kUscc));
  EXPECT_EQ(sim_->effectsOf("registry", registration.message_id), 1);
  EXPECT_EQ(sim_->counter("registry", "duplicates_refused"), 1);

  // A crash, then a clean restart on the same data.
  sim_->kill();
  startSim();
  Result<Ack> after_crash = adapters_->registry.dispatch(registration);
  ASSERT_TRUE(after_crash.ok()) << after_crash.error();
  EXPECT_EQ(after_crash->partner_reference, first->partner_reference);
  Result<StepOutcome> polled = adapters_->registry.poll(registration.message_id);
  ASSERT_TRUE(polled.ok()) << polled.error();
  EXPECT_EQ(polled->outputs.at(std::string(output::kUscc)), uscc);
  EXPECT_EQ(sim_->stop(), 0);
  EXPECT_NE(sim_->log().find("\"event\":\"stopped\""), std::string::npos);

  startSim();
  ASSERT_TRUE(adapters_->registry.dispatch(registration).ok());
  EXPECT_EQ(sim_->effectsOf("registry", registration.message_id), 1);
  EXPECT_EQ(sim_->counter("registry", "duplicates_refused"), 3);
  EXPECT_EQ(sim_->counter("registry", "effects"), 1);
  // The name stays taken after the restart.
  Result<adapters::NameCheck> check =
      adapters_->registry.checkName(registration.application.enterprise.name, "370202");
  ASSERT_TRUE(check.ok()) << check.error();
  EXPECT_EQ(check->verdict, adapters::NameVerdict::kConflicting);
}

TEST_F(SimIntegrationTest, RefusesClientsWithoutTheOrchestratorsCertificate) {
  startSim();
  const std::string body = "<x/>";
  auto post = [&](const transport::TlsFiles& files) {
    transport::ClientOptions options;
    options.read_timeout = kReadTimeout;
    transport::HttpsClient client(
        transport::Endpoint{"127.0.0.1", sim_->port("registry"), "registry"},
        transport::makeClientContext(files), options, clock_);
    // A request, not just a connection: under TLS 1.3 the refusal comes at the first read.
    return client.post("/registry/v1/registration", body, "application/xml");
  };
  Result<transport::Response> anonymous = post(pki().anonymous());
  ASSERT_FALSE(anonymous.ok()) << "answered " << anonymous->status;
  EXPECT_EQ(anonymous.error().code, ErrorCode::kUnavailable) << anonymous.error();

  Result<transport::Response> stranger = post(pki().stranger());
  ASSERT_FALSE(stranger.ok()) << "answered " << stranger->status;
  EXPECT_EQ(stranger.error().code, ErrorCode::kUnavailable) << stranger.error();

  // A certificate of the right CA but not the orchestrator's: the partner says no.
  Result<transport::Response> kiosk = post(pki().kiosk("QD-SN-0001"));
  ASSERT_TRUE(kiosk.ok()) << kiosk.error();
  EXPECT_EQ(kiosk->status, 403);
  EXPECT_EQ(sim_->effects()->getObject("totals")->getValue<int>("messages"), 0);
}

TEST_F(SimIntegrationTest, EachFaultKindSurfacesAsTheRightError) {
  startSim();
  Adapters& a = *adapters_;
  const StepRequest registration = sampleRequest("registration");
  auto setFaults = [&](std::string_view spec) {
    const transport::Response response = sim_->control("POST", "/faults", spec);
    ASSERT_EQ(response.status, 200) << response.body;
  };

  setFaults("registry:http500=1");
  Result<Ack> unavailable = a.registry.dispatch(registration);
  ASSERT_FALSE(unavailable.ok());
  EXPECT_EQ(unavailable.error().code, ErrorCode::kUnavailable) << unavailable.error();
  EXPECT_TRUE(isRetryable(unavailable.error().code));
  EXPECT_EQ(sim_->effectsOf("registry", registration.message_id), -1);  // nothing happened

  setFaults("registry:timeout=1");
  const SteadyTime started = clock_.steadyNow();
  Result<Ack> timed_out = a.registry.dispatch(registration);
  ASSERT_FALSE(timed_out.ok())
      << "answered after "
      << std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steadyNow() - started).count()
      << " ms";
  EXPECT_EQ(timed_out.error().code, ErrorCode::kTimeout) << timed_out.error();
  EXPECT_GE(clock_.steadyNow() - started, kReadTimeout);

  setFaults("registry:malformed=1");
  Result<Ack> malformed = a.registry.dispatch(registration);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, ErrorCode::kCorrupt) << malformed.error();

  setFaults("registry:schema_invalid=1");
  Result<Ack> schema_invalid = a.registry.dispatch(registration);
  ASSERT_FALSE(schema_invalid.ok());
  EXPECT_EQ(schema_invalid.error().code, ErrorCode::kCorrupt) << schema_invalid.error();

  // The work was done once, at the first request that got through; every resend gets that.
  setFaults("registry:none");
  Result<Ack> clean = a.registry.dispatch(registration);
  ASSERT_TRUE(clean.ok()) << clean.error();
  EXPECT_EQ(sim_->effectsOf("registry", registration.message_id), 1);
  EXPECT_EQ(sim_->counter("registry", "duplicates_refused"), 3);

  // The bank's ISO adapter maps the same faults the same way.
  const StepRequest bank_request =
      sampleRequest("bank_account", {{"uscc", adapters::testing::usccFor("91370202MA3C4D5E6")}});
  setFaults("bank:http500=1");
  EXPECT_EQ(a.bank.dispatch(bank_request).error().code, ErrorCode::kUnavailable);
  setFaults("bank:malformed=1");
  EXPECT_EQ(a.bank.dispatch(bank_request).error().code, ErrorCode::kCorrupt);
  setFaults("bank:none");
  ASSERT_TRUE(a.bank.dispatch(bank_request).ok());
  EXPECT_EQ(sim_->effectsOf("bank", bank_request.message_id), 1);

  // A dropped callback: the result is only found by polling.
  setFaults("seal:drop_callback=1");
  const StepRequest seal =
      sampleRequest("seal", {{"uscc", adapters::testing::usccFor("91370202MA3C4D5E6")}});
  ASSERT_TRUE(a.seal.dispatch(seal).ok());
  ASSERT_TRUE(waitUntil([&] { return sim_->counter("seal", "dropped", true) == 1; }));
  Result<StepOutcome> polled = a.seal.poll(seal.message_id);
  ASSERT_TRUE(polled.ok()) << polled.error();
  EXPECT_EQ(polled->kind, OutcomeKind::kDone);
  for (const CallbackReceiver::Callback& callback : receiver_->received()) {
    EXPECT_NE(callback.message_id, seal.message_id);
  }

  // Latency delays without failing.
  setFaults("people:latency=300ms");
  const SteadyTime before = clock_.steadyNow();
  ASSERT_TRUE(a.people.lookup("370212198811110040").ok());
  EXPECT_GE(clock_.steadyNow() - before, std::chrono::milliseconds(300));

  const transport::Response faults = sim_->control("GET", "/faults");
  EXPECT_NE(faults.body.find("\"seal\":\"drop_callback=1\""), std::string::npos) << faults.body;
  // The held answer is logged once its hold is over.
  EXPECT_TRUE(
      waitUntil([&] { return sim_->log().find("\"fault\":\"timeout\"") != std::string::npos; }));
}

TEST_F(SimIntegrationTest, FaultsGivenAtStartUpApply) {
  startSim({"--faults", "tax:http500=1;sms:malformed=1"});
  Result<Ack> tax = adapters_->tax_registration.dispatch(sampleRequest(
      "tax_registration", {{"uscc", adapters::testing::usccFor("91370202MA3C4D5E6")}}));
  ASSERT_FALSE(tax.ok());
  EXPECT_EQ(tax.error().code, ErrorCode::kUnavailable);
  Result<void> sms = adapters_->sms.notify("APP-1-sms", "13912345678", "您好");
  ASSERT_FALSE(sms.ok());
  EXPECT_EQ(sms.error().code, ErrorCode::kCorrupt) << sms.error();
  EXPECT_EQ(sim_->effectsOf("sms", "APP-1-sms"), 1);  // sent once; the answer was garbled
}

TEST_F(SimIntegrationTest, BusinessRefusals) {
  startSim();
  Adapters& a = *adapters_;
  Result<adapters::NameCheck> taken = a.registry.checkName("青岛啤酒股份有限公司", "370202");
  ASSERT_TRUE(taken.ok()) << taken.error();
  EXPECT_EQ(taken->verdict, adapters::NameVerdict::kConflicting);
  Result<adapters::NameCheck> prohibited = a.registry.checkName("全国海风科技有限公司", "370202");
  ASSERT_TRUE(prohibited.ok()) << prohibited.error();
  EXPECT_EQ(prohibited->verdict, adapters::NameVerdict::kProhibitedWord);

  StepRequest forbidden = sampleRequest("registration");
  forbidden.message_id = "APP-2-registration";
  forbidden.application.enterprise.name = "青岛中华海风科技有限公司";
  Result<Ack> refused = a.registry.dispatch(forbidden);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kRejected);
  EXPECT_EQ(adapters::refusalOf(refused.error()).reason_code, "NAME_PROHIBITED");

  StepRequest famous = sampleRequest("registration");
  famous.message_id = "APP-3-registration";
  famous.application.enterprise.name = "青岛啤酒股份有限公司";
  const StepOutcome rejected = run(a.registry, famous);
  EXPECT_EQ(rejected.kind, OutcomeKind::kRejected);
  EXPECT_EQ(rejected.reason_code, "NAME_TAKEN");

  // Requests with an invalid USCC, each under its own message id (a refusal is an answer
  // too: a resend of the same id would get it again).
  const std::string bad_uscc = "913702020000000001";
  ASSERT_FALSE(Uscc::parse(bad_uscc).ok());
  auto withBadUscc = [&](std::string_view step) {
    StepRequest request = sampleRequest(step, {{"uscc", bad_uscc}});
    request.message_id = "APP-9-" + std::string(step.substr(0, 3));
    return request;
  };
  Result<Ack> seal = a.seal.dispatch(withBadUscc("seal"));
  ASSERT_FALSE(seal.ok());
  EXPECT_EQ(adapters::refusalOf(seal.error()).reason_code, "INVALID_USCC");
  Result<Ack> bank = a.bank.dispatch(withBadUscc("bank_account"));
  ASSERT_FALSE(bank.ok());
  EXPECT_EQ(bank.error().code, ErrorCode::kRejected);
  EXPECT_NE(bank.error().message.find("INVALID_USCC"), std::string::npos) << bank.error();
  Result<Ack> tax = a.tax_registration.dispatch(withBadUscc("tax_registration"));
  ASSERT_FALSE(tax.ok());
  EXPECT_EQ(adapters::refusalOf(tax.error()).reason_code, "INVALID_USCC");

  // An account the bank never opened.
  const std::string uscc = adapters::testing::usccFor("91370202MA3C4D5E6");
  ASSERT_EQ(run(a.tax_registration, sampleRequest("tax_registration", {{"uscc", uscc}})).kind,
            OutcomeKind::kDone);
  const StepOutcome agreement =
      run(a.tax_agreement,
          sampleRequest(
              "tax_bank_agreement",
              {{"uscc", uscc}, {"taxpayer_id", uscc}, {"account_number", "6222020200001234567"}}));
  EXPECT_EQ(agreement.reason_code, "ACCOUNT_NOT_FOUND");
  EXPECT_EQ(sim_->effects()->getObject("totals")->getValue<int>("effects"), 1);
}

TEST_F(SimIntegrationTest, CallbacksOutliveAnOrchestratorRestart) {
  startSim();
  const int port = receiver_->port();
  receiver_.reset();  // the orchestrator is down

  const StepRequest request =
      sampleRequest("bank_account", {{"uscc", adapters::testing::usccFor("91370202MA3C4D5E6")}});
  ASSERT_TRUE(adapters_->bank.dispatch(request).ok());
  // The simulator tries, fails, and keeps the callback pending.
  ASSERT_TRUE(waitUntil([&] {
    return sim_->log().find("\"outcome\":\"failed\"") != std::string::npos;
  })) << sim_->log();
  EXPECT_EQ(sim_->counter("bank", "pending", true), 1);

  receiver_ = std::make_unique<CallbackReceiver>(pki(), port);  // the orchestrator is back
  std::optional<CallbackReceiver::Callback> callback = receiver_->waitFor(request.message_id);
  ASSERT_TRUE(callback) << sim_->log();
  EXPECT_EQ(callback->peer_cn, "bank");
  Result<StepOutcome> outcome = adapters_->bank.decodeCallback(callback->body);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->kind, OutcomeKind::kDone);
  EXPECT_TRUE(waitUntil([&] { return sim_->counter("bank", "delivered", true) == 1; }));
}

TEST_F(SimIntegrationTest, SchemaInvalidRequestGetsTheErrorDocument) {
  startSim();
  std::string body =
      registry_codec_.encode(adapters::NameCheckRequest{"NC-1", "青岛海风有限公司", "370202"})
          .value();
  body.replace(body.find("<DivisionCode>"), 0, "<Extra>1</Extra>");
  Result<transport::Response> response = clients_["registry"]->post(
      "/registry/v1/name-check", body, "application/xml", {{"X-Kaiban-Message-Id", "NC-1"}});
  ASSERT_TRUE(response.ok()) << response.error();
  EXPECT_EQ(response->status, 400);
  Result<adapters::ErrorReport> report = registry_codec_.decodeErrorReport(response->body);
  ASSERT_TRUE(report.ok()) << report.error() << response->body;
  EXPECT_EQ(report->message_id, "NC-1");
  EXPECT_NE(report->reason.find("Extra"), std::string::npos) << report->reason;
}

TEST_F(SimIntegrationTest, ControlEndpointListsPeopleAndFaults) {
  startSim({"--faults", "bank:latency=10ms,drop_callback=0.5"});
  const transport::Response people = sim_->control("GET", "/people?limit=3");
  ASSERT_EQ(people.status, 200);
  Poco::JSON::Object::Ptr list =
      Poco::JSON::Parser().parse(people.body).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(list->getValue<int>("total"), 300);
  Poco::JSON::Array::Ptr entries = list->getArray("people");
  ASSERT_EQ(entries->size(), 3u);
  for (size_t i = 0; i < entries->size(); ++i) {
    const std::string id = entries->getObject(i)->getValue<std::string>("id_number");
    EXPECT_TRUE(IdNumber::parse(id, CivilDate{2026, 3, 2}).ok()) << id;
  }

  const transport::Response faults = sim_->control("GET", "/faults");
  EXPECT_NE(faults.body.find("\"bank\":\"latency=10ms,drop_callback=0.5\""), std::string::npos)
      << faults.body;
  EXPECT_NE(faults.body.find("\"seed\":11"), std::string::npos) << faults.body;
  EXPECT_EQ(sim_->control("POST", "/faults", "bank:explode=1").status, 400);
  EXPECT_EQ(sim_->control("GET", "/healthz").status, 200);
  EXPECT_EQ(sim_->control("GET", "/nothing").status, 404);
  const transport::Response ports = sim_->control("GET", "/ports");
  EXPECT_NE(ports.body.find("\"bank\":" + std::to_string(sim_->port("bank"))), std::string::npos);
}

}  // namespace
}  // namespace kaiban::sim
