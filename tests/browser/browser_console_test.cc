// The consoles in headless Chromium (Debian's chromium driven by playwright-core) against the
// real kaiban-orchestrator and kaiban-sim: console_flow.mjs signs a bank officer in, who
// approves a KYC review in the page — the application must then run to completion — and signs
// an operator in, whose dashboard must draw its charts with data. The data is what
// `./kaiban up --demo N` produces (kaiban-demo through a real kiosk agent: applications
// submitted at the kiosk, approved and completed, and the kiosk's heartbeats), plus two
// applications at a second bank waiting for its officer.
// Screenshots: <build>/browser-artifacts/console/.

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Parser.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/testing/test_pki.h"
#include "adapters/transport/tls.h"
#include "terminal-agent/app/testing/agent_process.h"
#include "tests/integration/kaiban_harness.h"

namespace kaiban::testing {
namespace {

const std::filesystem::path kChromium = "/usr/bin/chromium";

std::filesystem::path firstExisting(std::initializer_list<const char*> candidates) {
  for (const char* candidate : candidates) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return {};
}

std::string jsonText(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

class BrowserConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kChromium)) {
      GTEST_SKIP() << "\n\n*** BROWSER TEST SKIPPED: " << kChromium
                   << " is missing. Install Debian's chromium (./kaiban deps) to run it. ***\n";
    }
    node_ = firstExisting({"/usr/bin/node", "/usr/local/bin/node", "/usr/bin/nodejs"});
    ASSERT_FALSE(node_.empty()) << "node is missing: ./kaiban deps installs nodejs and npm";
    const std::filesystem::path browser_dir = repoFile("tests/browser");
    if (!std::filesystem::exists(browser_dir / "node_modules" / "playwright-core")) {
      const std::filesystem::path npm = firstExisting({"/usr/bin/npm", "/usr/local/bin/npm"});
      ASSERT_FALSE(npm.empty()) << "npm is missing: ./kaiban deps installs it";
      // The committed package-lock.json pins playwright-core; it drives Debian's chromium, so
      // no browser is downloaded.
      ProcessResult installed = runProcess(
          npm,
          {"ci", "--prefix", browser_dir.string(), "--no-audit", "--no-fund", "--ignore-scripts"},
          std::chrono::minutes(5));
      ASSERT_EQ(installed.exit_code, 0) << "npm ci failed:\n" << installed.out << installed.err;
    }
  }

  std::string addUser(const std::vector<std::string>& arguments) {
    std::vector<std::string> all = {"user", "add"};
    all.insert(all.end(), arguments.begin(), arguments.end());
    all.push_back("--generate-password");
    ProcessResult added = harness_.cli(all);
    EXPECT_EQ(added.exit_code, 0) << added.out << added.err;
    return added.exit_code == 0 ? parseObject(added.out)->getValue<std::string>("password") : "";
  }

  KaibanHarness harness_;
  SystemClock clock_;
  std::filesystem::path node_;
};

