// The consoles of the real kaiban-orchestrator binary, with kaiban-sim behind it: users made
// with `kaiban-orchestrator user add`, logins over HTTPS on the console listener, lockout,
// CSRF, session expiry, bank and district scopes, the audit log of every staff action, an
// application approved in the console running to completion, and `promtool check metrics` on
// the live /metrics.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <set>

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Parser.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/tls.h"
#include "tests/integration/kaiban_harness.h"

namespace kaiban::testing {
namespace {

using transport::Headers;
using transport::Response;

// Settings that make the console quick to test: cheap password hashes, a short lockout and a
// short idle timeout (the lockout and expiry tests wait for them to pass).
const std::vector<std::string> kConsoleSettings = {
    "console.host=127.0.0.1",           "console.port=0",
    "console.password_scrypt_n=16",     "console.max_failures=3",
    "console.lockout_seconds=2",        "console.session_idle_seconds=4",
    "console.dashboard_cache_seconds=0"};

std::string jsonText(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

class ConsoleIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    harness_.startSim();
    harness_.startOrchestrator(kConsoleSettings);
    const Poco::JSON::Object::Ptr ports =
        parseObject(readFile(harness_.varDir() / "run" / "orchestrator.ports.json"));
    ASSERT_TRUE(ports->has("console")) << jsonText(*ports);
    console_port_ = ports->getValue<int>("console");
  }

  // `user add` with a generated password; returns the password.
  std::string addUser(const std::string& name, const std::string& role,
                      const std::string& scope_option = "", const std::string& scope = "") {
    std::vector<std::string> arguments = {"user",   "add", name,
                                          "--role", role,  "--generate-password"};
    if (!scope_option.empty()) {
      arguments.push_back(scope_option);
      arguments.push_back(scope);
    }
    ProcessResult added = harness_.cli(arguments);
    EXPECT_EQ(added.exit_code, 0) << added.out << added.err;
    if (added.exit_code != 0) return "";
    Poco::JSON::Object::Ptr json = parseObject(added.out);
    EXPECT_EQ(json->getValue<std::string>("role"), role);
    passwords_[name] = json->getValue<std::string>("password");
    return passwords_[name];
  }

  struct Session {
    std::unique_ptr<transport::HttpsClient> client;
    std::string cookie;
    std::string csrf;
  };

  Session browser() {
    Session session;
    session.client = std::make_unique<transport::HttpsClient>(
        transport::Endpoint{"127.0.0.1", console_port_, "console"},
        transport::makeClientContext(transport::TlsFiles{harness_.pkiDir() / "ca.crt", {}, {}, {}}),
        transport::ClientOptions{}, clock_);
    return session;
  }

  Response send(Session& s, const std::string& method, const std::string& path,
                const std::string& body = "{}", Headers headers = {}) {
    if (!s.cookie.empty()) headers.emplace("Cookie", s.cookie);
    Result<Response> response = method == "GET"
                                    ? s.client->get(path, headers)
                                    : s.client->post(path, body, "application/json", headers);
    EXPECT_TRUE(response) << response.error();
    return response ? *response : Response{};
  }

  Response post(Session& s, const std::string& path, const std::string& body = "{}") {
    return send(s, "POST", path, body, Headers{{"X-CSRF-Token", s.csrf}});
  }

  Response login(Session& s, const std::string& user, const std::string& password) {
    Poco::JSON::Object body;
    body.set("user", user);
    body.set("password", password);
    Response response = send(s, "POST", "/console/api/v1/login", jsonText(body));
    if (response.status == 200) {
      const std::string cookie = response.headers["Set-Cookie"];
      s.cookie = cookie.substr(0, cookie.find(';'));
      s.csrf = parseObject(response.body)->getValue<std::string>("csrf_token");
    }
    return response;
  }

  Session loggedIn(const std::string& user) {
    Session s = browser();
    Response response = login(s, user, passwords_[user]);
    EXPECT_EQ(response.status, 200) << response.body;
    return s;
  }

