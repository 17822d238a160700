#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/partner_codec/partner_test_support.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/https_server.h"
#include "adapters/transport/testing/test_pki.h"
#include "adapters/transport/tls.h"
#include "core/application_json.h"
#include "core/crypto/key_ring.h"
#include "core/timestamp.h"
#include "orchestrator/api/http_common/route_handler_factory.h"
#include "orchestrator/api/kiosk_api/crl_watcher.h"
#include "orchestrator/api/kiosk_api/kiosk_commands.h"
#include "orchestrator/api/kiosk_api/kiosk_handlers.h"
#include "orchestrator/engine/dispatcher.h"
#include "orchestrator/flow/flow_loader.h"
#include "orchestrator/store/sqlite/sqlite_store.h"
#include "tests/fakes/fake_step_adapter.h"
#include "tests/testing/test_env.h"

// The kiosk routes over real mutual TLS (a private dev PKI), with the real Engine over a real
// SqliteStore and fake partners: every answer of docs/api/kiosk-api.md, who is let in, and the
// kiosk registry commands.
namespace kaiban::orchestrator::api {
namespace {

using transport::HttpsClient;
using transport::Response;
using transport::TlsFiles;
using transport::testing::TestPki;

constexpr const char* kKiosk = "QD-SN-0001";  // its certificate says O=BOCQD
constexpr const char* kOtherKiosk = "QD-SN-0002";
constexpr const char* kBank = "BOCQD";
constexpr const char* kCrlKiosk = "QD-SN-0077";  // added to this binary's PKI, revoked by one test

// A PKI of this test binary's own (kiosks are added and revoked in it).
const TestPki& pki() {
  static const TestPki* instance = [] {
    auto* made = new TestPki;
    const std::string command = "bash '" + testing::repoFile("certs/make-dev-pki.sh").string() +
                                "' --out '" + made->dir().string() + "' --add-kiosk " + kCrlKiosk +
                                " " + kBank + " >'" + (made->dir() / "add.log").string() + "' 2>&1";
    if (std::system(command.c_str()) != 0)
      throw std::runtime_error("cannot add " + std::string(kCrlKiosk));
    return made;
  }();
  return *instance;
}

TlsFiles partnerFiles(const std::string& partner) {
  return TlsFiles{pki().file("ca.crt"), pki().file("partners/" + partner + "/client.crt"),
                  pki().file("partners/" + partner + "/client.key"), std::nullopt};
}

Poco::JSON::Object::Ptr parse(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string stringify(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

// Checks `condition` every 20 ms until it holds (true) or `timeout` passes (false).
bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return true;
}

class FakePeople final : public adapters::PeopleDirectory {
 public:
  Result<adapters::PersonRecord> lookup(std::string_view id_number) override {
    std::lock_guard lock(mutex_);
    ++lookups;
    if (unavailable) return Error::unavailable("people-data platform is down");
    auto found = people.find(std::string(id_number));
    if (found == people.end()) return Error::notFound("no such person");
    return found->second;
  }
  std::map<std::string, adapters::PersonRecord> people;
  bool unavailable = false;
  int lookups = 0;

 private:
  std::mutex mutex_;
};

constexpr const char* kZhangWeiId = "370202198503071235";  // in FakePeople

// The engine over a real SqliteStore in a temporary file, with the shipped flows, the real
// calendar, test keys, a ManualClock and a FakeStepAdapter per partner, driven step by step.
class KioskEngine {
 public:
  KioskEngine() {
    Result<WorkingCalendar> calendar = WorkingCalendar::load(testing::repoFile("data/calendar"));
    if (!calendar) throw std::runtime_error(calendar.error().toString());
    calendar_ = std::make_unique<WorkingCalendar>(std::move(calendar).value());
    const std::set<std::string, std::less<>> names = {"registry", "seal", "bank",
                                                      "tax_registration", "tax_agreement"};
    Result<FlowCatalog> flows =
        FlowCatalog::loadDirectory(testing::repoFile("orchestrator/flows"),
                                   testing::repoFile("orchestrator/flows/flow.xsd"), names);
    if (!flows) throw std::runtime_error(flows.error().toString());
    flows_ = std::make_unique<FlowCatalog>(std::move(flows).value());
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(dir_.path() / "k.db", clock);
    if (!store) throw std::runtime_error(store.error().toString());
    store_ = std::move(store).value();
    engine_ = std::make_unique<Engine>(*store_, *flows_, *calendar_, clock, cipher_, index_);
    DispatcherOptions options;
    options.owner = "kiosk-api-test";
    dispatcher_ = std::make_unique<Dispatcher>(*engine_,
                                               Dispatcher::AdapterMap{{"registry", &registry_},
                                                                      {"seal", &seal_},
                                                                      {"bank", &bank_},
                                                                      {"tax_registration", &tax_},
                                                                      {"tax_agreement", &tax_}},
                                               nullptr, options);
  }

  Engine& engine() { return *engine_; }
  Store& store() { return *store_; }

  // Sends whatever is due until nothing is.
  void drive() {
    for (int round = 0; round < 100; ++round) {
      Result<int> sent = dispatcher_->runOnce();
      ASSERT_TRUE(sent) << sent.error();
      if (*sent == 0) return;
    }
    ADD_FAILURE() << "the dispatcher did not settle";
  }

  // The partner's result for the step's current message.
  void callback(const std::string& id, const std::string& step, adapters::OutcomeKind kind,
                adapters::Outputs outputs = {}, std::string code = {}, std::string reason = {}) {
    drive();
    std::string message_id;
    const ApplicationStatus status = engine_->status(id).value();
    for (const StepStatus& candidate : status.steps) {
      if (candidate.id == step) message_id = candidate.message_id;
    }
    adapters::StepOutcome outcome{message_id, kind, std::move(outputs), std::move(code),
                                  std::move(reason)};
    Result<OutcomeDisposition> applied = engine_->applyOutcome(outcome, "partner:test");
    ASSERT_TRUE(applied) << applied.error();
    EXPECT_EQ(*applied, OutcomeDisposition::kApplied) << step;
  }

  ManualClock clock{parseIso8601("2026-03-10T10:00:00+08:00").value()};  // a Tuesday

 private:
  testing::TempDir dir_;
  crypto::KeyRing keys_ = crypto::KeyRing::forTesting();
  crypto::PiiCipher cipher_{keys_};
  crypto::BlindIndex index_{keys_};
  std::unique_ptr<WorkingCalendar> calendar_;
  std::unique_ptr<FlowCatalog> flows_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Engine> engine_;
  fakes::FakeStepAdapter registry_{"registry"};
  fakes::FakeStepAdapter seal_{"seal"};
  fakes::FakeStepAdapter bank_{"bank"};
  fakes::FakeStepAdapter tax_{"tax"};
  std::unique_ptr<Dispatcher> dispatcher_;
};

class KioskApiTest : public ::testing::Test {
 protected:
  Engine& engine() { return core_.engine(); }
  Store& store() { return core_.store(); }
  void drive() { core_.drive(); }
  void callback(const std::string& id, const std::string& step, adapters::OutcomeKind kind,
                adapters::Outputs outputs = {}, std::string code = {}, std::string reason = {}) {
    core_.callback(id, step, kind, std::move(outputs), std::move(code), std::move(reason));
  }

  void SetUp() override {
    people_.people[kZhangWeiId] = {kZhangWeiId, "张伟", "male", "1985-03-07",
                                   "山东省青岛市市南区香港中路8号"};
    kiosk_server_ = std::make_unique<EngineKioskServer>(
        engine(), store(), people_,
        [this](std::string_view name, std::string_view division) -> Result<adapters::NameCheck> {
          std::lock_guard lock(names_mutex_);
          checked_names_.push_back(std::string(name) + "@" + std::string(division));
          if (name == "青岛海蓝科技有限公司") {
            return adapters::NameCheck{adapters::NameVerdict::kConflicting, "青岛海蓝科技有限公司"};
          }
          return adapters::NameCheck{adapters::NameVerdict::kAvailable, ""};
        });
    context_ =
        transport::makeServerContext(pki().server(), transport::ClientCertificates::kRequired);
    auto routes = std::make_shared<RouteTable>();
    addKioskRoutes(*routes, *kiosk_server_, clock_);
    http_ = std::make_unique<transport::HttpsServer>(
        new RouteHandlerFactory(routes, "orchestrator.api", system_clock_), context_,
        transport::ServerOptions{});
    http_->start();
    registerKiosk(kKiosk, kBank);
    registerKiosk(kOtherKiosk, kBank);
  }

  void TearDown() override { http_->stop(); }

  void registerKiosk(const std::string& id, const std::string& bank) {
    ASSERT_TRUE(
        store().upsertKiosk(KioskRecord{id, bank, "370202", "", true, {}, {}, {}, ""},
                            AuditInput{clock_.now(), "admin:test", "", "kiosk.added", "{}"}));
  }

  std::unique_ptr<HttpsClient> client(const TlsFiles& files) {
    return std::make_unique<HttpsClient>(
        transport::Endpoint{"127.0.0.1", http_->port(), "orchestrator"},
        transport::makeClientContext(files), transport::ClientOptions{}, system_clock_);
  }
  HttpsClient& kiosk() {
    if (!kiosk_client_) kiosk_client_ = client(pki().kiosk(kKiosk));
    return *kiosk_client_;
  }
  HttpsClient& otherKiosk() {
    if (!other_client_) other_client_ = client(pki().kiosk(kOtherKiosk));
    return *other_client_;
  }

  static Response post(HttpsClient& client, const std::string& path, const std::string& body,
                       const std::string& key) {
    transport::Headers headers;
    if (!key.empty()) headers["Idempotency-Key"] = key;
    Result<Response> response = client.post(path, body, "application/json", headers);
    EXPECT_TRUE(response) << response.error();
    return response ? *response : Response{};
  }
  static Response get(HttpsClient& client, const std::string& path) {
    Result<Response> response = client.get(path);
    EXPECT_TRUE(response) << response.error();
    return response ? *response : Response{};
  }

  static Application kioskApplication(const std::string& kiosk_id = kKiosk) {
    Application application = adapters::testing::sampleApplication();
    application.enterprise.name = "青岛海蓝科技有限公司";
    application.kiosk_id = kiosk_id;
    application.bank_code = kBank;
    return application;
  }
  static std::string body(const Application& application) {
    return stringify(*toJson(application));
  }

  // Submits through the API; returns the application id.
  std::string submitVia(HttpsClient& client, const Application& application,
                        const std::string& key) {
    Response response = post(client, "/api/v1/applications", body(application), key);
    EXPECT_EQ(response.status, 201) << response.body;
    return response.status == 201 ? parse(response.body)->getValue<std::string>("application_id")
                                  : std::string();
  }

  static void expectError(const Response& response, int status, const std::string& field,
                          const std::string& message_part = "") {
    EXPECT_EQ(response.status, status) << response.body;
    if (response.body.empty()) return;
    Poco::JSON::Object::Ptr error = parse(response.body)->getObject("error");
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

  int applicationCount() {
    return static_cast<int>(engine().list(ListFilter{})->applications.size());
  }

  KioskEngine core_;
  ManualClock& clock_ = core_.clock;
  SystemClock system_clock_;
  FakePeople people_;
  std::mutex names_mutex_;
  std::vector<std::string> checked_names_;
  std::unique_ptr<EngineKioskServer> kiosk_server_;
  Poco::Net::Context::Ptr context_;
  std::unique_ptr<transport::HttpsServer> http_;
  std::unique_ptr<HttpsClient> kiosk_client_;
  std::unique_ptr<HttpsClient> other_client_;
};

// --- submit -------------------------------------------------------------------------------

TEST_F(KioskApiTest, SubmitCreatesOnceAndReplaysTheFirstAnswer) {
  const std::string text = body(kioskApplication());
  Response created = post(kiosk(), "/api/v1/applications", text, "kiosk-key-0001");
  ASSERT_EQ(created.status, 201) << created.body;
  Poco::JSON::Object::Ptr first = parse(created.body);
  EXPECT_TRUE(first->getValue<bool>("created"));
  EXPECT_EQ(first->getValue<std::string>("state"), "submitted");  // dispatched next
  EXPECT_EQ(first->getValue<int>("flow_version"), 1);
  EXPECT_EQ(first->getValue<std::string>("deadline"), "2026-03-13T10:00:00+08:00");

  Response replay = post(kiosk(), "/api/v1/applications", text, "kiosk-key-0001");
  ASSERT_EQ(replay.status, 200) << replay.body;
  Poco::JSON::Object::Ptr second = parse(replay.body);
  EXPECT_FALSE(second->getValue<bool>("created"));
  EXPECT_EQ(second->getValue<std::string>("application_id"),
            first->getValue<std::string>("application_id"));
  EXPECT_EQ(applicationCount(), 1);

  Application changed = kioskApplication();
  changed.enterprise.business_scope = "软件开发";
  expectError(post(kiosk(), "/api/v1/applications", body(changed), "kiosk-key-0001"), 409, "");
  EXPECT_EQ(applicationCount(), 1);

  // Keys are per kiosk: the other kiosk's same key is its own.
  Response other = post(otherKiosk(), "/api/v1/applications", body(kioskApplication(kOtherKiosk)),
                        "kiosk-key-0001");
  EXPECT_EQ(other.status, 201) << other.body;
  EXPECT_EQ(applicationCount(), 2);
}

TEST_F(KioskApiTest, SubmitListsEveryProblemInBothLanguages) {
  Application bad = kioskApplication();
  bad.legal_representative.id_number = "370202198503071234";  // wrong check character
  bad.enterprise.name = "海蓝";
  Response response = post(kiosk(), "/api/v1/applications", body(bad), "kiosk-key-0002");
  ASSERT_EQ(response.status, 422) << response.body;
  Poco::JSON::Array::Ptr problems = parse(response.body)->getArray("problems");
  ASSERT_FALSE(problems.isNull()) << response.body;
  std::map<std::string, Poco::JSON::Object::Ptr> by_field;
  for (unsigned i = 0; i < problems->size(); ++i) {
    Poco::JSON::Object::Ptr problem = problems->getObject(i);
    by_field[problem->getValue<std::string>("field")] = problem;
    EXPECT_FALSE(problem->getValue<std::string>("zh").empty());
    EXPECT_FALSE(problem->getValue<std::string>("en").empty());
  }
  ASSERT_TRUE(by_field.count("legal_representative.id_number")) << response.body;
  EXPECT_EQ(by_field["legal_representative.id_number"]->getValue<std::string>("key"),
            "person.id_number.invalid");
  EXPECT_EQ(by_field["legal_representative.id_number"]->getValue<std::string>("zh"),
            "身份证号码有误，请核对");
  ASSERT_TRUE(by_field.count("enterprise.name")) << response.body;
  EXPECT_EQ(by_field["enterprise.name"]->getValue<std::string>("en"),
            "A limited liability company's name must contain 有限公司 or 有限责任公司")
      << "(the catalog's text)";
  EXPECT_EQ(applicationCount(), 0);
  // The key was not used up: the corrected application goes in under it.
  EXPECT_EQ(
      post(kiosk(), "/api/v1/applications", body(kioskApplication()), "kiosk-key-0002").status,
      201);
}

TEST_F(KioskApiTest, SubmitRefusesBadBodiesNamingThePath) {
  expectError(
      post(kiosk(), "/api/v1/applications", R"({"kiosk_id": "QD-SN-0001", )", "kiosk-key-0003"),
      400, "", "not valid JSON");
  Poco::JSON::Object::Ptr json = toJson(kioskApplication());
  json->getObject("enterprise")->set("colour", "blue");
  expectError(post(kiosk(), "/api/v1/applications", stringify(*json), "kiosk-key-0003"), 400,
              "enterprise.colour", "unknown field");
  json = toJson(kioskApplication());
  json->set("green_channel", "yes");
  expectError(post(kiosk(), "/api/v1/applications", stringify(*json), "kiosk-key-0003"), 400,
              "green_channel");
  expectError(post(kiosk(), "/api/v1/applications", body(kioskApplication()), ""), 400,
              "Idempotency-Key", "Idempotency-Key");
  expectError(post(kiosk(), "/api/v1/applications", body(kioskApplication()), "short"), 400,
              "Idempotency-Key");
  EXPECT_EQ(applicationCount(), 0);
}

TEST_F(KioskApiTest, SubmitMustComeFromTheKioskAndBankItNames) {
  expectError(
      post(kiosk(), "/api/v1/applications", body(kioskApplication(kOtherKiosk)), "kiosk-key-0004"),
      403, "kiosk_id", "QD-SN-0002");
  Application other_bank = kioskApplication();
  other_bank.bank_code = "ICBCQD";
  expectError(post(kiosk(), "/api/v1/applications", body(other_bank), "kiosk-key-0004"), 403,
              "bank_code", "ICBCQD");
  EXPECT_EQ(applicationCount(), 0);
}

// POSTs `bytes` of chunked body to /api/v1/applications on a connection of its own. The
// status, or 0 when no answer came.
int chunkedPost(int port, std::size_t bytes) {
  Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port),
                                        transport::makeClientContext(pki().kiosk(kKiosk)));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/api/v1/applications",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.setChunkedTransferEncoding(true);
  request.setContentType("application/json");
  request.set("Idempotency-Key", "kiosk-key-0006");
  try {
    std::ostream& out = session.sendRequest(request);
    out << std::string(bytes, ' ');
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

TEST_F(KioskApiTest, BodiesOverTheLimitAreRefusedEvenWhenChunked) {
  // Refused from the declared length; the sender still reads the answer.
  expectError(post(kiosk(), "/api/v1/applications", std::string(kKioskBodyLimit + 1, ' '),
                   "kiosk-key-0005"),
              413, "body", "65536 bytes");
  // Chunked: no length to refuse up front, so the bytes are counted as they come.
  EXPECT_EQ(chunkedPost(http_->port(), 70 * 1024), 413);
  EXPECT_EQ(applicationCount(), 0);
}

// --- status and list ----------------------------------------------------------------------

TEST_F(KioskApiTest, StatusShowsTheApplicantsViewAndHidesOtherKiosksApplications) {
  const std::string id = submitVia(kiosk(), kioskApplication(), "kiosk-key-0010");
  callback(id, "registration", adapters::OutcomeKind::kDone,
           {{"uscc", "91370202MA3C4XYZ1K"}, {"licence_ref", "LIC-2026-0001"}});
  callback(id, "seal", adapters::OutcomeKind::kDone, {{"seal_codes", "3702020012345"}});
  ASSERT_TRUE(engine().approveHumanTask(id, "bank_account", "staff:li"));
  callback(id, "bank_account", adapters::OutcomeKind::kDone,
           {{"account_number", "6222020200112233445"}});

  Response own = get(kiosk(), "/api/v1/applications/" + id);
  ASSERT_EQ(own.status, 200) << own.body;
  Poco::JSON::Object::Ptr view = parse(own.body);
  EXPECT_EQ(view->getValue<std::string>("id"), id);
  EXPECT_EQ(view->getObject("outputs")->getValue<std::string>("account_number"), "****3445");
  EXPECT_EQ(view->getObject("outputs")->getValue<std::string>("uscc"), "91370202MA3C4XYZ1K");
  EXPECT_EQ(view->getArray("steps")->size(), 5u);
  for (const char* hidden : {"6222020200112233445", "staff:li", "message_id", "partner_reference",
                             "decided_by", "kiosk_id", "bank_code"}) {
    EXPECT_EQ(own.body.find(hidden), std::string::npos) << hidden << " in " << own.body;
  }

  // Another kiosk's application and an unknown id get the same answer.
  Response theirs = get(otherKiosk(), "/api/v1/applications/" + id);
  Response unknown = get(otherKiosk(), "/api/v1/applications/KB-20260310-NOSUCHID");
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(theirs.body.find(id) != std::string::npos,
            unknown.body.find("KB-20260310-NOSUCHID") != std::string::npos);
  std::string theirs_generic = theirs.body;
  theirs_generic.replace(theirs_generic.find(id), id.size(), "KB-20260310-NOSUCHID");
  EXPECT_EQ(theirs_generic, unknown.body);
}

TEST_F(KioskApiTest, ListsThisKiosksApplicationsNewestFirstInPages) {
  std::vector<std::string> mine;
  for (int i = 0; i < 5; ++i) {
    Application application = kioskApplication();
    application.enterprise.name = "青岛海蓝" + std::to_string(i) + "号科技有限公司";
    mine.push_back(submitVia(kiosk(), application, "kiosk-list-000" + std::to_string(i)));
    clock_.advance(std::chrono::minutes{1});
  }
  submitVia(otherKiosk(), kioskApplication(kOtherKiosk), "other-list-0001");

  std::vector<std::string> seen;
  std::string path = "/api/v1/applications?limit=2";
  for (int page = 0; page < 5; ++page) {
    Response response = get(kiosk(), path);
    ASSERT_EQ(response.status, 200) << response.body;
    Poco::JSON::Object::Ptr json = parse(response.body);
    Poco::JSON::Array::Ptr applications = json->getArray("applications");
    for (unsigned i = 0; i < applications->size(); ++i) {
      seen.push_back(applications->getObject(i)->getValue<std::string>("id"));
    }
    const std::string cursor = json->getValue<std::string>("next_cursor");
    if (cursor.empty()) break;
    path = "/api/v1/applications?limit=2&cursor=" + cursor;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{mine[4], mine[3], mine[2], mine[1], mine[0]}));

  expectError(get(kiosk(), "/api/v1/applications?limit=500"), 400, "limit");
  expectError(get(kiosk(), "/api/v1/applications?kiosk_id=QD-SN-0002"), 400, "kiosk_id");
  expectError(get(kiosk(), "/api/v1/applications?cursor=nonsense"), 400, "cursor");
}

// --- answer -------------------------------------------------------------------------------

TEST_F(KioskApiTest, TheApplicantAnswersANameRefusalOnce) {
  const std::string id = submitVia(kiosk(), kioskApplication(), "kiosk-key-0020");
  drive();
  callback(id, "registration", adapters::OutcomeKind::kRejected, {}, "NAME_TAKEN",
           "企业名称已被占用 / the name is already registered");
  Response waiting = get(kiosk(), "/api/v1/applications/" + id);
  EXPECT_EQ(parse(waiting.body)->getValue<std::string>("state"), "needs_attention");
  EXPECT_NE(waiting.body.find("the name is already registered"), std::string::npos);

  const std::string path = "/api/v1/applications/" + id + "/answer";
  Response refused = post(kiosk(), path, R"({"enterprise_name": "海蓝"})", "answer-key-0001");
  ASSERT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(parse(refused.body)->getArray("problems")->getObject(0)->getValue<std::string>("key"),
            "enterprise.name.form_company");
  expectError(post(kiosk(), path, R"({"enterprise_name": "x", "reason": "y"})", "answer-key-0002"),
              400, "reason");
  expectError(post(otherKiosk(), path, R"({"enterprise_name": "青岛蓝海星科技有限公司"})",
                   "answer-key-0003"),
              404, "");

  const std::string answer = R"({"enterprise_name": "青岛蓝海星科技有限公司"})";
  Response answered = post(kiosk(), path, answer, "answer-key-0004");
  ASSERT_EQ(answered.status, 200) << answered.body;
  EXPECT_EQ(parse(answered.body)->getValue<std::string>("state"), "in_progress");
  EXPECT_EQ(engine().application(id)->enterprise.name, "青岛蓝海星科技有限公司");
  const int events = static_cast<int>(engine().history(id)->size());

  // Sent again (the first answer was lost on the way back): the same state, nothing redone.
  Response replay = post(kiosk(), path, answer, "answer-key-0004");
  EXPECT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(static_cast<int>(engine().history(id)->size()), events);
  expectError(
      post(kiosk(), path, R"({"enterprise_name": "青岛蓝海月科技有限公司"})", "answer-key-0004"),
      409, "");
  // A new answer while nothing waits for one.
  expectError(
      post(kiosk(), path, R"({"enterprise_name": "青岛蓝海月科技有限公司"})", "answer-key-0005"),
      409, "");
}

// --- people lookup, name check, heartbeat --------------------------------------------------

TEST_F(KioskApiTest, PeopleLookupPrefillsKnownPeople) {
  Response found = post(kiosk(), "/api/v1/people/lookup", R"({"id_number": "370202198503071235"})",
                        "lookup-0001");
  ASSERT_EQ(found.status, 200) << found.body;
  Poco::JSON::Object::Ptr person = parse(found.body);
  EXPECT_EQ(person->getValue<std::string>("name"), "张伟");
  EXPECT_EQ(person->getValue<std::string>("sex"), "male");
  EXPECT_EQ(person->getValue<std::string>("birth_date"), "1985-03-07");

  Response unknown = post(kiosk(), "/api/v1/people/lookup",
                          R"({"id_number": "370203199002150024"})", "lookup-0002");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(unknown.body.find("370203199002150024"), std::string::npos) << "never echoed";

  Response invalid = post(kiosk(), "/api/v1/people/lookup",
                          R"({"id_number": "370202198503071234"})", "lookup-0003");
  ASSERT_EQ(invalid.status, 422) << invalid.body;
  Poco::JSON::Object::Ptr problem = parse(invalid.body)->getArray("problems")->getObject(0);
  EXPECT_EQ(problem->getValue<std::string>("field"), "id_number");
  EXPECT_EQ(problem->getValue<std::string>("en"),
            "The ID card number is not valid. Please check it");
  EXPECT_EQ(people_.lookups, 2) << "an invalid number never reaches the platform";

  people_.unavailable = true;
  EXPECT_EQ(post(kiosk(), "/api/v1/people/lookup", R"({"id_number": "370202198503071235"})",
                 "lookup-0004")
                .status,
            503);
  expectError(
      post(kiosk(), "/api/v1/people/lookup", R"({"id": "370202198503071235"})", "lookup-0005"), 400,
      "id");
}

TEST_F(KioskApiTest, NameCheckAsksTheRegistry) {
  Response taken =
      post(kiosk(), "/api/v1/name-check",
           R"({"name": "青岛海蓝科技有限公司", "division_code": "370202"})", "name-0001");
  ASSERT_EQ(taken.status, 200) << taken.body;
  EXPECT_EQ(parse(taken.body)->getValue<std::string>("result"), "conflicting");
  Response free =
      post(kiosk(), "/api/v1/name-check",
           R"({"name": "青岛蓝海星科技有限公司", "division_code": "370202"})", "name-0002");
  EXPECT_EQ(parse(free.body)->getValue<std::string>("result"), "available");
  Response invalid =
      post(kiosk(), "/api/v1/name-check", R"({"name": "青", "division_code": "99"})", "name-0003");
  ASSERT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_EQ(parse(invalid.body)->getArray("problems")->size(), 2u);
  std::lock_guard lock(names_mutex_);
  EXPECT_EQ(checked_names_.size(), 2u);
}

TEST_F(KioskApiTest, HeartbeatIsRecordedAtTheOrchestratorsTime) {
  const std::string heartbeat =
      R"({"agent_version": "0.9.1", "queue_depth": 2, "oldest_pending_seconds": 40,
          "devices": [{"device": "receipt_printer", "status": "degraded", "detail": "paper low"}]})";
  Response answered = post(kiosk(), "/api/v1/heartbeat", heartbeat, "beat-0001");
  ASSERT_EQ(answered.status, 200) << answered.body;
  EXPECT_EQ(parse(answered.body)->getValue<std::string>("server_time"),
            "2026-03-10T10:00:00+08:00");
  KioskRecord stored = store().findKiosk(kKiosk).value();
  EXPECT_EQ(stored.last_heartbeat_at, clock_.now());
  Poco::JSON::Object::Ptr kept = parse(stored.last_heartbeat);
  EXPECT_EQ(kept->getValue<int>("queue_depth"), 2);
  EXPECT_EQ(kept->getArray("devices")->getObject(0)->getValue<std::string>("detail"), "paper low");

