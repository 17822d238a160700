// The kiosk screen in headless Chromium (Debian's chromium driven by playwright-core), against
// the real system: kaiban-sim (every partner), kaiban-orchestrator (SQLite) and kaiban-agent
// with simulated devices. kiosk_flow.mjs walks the whole flow once in Chinese (face check) and
// once in English (staff verification, courier delivery, inactivity clearing); each
// application must then reach `completed` once a bank officer approves the KYC review.
// Screenshots: <build>/browser-artifacts/<lang>/.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "adapters/transport/testing/test_pki.h"
#include "terminal-agent/app/testing/agent_process.h"
#include "terminal-agent/link/json_text.h"
#include "terminal-agent/link/testing/fake_orchestrator.h"
#include "tests/integration/child_process.h"
#include "tests/integration/kaiban_harness.h"
#include "tests/testing/test_env.h"

namespace kaiban {
namespace {

using agent::testing::AgentProcess;
using kaiban::testing::KaibanHarness;
using kaiban::testing::ProcessResult;

const std::filesystem::path kChromium = "/usr/bin/chromium";

std::filesystem::path findNode() {
  for (const char* candidate : {"/usr/bin/node", "/usr/local/bin/node", "/usr/bin/nodejs"}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return {};
}

std::filesystem::path findNpm() {
  for (const char* candidate : {"/usr/bin/npm", "/usr/local/bin/npm"}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return {};
}

// One person of the simulator's people-data set (adapters/sim/data/people.csv).
struct Resident {
  std::string id_number;
  std::string name;
  std::string sex;
  std::string birth_date;
  std::string address;
};

std::vector<Resident> residents(size_t count) {
  std::ifstream in(kaiban::testing::repoFile("adapters/sim/data/people.csv"));
  std::vector<Resident> people;
  std::string line;
  std::getline(in, line);  // header
  while (people.size() < count && std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) cells.push_back(cell);
    if (cells.size() == 5) people.push_back({cells[0], cells[1], cells[2], cells[3], cells[4]});
  }
  return people;
}

// A simulated card deck of people the people-data platform knows, so the screen's pre-fill
// comes from the platform, as at a real kiosk.
std::filesystem::path writeDeck(const std::filesystem::path& dir,
                                const std::vector<Resident>& people) {
  Poco::JSON::Array::Ptr cards = new Poco::JSON::Array;
  for (const Resident& person : people) {
    Poco::JSON::Object::Ptr card = new Poco::JSON::Object;
    card->set("name", person.name);
    card->set("sex", person.sex);
    card->set("ethnicity", "汉");
    card->set("birth_date", person.birth_date);
    card->set("address", person.address);
    card->set("id_number", person.id_number);
    card->set("issuing_authority", "青岛市公安局");
    card->set("valid_from", "2020-01-01");
    card->set("valid_until", "long_term");
    cards->add(card);
  }
  Poco::JSON::Object deck;
  deck.set("cards", cards);
  const std::filesystem::path file = dir / "browser-cards.json";
  std::ofstream(file) << agent::json::stringify(deck);
  return file;
}

class BrowserKioskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kChromium)) {
      GTEST_SKIP() << "\n\n*** BROWSER TEST SKIPPED: " << kChromium
                   << " is missing. Install Debian's chromium (./kaiban deps) to run it. ***\n";
    }
    node_ = findNode();
    ASSERT_FALSE(node_.empty()) << "node is missing: ./kaiban deps installs nodejs and npm";
    const std::filesystem::path browser_dir = kaiban::testing::repoFile("tests/browser");
    if (!std::filesystem::exists(browser_dir / "node_modules" / "playwright-core")) {
      const std::filesystem::path npm = findNpm();
      ASSERT_FALSE(npm.empty()) << "npm is missing: ./kaiban deps installs it";
      // The committed package-lock.json pins playwright-core; no browser is downloaded (it
      // drives Debian's chromium).
      ProcessResult installed = kaiban::testing::runProcess(
          npm,
          {"ci", "--prefix", browser_dir.string(), "--no-audit", "--no-fund", "--ignore-scripts"},
          std::chrono::minutes(5));
      ASSERT_EQ(installed.exit_code, 0) << "npm ci failed:\n" << installed.out << installed.err;
    }
  }

  // Runs kiosk_flow.mjs; returns the application id it reports. Screenshots go to
  // <build>/browser-artifacts/<set>/<lang>/.
  std::string walk(const AgentProcess& kiosk, const std::string& set, const std::string& lang,
                   const std::vector<std::string>& extra) {
    const std::filesystem::path out =
        kaiban::testing::buildDir() / "browser-artifacts" / set / (lang == "en" ? "en" : "zh-CN");
    std::filesystem::remove_all(out);
    std::vector<std::string> arguments = {
        kaiban::testing::repoFile("tests/browser/kiosk_flow.mjs").string(),
        "--url",
        kiosk.baseUrl(),
        "--lang",
        lang,
        "--out",
        out.string()};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    ProcessResult run = kaiban::testing::runProcess(node_, arguments, std::chrono::minutes(4));
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err << "\nagent log:\n" << kiosk.log();
    const size_t at = run.out.find("RESULT ");
    if (at == std::string::npos) return "";
    const std::string line = run.out.substr(at + 7, run.out.find('\n', at) - at - 7);
    Result<Poco::JSON::Object::Ptr> result = agent::json::parseObject(line, "RESULT");
    return result.ok() ? agent::json::stringMember(**result, "application_id").value_or("") : "";
  }

  std::filesystem::path node_;
};

