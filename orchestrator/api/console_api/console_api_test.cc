#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <memory>
#include <set>

#include "adapters/transport/https_client.h"
#include "adapters/transport/https_server.h"
#include "adapters/transport/testing/test_pki.h"
#include "adapters/transport/tls.h"
#include "core/crypto/key_ring.h"
#include "core/timestamp.h"
#include "orchestrator/api/console_api/console_handlers.h"
#include "orchestrator/api/http_common/route_handler_factory.h"
#include "orchestrator/engine/dispatcher.h"
#include "orchestrator/engine/engine.h"
#include "orchestrator/flow/flow_loader.h"
#include "orchestrator/store/sqlite/sqlite_console_store.h"
#include "orchestrator/store/sqlite/sqlite_store.h"
#include "tests/fakes/fake_step_adapter.h"
#include "tests/testing/test_env.h"

// The console routes over real HTTPS (server certificate only, as browsers use them) with the
// real Engine over a real SqliteStore, the real ConsoleStore on the same database, and fake
// partners driven step by step. Time is a ManualClock, so session expiry and lockout are exact.
namespace kaiban::orchestrator::api {
namespace {

using transport::Headers;
using transport::Response;

constexpr const char* kPassword = "a console password";

Poco::JSON::Object::Ptr parse(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

// A browser-like client: keeps the session cookie and the CSRF token it was given.
struct Browser {
  std::unique_ptr<transport::HttpsClient> client;
  std::string cookie;  // "name=value"
  std::string csrf;
};

constexpr const char* kZhangWeiId = "370202198503071235";
constexpr const char* kLiNaId = "370203199002150024";

// A limited liability company from kiosk QD-SN-0001: 张伟 60 %, 李娜 40 %.
Application companyApplication() {
  Application application;
  application.kiosk_id = "QD-SN-0001";
  application.bank_code = "QDBANK";
  application.enterprise.name = "青岛海蓝科技有限公司";
  application.enterprise.type = EnterpriseType::kLimitedLiabilityCompany;
  application.enterprise.registered_capital = Money::fromMinorUnits(1'000'000'00);
  application.enterprise.registered_address = {"370202", "香港中路8号1201室"};
  application.enterprise.business_scope = "软件开发；信息技术咨询服务";
  application.legal_representative = {kZhangWeiId, "张伟", "13800138000"};
  application.shareholders = {
      {{kZhangWeiId, "张伟", ""}, Money::fromMinorUnits(600'000'00)},
      {{kLiNaId, "李娜", "13912345678"}, Money::fromMinorUnits(400'000'00)}};
  application.contact_phone = "13800138000";
  application.seal = {"QD-SEAL-017", SealDelivery::kPickup, std::nullopt};
  application.tax = {TaxpayerType::kSmallScale, {{InvoiceType::kVatOrdinary, 25}}};
  return application;
}

template <class T>
T valueOf(Result<T> result) {
  EXPECT_TRUE(result.ok()) << (result.ok() ? Error{} : result.error());
  if (!result.ok()) return T{};
  return std::move(result).value();
}

class ConsoleApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path database = dir_.path() / "kaiban.db";
    calendar_ = std::make_unique<WorkingCalendar>(
        WorkingCalendar::load(testing::repoFile("data/calendar")).value());
    flows_ = std::make_unique<FlowCatalog>(
        FlowCatalog::loadDirectory(
            testing::repoFile("orchestrator/flows"),
            testing::repoFile("orchestrator/flows/flow.xsd"),
            {"registry", "seal", "bank", "tax_registration", "tax_agreement"})
            .value());
    store_ = SqliteStore::open(database, clock_).value();
    engine_ = std::make_unique<Engine>(*store_, *flows_, *calendar_, clock_, cipher_, index_);
    Dispatcher::AdapterMap adapters = {{"registry", &registry_},
                                       {"seal", &seal_},
                                       {"bank", &bank_},
                                       {"tax_registration", &tax_registration_},
                                       {"tax_agreement", &tax_agreement_}};
    dispatcher_ = std::make_unique<Dispatcher>(*engine_, adapters, nullptr);
    console_ = SqliteConsoleStore::open(database, clock_).value();
    ConsoleAuthOptions options;
    options.password.scrypt_n = 16;
    options.max_failures = 3;
    options.lockout = std::chrono::minutes{15};
    options.idle_timeout = std::chrono::minutes{30};
    auth_ = std::make_unique<ConsoleAuth>(*console_, clock_, options);
    server_ = std::make_unique<EngineConsoleServer>(engine(), store(), *console_, *calendar_);
    Result<WebAssets> assets = WebAssets::load(testing::repoFile("orchestrator/web"));
    ASSERT_TRUE(assets) << assets.error();
    auto routes = std::make_shared<RouteTable>();
    ConsoleRouteOptions route_options;
    route_options.dashboard_cache = std::chrono::seconds{0};
    addConsoleRoutes(*routes, *server_, *auth_,
                     std::make_shared<const WebAssets>(std::move(assets).value()), clock_,
                     route_options);
    http_ = std::make_unique<transport::HttpsServer>(
        new RouteHandlerFactory(routes, "orchestrator.console", system_clock_),
        transport::makeServerContext(pki().server(false), transport::ClientCertificates::kNone),
        transport::ServerOptions{});
    http_->start();

    addUser("wang.fang", UserRole::kBankStaff, "QDBANK");
    addUser("chen.jie", UserRole::kBankStaff, "ICBC");
    addUser("li.lei", UserRole::kGovOperator, "3702");
    addUser("zhou.xin", UserRole::kGovOperator, "1101");
    addUser("root", UserRole::kAdmin, "");
  }

  void TearDown() override {
    if (http_) http_->stop();
  }

  Engine& engine() { return *engine_; }
  Store& store() { return *store_; }

  std::string submit(const Application& application) {
    const std::string key = "key-" + std::to_string(++next_key_);
    Result<SubmitResult> result =
        engine_->submit(application, application.kiosk_id, key, "hash-" + key);
    EXPECT_TRUE(result && result->accepted()) << (result ? "problems" : result.error().message);
    return result ? result->application_id : std::string();
  }

  // Sends everything due, as the dispatcher's threads would.
  void drive() {
    for (int round = 0; round < 200; ++round) {
      Result<int> processed = dispatcher_->runOnce();
      ASSERT_TRUE(processed) << processed.error();
      if (*processed == 0) return;
    }
    FAIL() << "the dispatcher did not settle";
  }

  ApplicationStatus status(const std::string& id) { return valueOf(engine_->status(id)); }

  static StepStatus stepOf(const ApplicationStatus& status, const std::string& step) {
    for (const StepStatus& candidate : status.steps) {
      if (candidate.id == step) return candidate;
    }
    ADD_FAILURE() << "no step " << step;
    return {};
  }

  // The partner's callback: the step is done with the outputs later steps need.
  void completeStep(const std::string& id, const std::string& step) {
    static const std::map<std::string, adapters::Outputs> kOutputs = {
        {"registration", {{"uscc", "91370202MA3C4XYZ1K"}, {"licence_ref", "LIC-2026-0001"}}},
        {"seal", {{"seal_codes", "3702020012345,3702020012346"}}},
        {"tax_registration", {{"taxpayer_id", "91370202MA3C4XYZ1K"}}},
        {"bank_account", {{"account_number", "6222020200112233445"}}},
        {"tax_bank_agreement", {{"agreement_ref", "TBA-2026-77"}}},
    };
    drive();
    adapters::StepOutcome outcome;
    outcome.message_id = stepOf(status(id), step).message_id;
    outcome.kind = adapters::OutcomeKind::kDone;
    outcome.outputs = kOutputs.at(step);
    Result<OutcomeDisposition> applied = engine_->applyOutcome(outcome, "partner:test");
    ASSERT_TRUE(applied) << applied.error();
    EXPECT_EQ(*applied, OutcomeDisposition::kApplied) << step;
  }

  static const transport::testing::TestPki& pki() { return transport::testing::TestPki::shared(); }

  void addUser(const std::string& name, UserRole role, const std::string& scope) {
    UserRecord user;
    user.name = name;
    user.role = role;
    user.scope = scope;
    user.password_hash = crypto::hashPassword(kPassword, crypto::PasswordParams{16, 8, 1});
    ASSERT_TRUE(console_->createUser(
        user, AuditInput{clock_.now(), "admin:test", "", "console.user_added", "{}"}));
  }

  Browser browser() {
    Browser b;
    b.client = std::make_unique<transport::HttpsClient>(
        transport::Endpoint{"127.0.0.1", http_->port(), "console"},
        transport::makeClientContext(pki().anonymous()), transport::ClientOptions{}, system_clock_);
    return b;
  }

  Response send(Browser& b, const std::string& method, const std::string& path,
                const std::string& body = "{}", Headers headers = {}) {
    if (!b.cookie.empty()) headers.emplace("Cookie", b.cookie);
    Result<Response> response = method == "GET"
                                    ? b.client->get(path, headers)
                                    : b.client->post(path, body, "application/json", headers);
    EXPECT_TRUE(response) << response.error();
    return response ? *response : Response{};
  }

  // A state change as the pages make it: JSON with the CSRF token.
  Response post(Browser& b, const std::string& path, const std::string& body = "{}") {
    return send(b, "POST", path, body, Headers{{"X-CSRF-Token", b.csrf}});
  }

  Response login(Browser& b, const std::string& user, const std::string& password = kPassword) {
    Response response = send(b, "POST", "/console/api/v1/login",
                             R"({"user":")" + user + R"(","password":")" + password + R"("})");
    if (response.status == 200) {
      const std::string cookie = response.headers["Set-Cookie"];
      b.cookie = cookie.substr(0, cookie.find(';'));
      b.csrf = parse(response.body)->getValue<std::string>("csrf_token");
    }
    return response;
  }

  Browser loggedIn(const std::string& user) {
    Browser b = browser();
    Response response = login(b, user);
    EXPECT_EQ(response.status, 200) << response.body;
    return b;
  }

  // An application of `bank` in `division`, driven until its KYC review is open.
  std::string awaitingReview(const std::string& bank = "QDBANK",
                             const std::string& division = "370202") {
    Application application = companyApplication();
    application.bank_code = bank;
    application.enterprise.registered_address.division_code = division;
    const std::string id = submit(application);
    completeStep(id, "registration");
    completeStep(id, "seal");
    completeStep(id, "tax_registration");
    EXPECT_EQ(stepOf(status(id), "bank_account").human_task->state, HumanTaskState::kOpen);
    return id;
  }

  std::vector<AuditRecord> auditOf(const std::string& application_id) {
    std::vector<AuditRecord> found;
    for (const AuditRecord& record : valueOf(store().auditLog(0, 10000))) {
      if (record.application_id == application_id) found.push_back(record);
    }
    return found;
  }

  static std::set<std::string> idsIn(const Poco::JSON::Array::Ptr& rows, const std::string& key) {
    std::set<std::string> ids;
    for (size_t i = 0; i < rows->size(); ++i) {
      ids.insert(rows->getObject(static_cast<unsigned>(i))->getValue<std::string>(key));
    }
    return ids;
  }

  testing::TempDir dir_;
  ManualClock clock_{parseIso8601("2026-03-10T10:00:00+08:00").value()};  // a Tuesday
  SystemClock system_clock_;
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
  fakes::FakeStepAdapter tax_registration_{"tax"};
  fakes::FakeStepAdapter tax_agreement_{"tax"};
  std::unique_ptr<Dispatcher> dispatcher_;
  int next_key_ = 0;
  std::unique_ptr<SqliteConsoleStore> console_;
  std::unique_ptr<ConsoleAuth> auth_;
  std::unique_ptr<EngineConsoleServer> server_;
  std::unique_ptr<transport::HttpsServer> http_;
};

TEST_F(ConsoleApiTest, LoginSetsASecureSessionCookieAndTheSessionCarriesTheCsrfToken) {
  Browser b = browser();
  EXPECT_EQ(send(b, "GET", "/console/api/v1/session").status, 401);
  Response response = login(b, "wang.fang");
  ASSERT_EQ(response.status, 200) << response.body;
  const std::string cookie = response.headers["Set-Cookie"];
  EXPECT_EQ(cookie.rfind("__Host-kaiban_console=", 0), 0u) << cookie;
  for (const char* attribute :
       {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict", "; Max-Age=43200"}) {
    EXPECT_NE(cookie.find(attribute), std::string::npos) << attribute << " in " << cookie;
  }
  EXPECT_EQ(response.headers["Cache-Control"], "no-store");
  Poco::JSON::Object::Ptr json = parse(response.body);
  EXPECT_EQ(json->getValue<std::string>("role"), "bank_staff");
  EXPECT_EQ(json->getValue<std::string>("scope"), "QDBANK");
  EXPECT_EQ(json->getValue<std::string>("home"), "/bank");

  Response session = send(b, "GET", "/console/api/v1/session");
  ASSERT_EQ(session.status, 200) << session.body;
  EXPECT_EQ(parse(session.body)->getValue<std::string>("csrf_token"), b.csrf);
  EXPECT_EQ(parse(session.body)->getValue<std::string>("user"), "wang.fang");

  EXPECT_EQ(post(b, "/console/api/v1/logout").status, 204);
  EXPECT_EQ(send(b, "GET", "/console/api/v1/session").status, 401);
  const std::vector<AuditRecord> log = valueOf(store().auditLog(0, 1000));
  EXPECT_EQ(log[log.size() - 2].action, "console.login");
  EXPECT_EQ(log.back().action, "console.logout");
  EXPECT_EQ(log.back().actor, "staff:wang.fang");
}

TEST_F(ConsoleApiTest, RepeatedFailedLoginsLockTheAccountForAWhile) {
  Browser b = browser();
  for (int i = 0; i < 3; ++i) {
    Response wrong = login(b, "wang.fang", "not the password");
    EXPECT_EQ(wrong.status, 401) << wrong.body;
  }
  Response locked = login(b, "wang.fang");
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_EQ(locked.headers["Retry-After"], "900");
  EXPECT_TRUE(b.cookie.empty());
  // Another user is not affected; an unknown user answers like a wrong password.
  Browser stranger = browser();
  EXPECT_EQ(login(stranger, "nobody").status, 401);
  Browser other = browser();
  EXPECT_EQ(login(other, "chen.jie").status, 200);

  clock_.advance(std::chrono::minutes{15});
  EXPECT_EQ(login(b, "wang.fang").status, 200);
}

TEST_F(ConsoleApiTest, AStateChangeWithoutTheRightCsrfTokenIsRefused) {
  const std::string id = awaitingReview();
  Browser b = loggedIn("wang.fang");
  const std::string approve =
      "/console/api/v1/bank/applications/" + id + "/steps/bank_account/approve";

  EXPECT_EQ(send(b, "POST", approve).status, 403);  // no token
  EXPECT_EQ(send(b, "POST", approve, "{}", Headers{{"X-CSRF-Token", "forged"}}).status, 403);
  Browser other = loggedIn("root");  // another session's token is not this one's
  EXPECT_EQ(send(b, "POST", approve, "{}", Headers{{"X-CSRF-Token", other.csrf}}).status, 403);
  Headers cross_site{{"X-CSRF-Token", b.csrf}, {"Origin", "https://evil.example"}};
  EXPECT_EQ(send(b, "POST", approve, "{}", cross_site).status, 403);
  Result<Response> form = b.client->post(approve, "a=1", "application/x-www-form-urlencoded",
                                         Headers{{"Cookie", b.cookie}, {"X-CSRF-Token", b.csrf}});
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 403);
  EXPECT_EQ(send(b, "POST", "/console/api/v1/logout").status, 403);
  EXPECT_EQ(stepOf(status(id), "bank_account").human_task->state, HumanTaskState::kOpen);

  Response approved = post(b, approve);
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(stepOf(status(id), "bank_account").human_task->state, HumanTaskState::kApproved);
}

TEST_F(ConsoleApiTest, SessionsExpireWhenIdleAndAtTheirEnd) {
  Browser b = loggedIn("li.lei");
  clock_.advance(std::chrono::minutes{29});
  EXPECT_EQ(send(b, "GET", "/console/api/v1/session").status, 200);
  clock_.advance(std::chrono::minutes{30});
  Response expired = send(b, "GET", "/console/api/v1/session");
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.headers["Set-Cookie"].find("Max-Age=0"), std::string::npos);
  Response page = send(b, "GET", "/operator");
  EXPECT_EQ(page.status, 303);
  EXPECT_EQ(page.headers["Location"], "/login");