TEST_F(BrowserConsoleTest, AnOfficerApprovesAReviewAndAnOperatorSeesTheCharts) {
  harness_.startSim();
  harness_.startOrchestrator({"console.host=127.0.0.1", "console.port=0",
                              "console.password_scrypt_n=1024",
                              "console.dashboard_cache_seconds=0"});
  const int console_port =
      parseObject(readFile(harness_.varDir() / "run" / "orchestrator.ports.json"))
          ->getValue<int>("console");
  const std::string console_url = "https://127.0.0.1:" + std::to_string(console_port);
  const std::string demo_officer_password =
      addUser({"bank.bocqd", "--role", "bank_staff", "--bank", "BOCQD"});
  const std::string officer_password =
      addUser({"wang.fang", "--role", "bank_staff", "--bank", "QDBANK", "--display-name", "王芳"});
  const std::string admin_password = addUser({"root", "--role", "admin"});
  const std::string operator_password =
      addUser({"li.lei", "--role", "gov_operator", "--district", "3702", "--display-name", "李磊"});

  // The dashboard's data is what `./kaiban up --demo N` makes: kaiban-demo walks applications
  // through a real kiosk agent (which also sends the fleet table's heartbeats) and approves
  // their KYC reviews as the BOCQD officer, until every one completes.
  ProcessResult kiosk = harness_.cli({"kiosk", "add", "QD-SN-0001", "--bank", "BOCQD", "--district",
                                      "370202", "--name", "市南区香港中路网点"});
  ASSERT_EQ(kiosk.exit_code, 0) << kiosk.out << kiosk.err;
  agent::testing::AgentProcess agent(harness_.pkiDir(), harness_.dir() / "agent",
                                     harness_.apiPort(), {"--staff-code", "2468"});
  ProcessResult demo =
      runProcess(buildDir() / "terminal-agent" / "demo" / "kaiban-demo",
                 {"--count", "6", "--agent", agent.baseUrl(), "--console", console_url, "--ca",
                  (harness_.pkiDir() / "ca.crt").string(), "--console-user", "bank.bocqd",
                  "--console-password", demo_officer_password, "--timeout", "300s"},
                 std::chrono::minutes(6));
  ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err << "\n"
                               << tailOf(harness_.dir() / "orchestrator.log");

  // Two more, at another bank (QDBANK): its officer approves one of them in the browser.
  const std::filesystem::path batch = harness_.dir() / "qdbank.json";
  std::ofstream(batch) << applicationsJson(2);
  ProcessResult submitted =
      harness_.cli({"submit", "--file", batch.string(), "--kiosk", "QD-SN-0001"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  std::vector<std::string> ids;
  std::istringstream lines(submitted.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) ids.push_back(parseObject(line)->getValue<std::string>("application_id"));
  }
  ASSERT_EQ(ids.size(), 2u);

  // An admin watches through the console's API until both reviews are open.
  transport::HttpsClient console(
      transport::Endpoint{"127.0.0.1", console_port, "console"},
      transport::makeClientContext(transport::TlsFiles{harness_.pkiDir() / "ca.crt", {}, {}, {}}),
      transport::ClientOptions{}, clock_);
  Poco::JSON::Object credentials;
  credentials.set("user", "root");
  credentials.set("password", admin_password);
  Result<transport::Response> login =
      console.post("/console/api/v1/login", jsonText(credentials), "application/json");
  ASSERT_TRUE(login && login->status == 200) << (login ? login->body : login.error().message);
  const std::string cookie =
      login->headers["Set-Cookie"].substr(0, login->headers["Set-Cookie"].find(';'));
  const std::string csrf = parseObject(login->body)->getValue<std::string>("csrf_token");
  const transport::Headers session{{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
  auto reviewOpen = [&](const std::string& id) {
    Result<transport::Response> detail =
        console.get("/console/api/v1/bank/applications/" + id, session);
    return detail && detail->status == 200 &&
           detail->body.find(R"("role":"bank_staff","state":"open")") != std::string::npos;
  };
  ASSERT_TRUE(KaibanHarness::waitUntil(
      [&] { return std::all_of(ids.begin(), ids.end(), reviewOpen); }, std::chrono::seconds(90)))
      << tailOf(harness_.dir() / "orchestrator.log");
  auto stateOf = [&](const std::string& id) {
    for (const Poco::JSON::Object::Ptr& status : harness_.statuses()) {
      if (status->getValue<std::string>("id") == id) {
        return status->getValue<std::string>("state");
      }
    }
    return std::string("missing");
  };

  const std::filesystem::path out = buildDir() / "browser-artifacts" / "console";
  std::filesystem::remove_all(out);
  const std::string in_browser = ids[0];
  ProcessResult run =
      runProcess(node_,
                 {repoFile("tests/browser/console_flow.mjs").string(), "--url", console_url,
                  "--out", out.string(), "--application", in_browser, "--officer", "wang.fang",
                  "--officer-bank", "QDBANK", "--officer-password", officer_password, "--operator",
                  "li.lei", "--operator-password", operator_password, "--completed-at-least", "6"},
                 std::chrono::minutes(4));
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("RESULT "), std::string::npos) << run.out;
  std::set<std::string> shots;
  for (const auto& entry : std::filesystem::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    shots.insert(name.substr(name.find('-') + 1));
  }
  EXPECT_TRUE(shots.count("kyc-review.png")) << "screenshots: " << shots.size();
  EXPECT_TRUE(shots.count("dashboard.png"));

  // The review the officer approved in the page lets the application finish.
  EXPECT_TRUE(KaibanHarness::waitUntil([&] { return stateOf(in_browser) == "completed"; },
                                       std::chrono::seconds(120)))
      << stateOf(in_browser) << "\n"
      << tailOf(harness_.dir() / "orchestrator.log");
  EXPECT_EQ(stateOf(ids[1]), "in_progress");  // the other still waits for the bank
}

}  // namespace
}  // namespace kaiban::testing