TEST_F(BrowserKioskTest, TheWholeKioskFlowInBothLanguagesEndsInCompletedApplications) {
  KaibanHarness harness;
  harness.startSim();
  harness.startOrchestrator();
  ProcessResult added = harness.cli({"kiosk", "add", "QD-SN-0001", "--bank", "BOCQD", "--district",
                                     "370202", "--name", "browser test lobby"});
  ASSERT_EQ(added.exit_code, 0) << added.out << added.err;

  const std::vector<Resident> people = residents(4);
  ASSERT_EQ(people.size(), 4u);
  const std::filesystem::path deck = writeDeck(harness.dir(), people);
  AgentProcess kiosk(harness.pkiDir(), harness.dir() / "agent", harness.apiPort(),
                     {"--sim-cards", deck.string(), "--staff-code", "2468", "--idle-timeout", "20s",
                      "--set", "session.idle_warning=8s"});

  const std::string zh =
      walk(kiosk, "system", "zh-CN",
           {"--card", "0", "--partner-id", people[1].id_number, "--partner-name", people[1].name,
            "--company", "青岛浏览器测试科技有限公司", "--staff-code", "2468"});
  const std::string en =
      walk(kiosk, "system", "en",
           {"--card", "2", "--partner-id", people[3].id_number, "--partner-name", people[3].name,
            "--company", "青岛英文界面测试有限公司", "--staff-code", "2468", "--idle"});
  ASSERT_FALSE(zh.empty());
  ASSERT_FALSE(en.empty());
  EXPECT_NE(zh, en);

  // A bank officer approves the KYC reviews; both applications then complete.
  auto stateOf = [&](const std::string& id) {
    for (const Poco::JSON::Object::Ptr& status : harness.statuses()) {
      if (agent::json::stringMember(*status, "id") == id) {
        return agent::json::stringMember(*status, "state").value_or("");
      }
    }
    return std::string("missing");
  };
  const bool completed = KaibanHarness::waitUntil(
      [&] {
        harness.cli({"task", "approve-all", "--actor", "browser-officer"});
        return stateOf(zh) == "completed" && stateOf(en) == "completed";
      },
      std::chrono::minutes(3));
  EXPECT_TRUE(completed) << zh << ": " << stateOf(zh) << ", " << en << ": " << stateOf(en) << "\n"
                         << kaiban::testing::tailOf(harness.dir() / "orchestrator.log");
  EXPECT_EQ(harness.statuses().size(), 2u) << "each submission arrived exactly once";
  EXPECT_EQ(kiosk.stop(), 0);
}

// The same walk against the agent and a stand-in orchestrator (link/testing/): proves the
// screen and the agent without depending on the engine, and checks exactly what arrived.
TEST_F(BrowserKioskTest, TheWholeKioskFlowInBothLanguagesAgainstAStandInOrchestrator) {
  kaiban::testing::TempDir dir;
  const transport::testing::TestPki& pki = transport::testing::TestPki::shared();
  agent::testing::FakeOrchestrator orchestrator(pki.server(false));
  const std::vector<Resident> people = residents(4);
  ASSERT_EQ(people.size(), 4u);
  for (const Resident& person : people) {
    orchestrator.addPerson(person.id_number,
                           {person.name, person.sex, person.birth_date, person.address});
  }
  const std::filesystem::path deck = writeDeck(dir.path(), people);
  AgentProcess kiosk(pki.dir(), dir.path() / "agent", orchestrator.port(),
                     {"--sim-cards", deck.string(), "--staff-code", "2468", "--idle-timeout", "20s",
                      "--set", "session.idle_warning=8s"});
  const std::string zh =
      walk(kiosk, "stand-in", "zh-CN",
           {"--card", "0", "--partner-id", people[1].id_number, "--partner-name", people[1].name,
            "--company", "青岛浏览器测试科技有限公司", "--staff-code", "2468"});
  const std::string en =
      walk(kiosk, "stand-in", "en",
           {"--card", "2", "--partner-id", people[3].id_number, "--partner-name", people[3].name,
            "--company", "青岛英文界面测试有限公司", "--staff-code", "2468", "--idle"});
  std::vector<agent::testing::FakeOrchestrator::Submission> received = orchestrator.submissions();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].application_id, zh);
  EXPECT_EQ(received[1].application_id, en);
  // The applicant on the card is the legal representative; the partner typed in is a
  // shareholder; courier delivery was chosen in English.
  EXPECT_NE(received[0].body.find(people[0].id_number), std::string::npos);
  EXPECT_NE(received[0].body.find(people[1].id_number), std::string::npos);
  EXPECT_NE(received[1].body.find("\"delivery\":\"courier\""), std::string::npos);
  EXPECT_EQ(kiosk.stop(), 0);
}

}  // namespace
}  // namespace kaiban