  Browser busy = loggedIn("li.lei");
  for (int i = 0; i < 24; ++i) {
    clock_.advance(std::chrono::minutes{29});
    ASSERT_EQ(send(busy, "GET", "/console/api/v1/session").status, 200) << i;
  }
  clock_.advance(std::chrono::minutes{29});  // 12 h 5 min after the login
  EXPECT_EQ(send(busy, "GET", "/console/api/v1/session").status, 401);
}

TEST_F(ConsoleApiTest, ABankOfficerNeverSeesOrActsOnAnotherBanksApplication) {
  const std::string ours = awaitingReview("QDBANK");
  const std::string theirs = awaitingReview("ICBC");
  Browser b = loggedIn("wang.fang");

  Response reviews = send(b, "GET", "/console/api/v1/bank/reviews?state=open");
  ASSERT_EQ(reviews.status, 200) << reviews.body;
  EXPECT_EQ(idsIn(parse(reviews.body)->getArray("reviews"), "application_id"),
            std::set<std::string>{ours});
  Poco::JSON::Object::Ptr review = parse(reviews.body)->getArray("reviews")->getObject(0);
  EXPECT_EQ(review->getValue<std::string>("enterprise_name"), "青岛海蓝科技有限公司");
  // An admin's "bank" filter is no way around the scope for bank staff.
  Response forced = send(b, "GET", "/console/api/v1/bank/reviews?state=open&bank=ICBC");
  EXPECT_EQ(idsIn(parse(forced.body)->getArray("reviews"), "application_id"),
            std::set<std::string>{ours});

  Response detail = send(b, "GET", "/console/api/v1/bank/applications/" + ours);
  ASSERT_EQ(detail.status, 200) << detail.body;
  Response foreign = send(b, "GET", "/console/api/v1/bank/applications/" + theirs);
  Response missing = send(b, "GET", "/console/api/v1/bank/applications/KB0000000000000Z");
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(parse(foreign.body)->getObject("error")->getValue<std::string>("message"),
            "no application " + theirs);
  EXPECT_EQ(parse(missing.body)->getObject("error")->getValue<std::string>("code"),
            parse(foreign.body)->getObject("error")->getValue<std::string>("code"));

  const std::string base = "/console/api/v1/bank/applications/" + theirs;
  EXPECT_EQ(post(b, base + "/steps/bank_account/approve").status, 404);
  EXPECT_EQ(post(b, base + "/steps/bank_account/reject", R"({"reason":"x"})").status, 404);
  EXPECT_EQ(post(b, base + "/steps/bank_account/request-info", R"({"reason":"x"})").status, 404);
  EXPECT_EQ(post(b, base + "/steps/bank_account/cancel", R"({"reason":"x"})").status, 404);
  EXPECT_EQ(post(b, base + "/steps/bank_account/retry").status, 404);
  EXPECT_EQ(post(b, base + "/cancel", R"({"reason":"x"})").status, 404);
  EXPECT_EQ(stepOf(status(theirs), "bank_account").human_task->state, HumanTaskState::kOpen);
  EXPECT_EQ(status(theirs).state, ApplicationState::kInProgress);

  // The other bank's officer, and an admin, can.
  Browser icbc = loggedIn("chen.jie");
  EXPECT_EQ(send(icbc, "GET", "/console/api/v1/bank/applications/" + ours).status, 404);
  EXPECT_EQ(post(icbc, base + "/steps/bank_account/approve").status, 200);
  Browser admin = loggedIn("root");
  EXPECT_EQ(send(admin, "GET", "/console/api/v1/bank/applications/" + ours).status, 200);

  // Roles: operators have no bank console, bank staff no dashboard.
  Browser op = loggedIn("li.lei");
  EXPECT_EQ(send(op, "GET", "/console/api/v1/bank/reviews").status, 403);
  EXPECT_EQ(send(b, "GET", "/console/api/v1/dashboard").status, 403);
  EXPECT_EQ(send(b, "GET", "/console/api/v1/applications/" + ours).status, 403);
  EXPECT_EQ(send(b, "GET", "/operator").headers["Location"], "/bank");
}

TEST_F(ConsoleApiTest, TheKycViewShowsTheCompanyItsPeopleAndBeneficialOwners) {
  const std::string id = awaitingReview();
  Browser b = loggedIn("wang.fang");
  Response detail = send(b, "GET", "/console/api/v1/bank/applications/" + id);
  ASSERT_EQ(detail.status, 200) << detail.body;
  Poco::JSON::Object::Ptr kyc = parse(detail.body)->getObject("kyc");
  EXPECT_EQ(kyc->getObject("enterprise")->getValue<std::string>("uscc"), "91370202MA3C4XYZ1K");
  EXPECT_EQ(kyc->getObject("enterprise")->getValue<std::string>("licence_ref"), "LIC-2026-0001");
  Poco::JSON::Object::Ptr rep = kyc->getObject("legal_representative");
  EXPECT_EQ(rep->getValue<std::string>("name"), "张伟");
  EXPECT_TRUE(rep->getValue<bool>("id_number_valid"));
  EXPECT_EQ(rep->getValue<std::string>("sex"), "male");
  Poco::JSON::Object::Ptr identity = rep->getObject("identity");
  EXPECT_EQ(identity->getValue<std::string>("kiosk_id"), "QD-SN-0001");
  // companyApplication() comes from a kiosk that does not report its check: nothing inferred.
  EXPECT_FALSE(identity->getValue<bool>("reported"));
  EXPECT_FALSE(identity->has("method"));
  EXPECT_FALSE(identity->has("verified_at"));
  EXPECT_EQ(kyc->getArray("shareholders")->size(), 2u);
  Poco::JSON::Array::Ptr owners = kyc->getArray("beneficial_owners");
  ASSERT_EQ(owners->size(), 2u);  // 60 % and 40 %
  EXPECT_EQ(owners->getObject(0)->getValue<std::string>("basis"), "ownership");
  EXPECT_DOUBLE_EQ(owners->getObject(1)->getValue<double>("share"), 0.4);
  EXPECT_GT(parse(detail.body)->getArray("history")->size(), 5u);
}

TEST_F(ConsoleApiTest, TheKycViewShowsTheKiosksIdentityCheck) {
  Browser b = loggedIn("wang.fang");
  const auto identityOf = [&](const Application& application) {
    const std::string id = submit(application);
    Response detail = send(b, "GET", "/console/api/v1/bank/applications/" + id);
    EXPECT_EQ(detail.status, 200) << detail.body;
    return parse(detail.body)
        ->getObject("kyc")
        ->getObject("legal_representative")
        ->getObject("identity");
  };

  Application face = companyApplication();
  face.identity_verification = IdentityVerification{
      VerificationMethod::kFace, 0.93, true, "fc-7KQ2M9", "", shanghaiTime(2026, 3, 10, 9, 41, 7)};
  Poco::JSON::Object::Ptr identity = identityOf(face);
  EXPECT_TRUE(identity->getValue<bool>("reported"));
  EXPECT_EQ(identity->getValue<std::string>("method"), "face");
  EXPECT_DOUBLE_EQ(identity->getValue<double>("match_score"), 0.93);
  EXPECT_TRUE(identity->getValue<bool>("liveness_passed"));
  EXPECT_EQ(identity->getValue<std::string>("reference"), "fc-7KQ2M9");
  EXPECT_EQ(identity->getValue<std::string>("verified_at"), "2026-03-10T09:41:07+08:00");
  EXPECT_EQ(identity->getValue<std::string>("kiosk_id"), "QD-SN-0001");

  Application staff = companyApplication();
  staff.enterprise.name = "青岛员工核验有限公司";
  staff.identity_verification = IdentityVerification{
      VerificationMethod::kStaff, 0, false, "sv-3HX8", "E10482", shanghaiTime(2026, 3, 10, 10, 5)};
  identity = identityOf(staff);
  EXPECT_EQ(identity->getValue<std::string>("method"), "staff");
  EXPECT_TRUE(identity->isNull("match_score"));
  EXPECT_TRUE(identity->isNull("liveness_passed"));
  EXPECT_EQ(identity->getValue<std::string>("staff_verifier"), "E10482");
  EXPECT_EQ(identity->getValue<std::string>("reference"), "sv-3HX8");
}

TEST_F(ConsoleApiTest, AnApprovedAccountOpensAndIsFoundInTheAccountsList) {
  const std::string id = awaitingReview();
  Browser b = loggedIn("wang.fang");
  ASSERT_EQ(
      post(b, "/console/api/v1/bank/applications/" + id + "/steps/bank_account/approve").status,
      200);
  completeStep(id, "bank_account");
  completeStep(id, "tax_bank_agreement");
  drive();
  EXPECT_EQ(status(id).state, ApplicationState::kCompleted);

  Response accounts = send(b, "GET", "/console/api/v1/bank/accounts");
  ASSERT_EQ(accounts.status, 200) << accounts.body;
  Poco::JSON::Array::Ptr rows = parse(accounts.body)->getArray("accounts");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->getObject(0)->getValue<std::string>("account_number"), "6222020200112233445");
  EXPECT_EQ(rows->getObject(0)->getValue<std::string>("state"), "completed");
  for (const char* query : {"?q=91370202MA3C", "?q=%E6%B5%B7%E8%93%9D", "?q=2233445"}) {
    Response found = send(b, "GET", std::string("/console/api/v1/bank/accounts") + query);
    EXPECT_EQ(parse(found.body)->getValue<int>("total"), 1) << query;
  }
  EXPECT_EQ(
      parse(send(b, "GET", "/console/api/v1/bank/accounts?q=nothing").body)->getValue<int>("total"),
      0);
  Browser icbc = loggedIn("chen.jie");
  EXPECT_EQ(parse(send(icbc, "GET", "/console/api/v1/bank/accounts").body)->getValue<int>("total"),
            0);
}