  // Submits `count` applications through the CLI, changed by `edit`; returns their ids.
  std::vector<std::string> submit(int count, int first,
                                  const std::function<void(Poco::JSON::Object&)>& edit) {
    Poco::JSON::Array::Ptr batch = Poco::JSON::Parser()
                                       .parse(applicationsJson(count, first))
                                       .extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < batch->size(); ++i) edit(*batch->getObject(static_cast<unsigned>(i)));
    const std::filesystem::path file =
        harness_.dir() / ("batch-" + std::to_string(first) + ".json");
    std::ostringstream text;
    batch->stringify(text);
    std::ofstream(file) << text.str();
    ProcessResult submitted =
        harness_.cli({"submit", "--file", file.string(), "--kiosk", "QD-SN-0001"});
    EXPECT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
    std::vector<std::string> ids;
    std::istringstream lines(submitted.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) ids.push_back(parseObject(line)->getValue<std::string>("application_id"));
    }
    return ids;
  }

  // Waits until the bank's KYC review of every id is open (the simulators finished the
  // steps before it), as `admin` sees it.
  bool reviewsOpen(const std::vector<std::string>& ids) {
    Session admin = loggedIn("root");
    return KaibanHarness::waitUntil(
        [&] {
          Response reviews = send(admin, "GET", "/console/api/v1/bank/reviews?state=open");
          if (reviews.status != 200) return false;
          std::set<std::string> open;
          Poco::JSON::Array::Ptr rows = parseObject(reviews.body)->getArray("reviews");
          for (size_t i = 0; i < rows->size(); ++i) {
            open.insert(
                rows->getObject(static_cast<unsigned>(i))->getValue<std::string>("application_id"));
          }
          return std::all_of(ids.begin(), ids.end(),
                             [&](const std::string& id) { return open.count(id) > 0; });
        },
        std::chrono::seconds(60));
  }

  std::string stateOf(const std::string& id) {
    for (const Poco::JSON::Object::Ptr& status : harness_.statuses()) {
      if (status->getValue<std::string>("id") == id) {
        return status->getValue<std::string>("state");
      }
    }
    return "missing";
  }

  // (actor, action, application id) of every audit entry, read from the database file.
  std::vector<std::tuple<std::string, std::string, std::string>> auditLog() {
    std::vector<std::tuple<std::string, std::string, std::string>> entries;
    sqlite3* db = nullptr;
    const std::string path = (harness_.varDir() / "orchestrator.db").string();
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path;
      sqlite3_close(db);
      return entries;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* query = nullptr;
    sqlite3_prepare_v2(db, "SELECT actor, action, application_id FROM audit_log ORDER BY seq", -1,
                       &query, nullptr);
    while (sqlite3_step(query) == SQLITE_ROW) {
      auto text = [&](int column) {
        const unsigned char* value = sqlite3_column_text(query, column);
        return value == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(value));
      };
      entries.emplace_back(text(0), text(1), text(2));
    }
    sqlite3_finalize(query);
    sqlite3_close(db);
    return entries;
  }

  KaibanHarness harness_;
  SystemClock clock_;
  int console_port_ = 0;
  std::map<std::string, std::string> passwords_;
};