  expectError(post(kiosk(), "/api/v1/heartbeat",
                   R"({"agent_version": "0.9.1", "queue_depth": 2, "oldest_pending_seconds": 40,
                       "devices": [{"device": "printer", "status": "ok", "ink": 3}]})",
                   "beat-0002"),
              400, "devices[0].ink", "unknown field");
  EXPECT_EQ(store().findKiosk(kKiosk)->last_heartbeat, stored.last_heartbeat);
}

// --- who gets in ----------------------------------------------------------------------------

TEST_F(KioskApiTest, OnlyRegisteredEnabledKiosksOfTheirOwnBankGetIn) {
  // QD-LS-0001 has a valid certificate (O=ICBCQD) but was never registered.
  std::unique_ptr<HttpsClient> unregistered = client(pki().kiosk("QD-LS-0001"));
  expectError(get(*unregistered, "/api/v1/applications"), 403, "", "not registered");

  // Registered for another bank than its certificate names.
  registerKiosk("QD-LS-0001", kBank);
  expectError(get(*unregistered, "/api/v1/applications"), 403, "", "registered for bank BOCQD");

  // Disabled, then enabled again.
  ASSERT_TRUE(store().setKioskEnabled(
      kOtherKiosk, false, AuditInput{clock_.now(), "admin:test", "", "kiosk.revoked", "{}"}));
  expectError(get(otherKiosk(), "/api/v1/applications"), 403, "", "disabled");
  expectError(post(otherKiosk(), "/api/v1/heartbeat", "{}", "beat-0003"), 403, "", "disabled");
  ASSERT_TRUE(store().setKioskEnabled(
      kOtherKiosk, true, AuditInput{clock_.now(), "admin:test", "", "kiosk.enabled", "{}"}));
  EXPECT_EQ(get(otherKiosk(), "/api/v1/applications").status, 200);

  // A partner's certificate is not a kiosk's.
  std::unique_ptr<HttpsClient> partner = client(partnerFiles("registry"));
  expectError(get(*partner, "/api/v1/applications"), 403, "", "OU=partner");
}

