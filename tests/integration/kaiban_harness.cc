#include "tests/integration/kaiban_harness.h"

#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Parser.h"
#include "adapters/partner_codec/partner_test_support.h"
#include "adapters/transport/testing/test_pki.h"
#include "core/application_json.h"

namespace kaiban::testing {

namespace {

constexpr auto kStartTimeout = std::chrono::seconds(90);

// Chinese digits keep generated names in the form real names have.
std::string chineseNumber(int number) {
  static const char* const kDigits[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
  std::string text;
  for (char digit : std::to_string(number)) text += kDigits[digit - '0'];
  return text;
}

std::string readFileText(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string applicationsJson(int count, int first) {
  Poco::JSON::Array array;
  for (int i = first; i < first + count; ++i) {
    Application application = adapters::testing::sampleApplication();
    application.enterprise.name = "青岛海风" + chineseNumber(i) + "号软件科技有限公司";
    array.add(toJson(application));
  }
  std::ostringstream out;
  array.stringify(out);
  return out.str();
}

KaibanHarness::KaibanHarness() { api_port_ = freeLoopbackPort(); }

KaibanHarness::~KaibanHarness() {
  for (std::unique_ptr<ChildProcess>* process : {&orchestrator_, &sim_}) {
    if (!*process) continue;
    (*process)->signal(SIGTERM);
    (*process)->waitFor(std::chrono::seconds(20));
    process->reset();
  }
}

std::filesystem::path KaibanHarness::pkiDir() const {
  return transport::testing::TestPki::shared().dir();
}

std::filesystem::path KaibanHarness::orchestratorBinary() const {
  return buildDir() / "orchestrator" / "kaiban-orchestrator";
}

bool KaibanHarness::waitUntil(const std::function<bool()>& condition,
                              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

int KaibanHarness::readSimPort(const std::string& name) {
  Poco::JSON::Object::Ptr ports = parseObject(readFileText(dir() / "sim-ports.json"));
  return ports->getValue<int>(name);
}

void KaibanHarness::startSim(const std::vector<std::string>& extra) {
  const std::filesystem::path ports_file = dir() / "sim-ports.json";
  std::vector<std::string> arguments = {
      "--pki",
      pkiDir().string(),
      "--data",
      (dir() / "sim").string(),
      "--ports",
      "registry=0,seal=0,bank=0,tax=0,people=0,sms=0",
      "--control-port",
      "0",
      "--ports-file",
      ports_file.string(),
      "--callback-url",
      "https://127.0.0.1:" + std::to_string(api_port_),
      "--delay-ms",
      "100",
      "--callback-retry-ms",
      "100",
      "--callback-retry-max-ms",
      "1000",
      "--callback-timeout-ms",
      "3000",
      "--callback-threads",
      "4",
  };
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  sim_ = std::make_unique<ChildProcess>(buildDir() / "adapters" / "sim" / "kaiban-sim", arguments,
                                        dir() / "sim.log");
  const bool up = waitUntil([&] { return sim_->exited() || std::filesystem::exists(ports_file); },
                            kStartTimeout);
  if (!up || sim_->exited()) {
    throw std::runtime_error("kaiban-sim did not start:\n" + tailOf(dir() / "sim.log"));
  }
  control_port_ = readSimPort("control");
  partner_settings_.clear();
  for (const char* partner : {"registry", "seal", "bank", "tax", "people", "sms"}) {
    partner_settings_.push_back(std::string("partners.") + partner +
                                ".port=" + std::to_string(readSimPort(partner)));
  }
}

std::vector<std::string> KaibanHarness::commonArguments() const {
  std::vector<std::string> arguments = {"--var", varDir().string(), "--pki", pkiDir().string()};
  std::vector<std::string> settings = {
      "api.host=127.0.0.1",
      "api.port=" + std::to_string(api_port_),
      "admin.port=0",
      "console.port=0",  // several orchestrators run at once in tests: no fixed ports
      "dispatcher.owner=orchestrator-under-test",
      "partners.read_timeout_ms=3000",
      "log.file=" + (dir() / "orchestrator.log").string(),
  };
  settings.insert(settings.end(), partner_settings_.begin(), partner_settings_.end());
  settings.insert(settings.end(), settings_.begin(), settings_.end());
  for (const std::string& setting : settings) {
    arguments.push_back("--set");
    arguments.push_back(setting);
  }
  return arguments;
}

void KaibanHarness::startOrchestrator(const std::vector<std::string>& settings) {
  settings_ = settings;
  const std::filesystem::path ports_file = varDir() / "run" / "orchestrator.ports.json";
  // A killed predecessor leaves its ports file behind: only this process's own counts.
  std::filesystem::remove(ports_file);
  orchestrator_ = std::make_unique<ChildProcess>(orchestratorBinary(), commonArguments(),
                                                 dir() / "orchestrator.out");
  const pid_t pid = orchestrator_->pid();
  const bool ready = waitUntil(
      [&] {
        if (orchestrator_->exited()) return true;
        if (!std::filesystem::exists(ports_file)) return false;
        Poco::JSON::Object::Ptr ports = parseObject(readFileText(ports_file));
        if (ports->getValue<int>("pid") != pid) return false;
        admin_port_ = ports->getValue<int>("admin");
        Result<transport::Response> readyz =
            transport::HttpsClient(transport::Endpoint{"127.0.0.1", admin_port_, "admin"}, nullptr,
                                   {}, clock_)
                .get("/readyz");
        return readyz && readyz->status == 200;
      },
      kStartTimeout);
  if (!ready || orchestrator_->exited()) {
    throw std::runtime_error("kaiban-orchestrator did not become ready:\n" +
                             tailOf(dir() / "orchestrator.out") +
                             tailOf(dir() / "orchestrator.log"));
  }
}

void KaibanHarness::killOrchestrator() {
  orchestrator_->signal(SIGKILL);
  orchestrator_->waitFor(std::chrono::seconds(30));
}

int KaibanHarness::stopOrchestrator() {
  orchestrator_->signal(SIGTERM);
  return orchestrator_->waitFor(std::chrono::seconds(60)).value_or(-1);
}

ProcessResult KaibanHarness::cli(const std::vector<std::string>& arguments) {
  std::vector<std::string> all = commonArguments();
  all.insert(all.end(), arguments.begin(), arguments.end());
  return runProcess(orchestratorBinary(), all);
}

Poco::JSON::Object::Ptr KaibanHarness::effects(bool by_message) {
  // A report over the whole ledger: after a full benchmark, hundreds of thousands of messages.
  transport::ClientOptions options;
  options.read_timeout = std::chrono::seconds(60);
  Result<transport::Response> response =
      transport::HttpsClient(transport::Endpoint{"127.0.0.1", control_port_, "sim control"},
                             nullptr, options, clock_)
          .get(by_message ? "/effects" : "/effects?by_message=0");
  if (!response || response->status != 200) {
    throw std::runtime_error("GET /effects failed: " +
                             (response ? response->body : response.error().message));
  }
  return parseObject(response->body);
}

bool KaibanHarness::waitForTexts(int count, std::chrono::milliseconds timeout) {
  return waitUntil(
      [&] {
        return effects()->getObject("partners")->getObject("sms")->getValue<int>("effects") >=
               count;
      },
      timeout);
}

Poco::JSON::Object::Ptr KaibanHarness::summary() {
  ProcessResult result = cli({"summary"});
  if (result.exit_code != 0) throw std::runtime_error("summary failed: " + result.err);
  return parseObject(result.out);
}

std::vector<Poco::JSON::Object::Ptr> KaibanHarness::statuses() {
  ProcessResult result = cli({"status", "--all"});
  if (result.exit_code != 0) throw std::runtime_error("status --all failed: " + result.err);
  std::vector<Poco::JSON::Object::Ptr> all;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) all.push_back(parseObject(line));
  }
  return all;
}

transport::Response KaibanHarness::admin(const std::string& path) {
  Result<transport::Response> response =
      transport::HttpsClient(transport::Endpoint{"127.0.0.1", admin_port_, "admin"}, nullptr, {},
                             clock_)
          .get(path);
  if (!response) throw std::runtime_error("GET " + path + ": " + response.error().message);
  return *response;
}

EffectCounts expectCompletedExactlyOnce(const std::vector<Poco::JSON::Object::Ptr>& statuses,
                                        const Poco::JSON::Object& effects,
                                        int expected_applications) {
  static const std::map<std::string, std::string> kPartnerOfAdapter = {{"registry", "registry"},
                                                                       {"seal", "seal"},
                                                                       {"bank", "bank"},
                                                                       {"tax_registration", "tax"},
                                                                       {"tax_agreement", "tax"}};
  static const char* const kOutputs[] = {"uscc",        "licence_ref",    "seal_codes",
                                         "taxpayer_id", "account_number", "agreement_ref"};
  EffectCounts counts;
  counts.applications = static_cast<int>(statuses.size());
  EXPECT_EQ(counts.applications, expected_applications) << "applications lost or invented";

  std::map<std::string, std::set<std::string>> expected_messages;  // by partner
  std::set<std::string> usccs;
  std::set<std::string> accounts;
  for (const Poco::JSON::Object::Ptr& status : statuses) {
    const std::string id = status->getValue<std::string>("id");
    if (status->getValue<std::string>("state") == "completed") ++counts.completed;
    EXPECT_EQ(status->getValue<std::string>("state"), "completed") << id;
    Poco::JSON::Object::Ptr outputs = status->getObject("outputs");
    for (const char* output : kOutputs) {
      EXPECT_TRUE(outputs->has(output) && !outputs->getValue<std::string>(output).empty())
          << id << " has no " << output;
    }
    if (outputs->has("uscc")) usccs.insert(outputs->getValue<std::string>("uscc"));
    if (outputs->has("account_number")) {
      accounts.insert(outputs->getValue<std::string>("account_number"));
    }
    Poco::JSON::Array::Ptr steps = status->getArray("steps");
    for (std::size_t i = 0; i < steps->size(); ++i) {
      Poco::JSON::Object::Ptr step = steps->getObject(static_cast<unsigned>(i));
      const std::string partner = kPartnerOfAdapter.at(step->getValue<std::string>("adapter"));
      expected_messages[partner].insert(step->getValue<std::string>("message_id"));
    }
  }
  EXPECT_EQ(static_cast<int>(usccs.size()), expected_applications) << "USCCs shared or missing";
  EXPECT_EQ(static_cast<int>(accounts.size()), expected_applications)
      << "accounts shared or missing";

  Poco::JSON::Object::Ptr partners = effects.getObject("partners");
  for (const auto& [partner, messages] : expected_messages) {
    Poco::JSON::Object::Ptr report = partners->getObject(partner);
    Poco::JSON::Object::Ptr by_message = report->getObject("by_message");
    std::set<std::string> seen;
    for (const std::string& message : by_message->getNames()) {
      seen.insert(message);
      EXPECT_EQ(by_message->getValue<int>(message), 1) << partner << " " << message;
    }
    EXPECT_EQ(seen, messages) << partner << ": the simulator's messages differ from the steps'";
    EXPECT_EQ(report->getValue<int>("effects"), static_cast<int>(messages.size())) << partner;
    counts.partner_effects += report->getValue<int>("effects");
    counts.duplicates_refused += report->getValue<int>("duplicates_refused");
  }
  Poco::JSON::Object::Ptr sms = partners->getObject("sms");
  Poco::JSON::Object::Ptr sms_messages = sms->getObject("by_message");
  for (const std::string& message : sms_messages->getNames()) {
    EXPECT_EQ(sms_messages->getValue<int>(message), 1) << "sms " << message;
  }
  counts.sms = sms->getValue<int>("effects");
  EXPECT_EQ(counts.sms, 2 * expected_applications) << "one text at submission, one at completion";
  counts.duplicates_refused += sms->getValue<int>("duplicates_refused");
  return counts;
}

}  // namespace kaiban::testing