TEST_F(ConsoleIntegrationTest, LoginLockoutCsrfAndSessionExpiry) {
  addUser("wang.fang", "bank_staff", "--bank", "QDBANK");
  ProcessResult listed = harness_.cli({"user", "list"});
  ASSERT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.out.find("\"wang.fang\""), std::string::npos);
  EXPECT_EQ(listed.out.find("scrypt"), std::string::npos);  // never the hash

  Session s = browser();
  Response ok = login(s, "wang.fang", passwords_["wang.fang"]);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.headers["Set-Cookie"].find("HttpOnly; SameSite=Strict"), std::string::npos);
  EXPECT_NE(ok.headers["Set-Cookie"].find("Secure"), std::string::npos);
  EXPECT_EQ(send(s, "GET", "/console/api/v1/session").status, 200);

  // CSRF: a state change without the token, or with a wrong one, is refused.
  EXPECT_EQ(send(s, "POST", "/console/api/v1/logout").status, 403);
  EXPECT_EQ(send(s, "POST", "/console/api/v1/logout", "{}", Headers{{"X-CSRF-Token", "x"}}).status,
            403);
  EXPECT_EQ(send(s, "GET", "/console/api/v1/session").status, 200);  // still logged in

  // Expiry: idle for longer than console.session_idle_seconds (4 s) ends the session.
  const auto last_use = std::chrono::steady_clock::now();
  ASSERT_TRUE(KaibanHarness::waitUntil(
      [&] { return std::chrono::steady_clock::now() - last_use > std::chrono::seconds(5); },
      std::chrono::seconds(10)));
  EXPECT_EQ(send(s, "GET", "/console/api/v1/session").status, 401);

  // Lockout after three failures, lifted after console.lockout_seconds (2 s).
  Session other = browser();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login(other, "wang.fang", "not the password").status, 401);
  Response locked = login(other, "wang.fang", passwords_["wang.fang"]);
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_TRUE(KaibanHarness::waitUntil(
      [&] { return login(other, "wang.fang", passwords_["wang.fang"]).status == 200; },
      std::chrono::seconds(15)));

  // A disabled user cannot log in, and their session ends.
  Session before = loggedIn("wang.fang");
  ASSERT_EQ(harness_.cli({"user", "disable", "wang.fang"}).exit_code, 0);
  EXPECT_EQ(send(before, "GET", "/console/api/v1/session").status, 401);
  EXPECT_EQ(login(other, "wang.fang", passwords_["wang.fang"]).status, 401);

  std::set<std::string> actions;
  for (const auto& [actor, action, application] : auditLog()) {
    if (actor == "staff:wang.fang") actions.insert(action);
  }
  EXPECT_EQ(actions,
            (std::set<std::string>{"console.login", "console.login_failed",
                                   "console.login_failed.locked", "console.login_refused"}));
}