TEST_F(ConsoleApiTest, EveryStaffActionIsInTheAuditLogWithTheUser) {
  Browser b = loggedIn("wang.fang");
  const std::string approved = awaitingReview();
  ASSERT_EQ(post(b, "/console/api/v1/bank/applications/" + approved + "/steps/bank_account/approve")
                .status,
            200);
  drive();  // its account request goes out now, before the bank is scripted to refuse one
  const std::string rejected = awaitingReview();
  ASSERT_EQ(post(b, "/console/api/v1/bank/applications/" + rejected + "/steps/bank_account/reject",
                 R"({"reason":"受益所有人信息不一致"})")
                .status,
            200);
  const std::string asked = awaitingReview();
  ASSERT_EQ(
      post(b, "/console/api/v1/bank/applications/" + asked + "/steps/bank_account/request-info",
           R"({"reason":"请补充经营场所证明"})")
          .status,
      200);
  EXPECT_EQ(post(b, "/console/api/v1/bank/applications/" + asked + "/steps/bank_account/reject",
                 R"({"reason":"  "})")
                .status,
            400);  // a reason is required

  // A bank step that the bank refused: an exception to retry, then cancel.
  const std::string failing = awaitingReview();
  bank_.failNextDispatches(1, Error::rejected("core banking refused: KYC hold"));
  ASSERT_EQ(post(b, "/console/api/v1/bank/applications/" + failing + "/steps/bank_account/approve")
                .status,
            200);
  drive();
  EXPECT_EQ(stepOf(status(failing), "bank_account").state, StepState::kFailed);
  Response exceptions = send(b, "GET", "/console/api/v1/bank/exceptions");
  ASSERT_EQ(exceptions.status, 200);
  EXPECT_EQ(idsIn(parse(exceptions.body)->getArray("exceptions"), "application_id"),
            std::set<std::string>{failing})
      << exceptions.body;
  ASSERT_EQ(
      post(b, "/console/api/v1/bank/applications/" + failing + "/steps/bank_account/retry").status,
      200);
  EXPECT_EQ(
      post(b, "/console/api/v1/bank/applications/" + failing + "/steps/registration/retry").status,
      403);  // not the bank's step
  ASSERT_EQ(post(b, "/console/api/v1/bank/applications/" + failing + "/cancel",
                 R"({"reason":"申请人撤回"})")
                .status,
            200);
  EXPECT_EQ(status(failing).state, ApplicationState::kCancelled);

  const auto staffActions = [&](const std::string& id) {
    std::vector<std::string> actions;
    for (const AuditRecord& record : auditOf(id)) {
      if (record.actor == "staff:wang.fang") actions.push_back(record.action);
    }
    return actions;
  };
  const auto contains = [](const std::vector<std::string>& actions, const std::string& part) {
    return std::any_of(actions.begin(), actions.end(), [&](const std::string& action) {
      return action.find(part) != std::string::npos;
    });
  };
  EXPECT_TRUE(contains(staffActions(approved), "approved"))
      << ::testing::PrintToString(staffActions(approved));
  EXPECT_TRUE(contains(staffActions(rejected), "rejected"))
      << ::testing::PrintToString(staffActions(rejected));
  EXPECT_TRUE(contains(staffActions(asked), "more_info"))
      << ::testing::PrintToString(staffActions(asked));
  EXPECT_TRUE(contains(staffActions(failing), "retried"))
      << ::testing::PrintToString(staffActions(failing));
  EXPECT_TRUE(contains(staffActions(failing), "application.state_changed"))
      << ::testing::PrintToString(staffActions(failing));
  EXPECT_TRUE(verifyAuditLog(store()));
}