TEST_F(KioskApiTest, TlsRefusesNoCertificateAStrangerAndTheRevokedKiosk) {
  registerKiosk("QD-SN-9999", kBank);  // registered, but its certificate is on the CRL
  expectRefused(client(pki().anonymous())->get("/api/v1/applications"), "certificate required");
  expectRefused(client(pki().stranger())->get("/api/v1/applications"), "unknown ca");
  expectRefused(client(pki().kiosk("QD-SN-9999"))->get("/api/v1/applications"), "revoked");
}

TEST_F(KioskApiTest, ARevocationPublishedWhileRunningTakesEffectOnReload) {
  registerKiosk(kCrlKiosk, kBank);
  CrlWatcher watcher(context_, pki().file("ca.crl"), CrlWatcherOptions{});
  EXPECT_FALSE(watcher.checkNow()) << "nothing changed yet";
  EXPECT_EQ(get(*client(pki().kiosk(kCrlKiosk)), "/api/v1/applications").status, 200);

  pki().revokeKiosk(kCrlKiosk);
  EXPECT_TRUE(watcher.checkNow());
  EXPECT_EQ(watcher.reloads(), 1);
  expectRefused(client(pki().kiosk(kCrlKiosk))->get("/api/v1/applications"), "revoked");
  EXPECT_EQ(get(kiosk(), "/api/v1/applications").status, 200) << "others still get in";
  EXPECT_FALSE(watcher.checkNow()) << "loaded once per change";
}