TEST_F(ConsoleIntegrationTest, ScopesStaffActionsAuditAndCompletionMetrics) {
  addUser("wang.fang", "bank_staff", "--bank", "QDBANK");
  addUser("chen.jie", "bank_staff", "--bank", "ICBC");
  addUser("li.lei", "gov_operator", "--district", "3702");
  addUser("zhou.xin", "gov_operator", "--district", "1101");
  addUser("root", "admin");

  const std::vector<std::string> qingdao = submit(2, 0, [](Poco::JSON::Object&) {});
  const std::vector<std::string> icbc =
      submit(1, 10, [](Poco::JSON::Object& application) { application.set("bank_code", "ICBC"); });
  const std::vector<std::string> beijing = submit(1, 20, [](Poco::JSON::Object& application) {
    application.getObject("enterprise")
        ->getObject("registered_address")
        ->set("division_code", "110105");
  });
  ASSERT_EQ(qingdao.size(), 2u);
  ASSERT_EQ(icbc.size(), 1u);
  ASSERT_EQ(beijing.size(), 1u);
  std::vector<std::string> all = qingdao;
  all.insert(all.end(), icbc.begin(), icbc.end());
  all.insert(all.end(), beijing.begin(), beijing.end());
  ASSERT_TRUE(reviewsOpen(all)) << tailOf(harness_.dir() / "orchestrator.log");

  // A bank officer sees and decides only her bank's reviews; another bank's id is 404.
  Session qd = loggedIn("wang.fang");
  Response reviews = send(qd, "GET", "/console/api/v1/bank/reviews");
  ASSERT_EQ(reviews.status, 200);
  EXPECT_EQ(parseObject(reviews.body)->getArray("reviews")->size(), 3u);  // 2 Qingdao + Beijing
  const std::string foreign = "/console/api/v1/bank/applications/" + icbc[0];
  EXPECT_EQ(send(qd, "GET", foreign).status, 404);
  EXPECT_EQ(send(qd, "GET", "/console/api/v1/bank/applications/KB0000000000000Z").status, 404);
  EXPECT_EQ(post(qd, foreign + "/steps/bank_account/approve").status, 404);
  EXPECT_EQ(post(qd, foreign + "/cancel", R"({"reason":"x"})").status, 404);
  EXPECT_EQ(stateOf(icbc[0]), "in_progress");

  // Her decisions: approve one, ask for more on the other.
  const std::string approve =
      "/console/api/v1/bank/applications/" + qingdao[0] + "/steps/bank_account/approve";
  EXPECT_EQ(send(qd, "POST", approve).status, 403);  // no CSRF token: nothing happens
  ASSERT_EQ(post(qd, approve).status, 200);
  ASSERT_EQ(
      post(qd,
           "/console/api/v1/bank/applications/" + qingdao[1] + "/steps/bank_account/request-info",
           R"({"reason":"请补充经营场所证明"})")
          .status,
      200);
  Session other_bank = loggedIn("chen.jie");
  ASSERT_EQ(post(other_bank, foreign + "/steps/bank_account/reject", R"({"reason":"KYC"})").status,
            200);

  // The approved application runs to completion with the simulators.
  EXPECT_TRUE(KaibanHarness::waitUntil([&] { return stateOf(qingdao[0]) == "completed"; },
                                       std::chrono::seconds(90)))
      << stateOf(qingdao[0]) << "\n"
      << tailOf(harness_.dir() / "orchestrator.log");
  Response accounts = send(qd, "GET", "/console/api/v1/bank/accounts");
  EXPECT_EQ(parseObject(accounts.body)->getValue<int>("total"), 1) << accounts.body;
  EXPECT_EQ(stateOf(qingdao[1]), "needs_attention");
  EXPECT_EQ(stateOf(icbc[0]), "rejected");

  // Every staff action is in the audit log with the user who took it.
  std::set<std::pair<std::string, std::string>> staff;  // (actor, application)
  for (const auto& [actor, action, application] : auditLog()) {
    if (actor.rfind("staff:", 0) == 0 && !application.empty()) staff.emplace(actor, application);
  }
  EXPECT_TRUE(staff.count({"staff:wang.fang", qingdao[0]}));
  EXPECT_TRUE(staff.count({"staff:wang.fang", qingdao[1]}));
  EXPECT_TRUE(staff.count({"staff:chen.jie", icbc[0]}));
  EXPECT_FALSE(staff.count({"staff:wang.fang", icbc[0]}));
  ProcessResult verified = harness_.cli({"audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  // Operators see their district only.
  Session city = loggedIn("li.lei");
  Response dashboard = send(city, "GET", "/console/api/v1/dashboard?days=7");
  ASSERT_EQ(dashboard.status, 200) << dashboard.body;
  Poco::JSON::Object::Ptr totals = parseObject(dashboard.body)->getObject("totals");
  EXPECT_EQ(totals->getValue<int>("started"), 3);
  EXPECT_EQ(totals->getValue<int>("completed"), 1);
  EXPECT_EQ(send(city, "GET", "/console/api/v1/applications/" + beijing[0]).status, 404);
  EXPECT_EQ(send(city, "GET", "/console/api/v1/applications/" + qingdao[0]).status, 200);
  EXPECT_EQ(send(city, "GET", "/console/api/v1/dashboard?district=1101").status, 403);
  Session capital = loggedIn("zhou.xin");
  EXPECT_EQ(parseObject(send(capital, "GET", "/console/api/v1/dashboard").body)
                ->getObject("totals")
                ->getValue<int>("started"),
            1);
  EXPECT_EQ(send(capital, "GET", "/console/api/v1/bank/reviews").status, 403);

  // The live /metrics passes promtool and counts what just happened.
  transport::Response metrics = harness_.admin("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("kaiban_applications{state=\"completed\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("listener=\"console\""), std::string::npos);
  EXPECT_NE(metrics.body.find("kaiban_partner_requests_total{operation=\"bank.dispatch\","
                              "partner=\"bank\"}"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("kaiban_step_duration_seconds_count{step=\"registration\"}"),
            std::string::npos);
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "\n\n*** promtool CHECK SKIPPED: promtool is not installed. Install Debian's "
                    "prometheus package (./kaiban deps) to run it. ***\n";
  }
  const std::filesystem::path file = harness_.dir() / "metrics.txt";
  std::ofstream(file) << metrics.body;
  ProcessResult checked =
      runProcess("/bin/sh", {"-c", "promtool check metrics < '" + file.string() + "'"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
}

}  // namespace
}  // namespace kaiban::testing