TEST_F(ConsoleApiTest, AnOperatorSeesOnlyTheirDistrict) {
  const std::string qingdao = awaitingReview("QDBANK", "370202");
  const std::string laoshan = awaitingReview("ICBC", "370212");
  const std::string beijing = awaitingReview("ICBC", "110105");
  ASSERT_TRUE(store().upsertKiosk(
      KioskRecord{"QD-SN-0001", "QDBANK", "370202", "香港中路", true, {}, {}, {}, ""},
      AuditInput{clock_.now(), "admin:test", "", "kiosk.added", "{}"}));
  ASSERT_TRUE(
      store().upsertKiosk(KioskRecord{"BJ-XC-0001", "ICBC", "110102", "西城", true, {}, {}, {}, ""},
                          AuditInput{clock_.now(), "admin:test", "", "kiosk.added", "{}"}));

  Browser qd = loggedIn("li.lei");
  Response dashboard = send(qd, "GET", "/console/api/v1/dashboard?days=7");
  ASSERT_EQ(dashboard.status, 200) << dashboard.body;
  Poco::JSON::Object::Ptr json = parse(dashboard.body);
  EXPECT_EQ(json->getObject("totals")->getValue<int>("started"), 2);
  EXPECT_EQ(json->getValue<std::string>("district"), "3702");
  EXPECT_EQ(idsIn(json->getArray("by_district"), "key"),
            (std::set<std::string>{"370202", "370212"}));
  EXPECT_EQ(idsIn(json->getArray("kiosks"), "kiosk_id"), std::set<std::string>{"QD-SN-0001"});
  Response narrowed = send(qd, "GET", "/console/api/v1/dashboard?district=370212");
  EXPECT_EQ(parse(narrowed.body)->getObject("totals")->getValue<int>("started"), 1);
  EXPECT_EQ(send(qd, "GET", "/console/api/v1/dashboard?district=1101").status, 403);
  EXPECT_EQ(send(qd, "GET", "/console/api/v1/dashboard?district=37").status, 403);
  EXPECT_EQ(send(qd, "GET", "/console/api/v1/dashboard.csv?table=districts&district=11").status,
            403);

  EXPECT_EQ(send(qd, "GET", "/console/api/v1/applications/" + qingdao).status, 200);
  Response drill = send(qd, "GET", "/console/api/v1/applications/" + laoshan);
  ASSERT_EQ(drill.status, 200);
  EXPECT_GT(parse(drill.body)->getArray("history")->size(), 3u);
  EXPECT_EQ(drill.body.find("张伟"), std::string::npos);  // no personal data
  EXPECT_EQ(drill.body.find(kZhangWeiId), std::string::npos);
  EXPECT_EQ(send(qd, "GET", "/console/api/v1/applications/" + beijing).status, 404);

  Response csv = send(qd, "GET", "/console/api/v1/dashboard.csv?table=districts&days=7");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.headers["Content-Type"], "text/csv; charset=utf-8");
  EXPECT_NE(csv.headers["Content-Disposition"].find("kaiban-districts-3702-"), std::string::npos);
  EXPECT_NE(csv.body.find("370212,1,"), std::string::npos) << csv.body;
  EXPECT_EQ(csv.body.find("110105"), std::string::npos);
  EXPECT_EQ(send(qd, "GET", "/console/api/v1/dashboard.csv?table=secrets").status, 400);

  Browser bj = loggedIn("zhou.xin");
  Response beijing_view = send(bj, "GET", "/console/api/v1/dashboard");
  EXPECT_EQ(parse(beijing_view.body)->getObject("totals")->getValue<int>("started"), 1);
  EXPECT_EQ(send(bj, "GET", "/console/api/v1/applications/" + qingdao).status, 404);
  Browser admin = loggedIn("root");
  EXPECT_EQ(parse(send(admin, "GET", "/console/api/v1/dashboard").body)
                ->getObject("totals")
                ->getValue<int>("started"),
            3);
}