TEST_F(KioskApiTest, TheWatcherThreadPicksUpAChangedCrl) {
  CrlWatcherOptions options;
  options.interval = std::chrono::milliseconds{50};
  CrlWatcher watcher(context_, pki().file("ca.crl"), options);
  watcher.start();
  // Rewriting the same CRL is a change of the file: the watcher reloads it.
  const std::string crl = testing::readFile(pki().file("ca.crl"));
  std::filesystem::last_write_time(
      pki().file("ca.crl"),
      std::filesystem::file_time_type::clock::now() + std::chrono::seconds{1});
  EXPECT_TRUE(waitUntil([&] { return watcher.reloads() >= 1; }, std::chrono::seconds{10}));
  watcher.stop();
  EXPECT_EQ(testing::readFile(pki().file("ca.crl")), crl);
}

// --- kiosk registry commands ------------------------------------------------------------------

KioskCommand command(std::string action, std::string id = "", std::string bank = "",
                     std::string district = "", std::string name = "") {
  KioskCommand result;
  result.action = std::move(action);
  result.kiosk_id = std::move(id);
  result.bank = std::move(bank);
  result.district = std::move(district);
  result.name = std::move(name);
  return result;
}

TEST_F(KioskApiTest, KioskCommandsRegisterRevokeAndListWithAudit) {
  std::ostringstream out;
  std::ostringstream err;
  const KioskCommand add = command("add", "QD-HD-0001", "CCBQD", "370211", "黄岛 CCB lobby");
  ASSERT_EQ(runKioskCommand(store(), clock_, add, out, err), 0) << err.str();
  Poco::JSON::Object::Ptr added = parse(out.str());
  EXPECT_TRUE(added->getValue<bool>("created"));
  EXPECT_TRUE(added->getValue<bool>("enabled"));
  EXPECT_EQ(added->getValue<std::string>("name"), "黄岛 CCB lobby");

  out.str("");
  ASSERT_EQ(runKioskCommand(store(), clock_, command("revoke", "QD-HD-0001"), out, err), 0);
  EXPECT_FALSE(parse(out.str())->getValue<bool>("enabled"));
  EXPECT_FALSE(store().findKiosk("QD-HD-0001")->enabled);

  out.str("");
  ASSERT_EQ(runKioskCommand(store(), clock_, command("enable", "QD-HD-0001"), out, err), 0);
  EXPECT_TRUE(store().findKiosk("QD-HD-0001")->enabled);

  out.str("");
  ASSERT_EQ(runKioskCommand(store(), clock_, command("list"), out, err), 0);
  EXPECT_NE(out.str().find("\"kiosk_id\":\"QD-HD-0001\""), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("\"kiosk_id\":\"QD-SN-0001\""), std::string::npos) << out.str();

  std::vector<std::string> actions;
  const std::vector<AuditRecord> log = store().auditLog(0, 100).valueOr({});
  for (const AuditRecord& record : log) actions.push_back(record.action);
  // Two kiosks registered by the fixture, then add, revoke, enable.
  EXPECT_EQ(actions, (std::vector<std::string>{"kiosk.added", "kiosk.added", "kiosk.added",
                                               "kiosk.revoked", "kiosk.enabled"}));
  EXPECT_TRUE(verifyAuditLog(store()));

  EXPECT_EQ(runKioskCommand(store(), clock_, command("revoke", "QD-XX-0404"), out, err),
            kKioskCommandFailed);
  EXPECT_EQ(
      runKioskCommand(store(), clock_, command("add", "qd-lower", "CCBQD", "370211"), out, err),
      kKioskCommandUsage);
  EXPECT_EQ(
      runKioskCommand(store(), clock_, command("add", "QD-HD-0002", "CCBQD", "3702"), out, err),
      kKioskCommandUsage);
  EXPECT_EQ(runKioskCommand(store(), clock_, command("add", "QD-HD-0002", "", "370211"), out, err),
            kKioskCommandUsage);
  EXPECT_EQ(runKioskCommand(store(), clock_, command("remove", "QD-HD-0001"), out, err),
            kKioskCommandUsage);
}

}  // namespace
}  // namespace kaiban::orchestrator::api