TEST_F(ConsoleApiTest, PagesRedirectToLoginAndAssetsAreServedFromMemory) {
  Browser anonymous = browser();
  for (const char* page : {"/", "/bank", "/operator"}) {
    Response response = send(anonymous, "GET", page);
    EXPECT_EQ(response.status, 303) << page;
    EXPECT_EQ(response.headers["Location"], "/login") << page;
  }
  Response login_page = send(anonymous, "GET", "/login");
  ASSERT_EQ(login_page.status, 200);
  EXPECT_NE(login_page.body.find("login.js"), std::string::npos);
  EXPECT_NE(login_page.headers["Content-Security-Policy"].find("script-src 'self'"),
            std::string::npos);
  EXPECT_EQ(login_page.headers["X-Frame-Options"], "DENY");

  Response css = send(anonymous, "GET", "/assets/console.css");
  ASSERT_EQ(css.status, 200);
  EXPECT_EQ(css.headers["Content-Type"], "text/css; charset=utf-8");
  Response again = send(anonymous, "GET", "/assets/console.css", "",
                        Headers{{"If-None-Match", css.headers["ETag"]}});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(send(anonymous, "GET", "/assets/chart.umd.min.js").status, 200);
  EXPECT_EQ(send(anonymous, "GET", "/assets/chart.js-LICENSE.md").status, 404);
  EXPECT_EQ(send(anonymous, "GET", "/assets/..%2F..%2Fbank.html").status, 404);

  Browser staff = loggedIn("wang.fang");
  Response bank = send(staff, "GET", "/bank");
  EXPECT_EQ(bank.status, 200);
  EXPECT_NE(bank.body.find("bank.js"), std::string::npos);
  Browser op = loggedIn("li.lei");
  EXPECT_EQ(send(op, "GET", "/operator").status, 200);
  EXPECT_EQ(send(op, "GET", "/bank").headers["Location"], "/operator");
}

}  // namespace
}  // namespace kaiban::orchestrator::api
