#include "bench/bench_system.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "Poco/JSON/Parser.h"
#include "bench/application_generator.h"
#include "bench/measure.h"
#include "orchestrator/store/postgres/pg.h"

namespace kaiban::bench {

namespace {

std::string readText(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs kaiban-orchestrator's CLI through the harness; throws with its output on failure.
std::string cliOrThrow(kaiban::testing::KaibanHarness& harness,
                       const std::vector<std::string>& arguments) {
  kaiban::testing::ProcessResult result = harness.cli(arguments);
  if (result.exit_code != 0) {
    std::string command;
    for (const std::string& word : arguments) command += " " + word;
    throw std::runtime_error("kaiban-orchestrator" + command + " failed (" +
                             std::to_string(result.exit_code) + "): " + result.err + result.out);
  }
  return result.out;
}

}  // namespace

BenchSystem::BenchSystem() = default;
BenchSystem::~BenchSystem() = default;

void BenchSystem::usePostgres(const std::string& server_url, const std::string& schema) {
  Result<std::unique_ptr<orchestrator::pg::Connection>> db =
      orchestrator::pg::Connection::open(server_url, std::chrono::milliseconds{0});
  if (!db) throw std::runtime_error("--postgres: " + db.error().message);
  if (Result<void> created = (*db)->run("CREATE SCHEMA " + schema); !created) {
    throw std::runtime_error("--postgres: " + created.error().message);
  }
  const char separator = server_url.find('?') == std::string::npos ? '?' : '&';
  postgres_url_ = server_url + separator + "options=-csearch_path%3D" + schema;
}

std::vector<std::string> BenchSystem::withStore(std::vector<std::string> arguments) const {
  if (!onPostgres()) return arguments;
  std::vector<std::string> all = {"--set", "store=postgres", "--set",
                                  "postgres.url=" + postgres_url_};
  all.insert(all.end(), arguments.begin(), arguments.end());
  return all;
}

void BenchSystem::issueKioskCertificates(const std::vector<KioskAccount>& kiosks,
                                         const std::function<void(int)>& progress) {
  const std::filesystem::path script = kaiban::testing::repoFile("certs/make-dev-pki.sh");
  int done = 0;
  for (const KioskAccount& kiosk : kiosks) {
    if (!std::filesystem::exists(pkiDir() / "kiosks" / kiosk.id / "client.crt")) {
      kaiban::testing::ProcessResult result = kaiban::testing::runProcess(
          "/bin/bash",
          {script.string(), "--out", pkiDir().string(), "--add-kiosk", kiosk.id, kiosk.bank});
      if (result.exit_code != 0) {
        throw std::runtime_error("make-dev-pki.sh --add-kiosk " + kiosk.id +
                                 " failed: " + result.err + result.out);
      }
    }
    if (progress) progress(++done);
  }
}

void BenchSystem::startSim(int delay_ms) {
  // Later options win over the harness's test settings: no partner delay unless asked, and
  // enough callback threads for hundreds of results a second.
  harness_.startSim({"--delay-ms", std::to_string(delay_ms), "--callback-threads", "16",
                     "--callback-retry-ms", "50", "--callback-retry-max-ms", "1000"});
}

void BenchSystem::registerKiosks(const std::vector<KioskAccount>& kiosks,
                                 const std::function<void(int)>& progress) {
  int done = 0;
  for (const KioskAccount& kiosk : kiosks) {
    const std::string_view district =
        kQingdaoDistricts[static_cast<std::size_t>(done) % std::size(kQingdaoDistricts)];
    cliOrThrow(harness_, withStore({"kiosk", "add", kiosk.id, "--bank", kiosk.bank, "--district",
                                    std::string(district), "--name", "bench kiosk " + kiosk.id}));
    if (progress) progress(++done);
  }
}

std::vector<StaffLogin> BenchSystem::addBankStaff(const std::vector<std::string>& banks) {
  std::vector<StaffLogin> logins;
  for (const std::string& bank : banks) {
    std::string user = "bench-kyc-" + bank;
    // User names are lower case.
    std::transform(user.begin(), user.end(), user.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string out =
        cliOrThrow(harness_, withStore({"user", "add", user, "--role", "bank_staff", "--bank", bank,
                                        "--generate-password"}));
    Poco::JSON::Object::Ptr created = kaiban::testing::parseObject(out);
    logins.push_back(StaffLogin{user, created->getValue<std::string>("password")});
  }
  return logins;
}

bool BenchSystem::orchestratorHasConsole() {
  kaiban::testing::ProcessResult help =
      kaiban::testing::runProcess(harness_.orchestratorBinary(), {"--help"});
  return help.out.find("console.port") != std::string::npos;
}

Result<long long> BenchSystem::approveAllOpenTasks() {
  kaiban::testing::ProcessResult result =
      harness_.cli(withStore({"task", "approve-all", "--actor", "bench-kyc"}));
  if (result.exit_code != 0) {
    return Error::unavailable("task approve-all failed: " + result.err);
  }
  try {
    return kaiban::testing::parseObject(result.out)->getValue<long long>("approved");
  } catch (const Poco::Exception& error) {
    return Error::corrupt("task approve-all printed " + result.out + ": " + error.displayText());
  }
}

double BenchSystem::startOrchestrator(const std::vector<std::string>& settings) {
  settings_ = settings;
  if (onPostgres()) {
    settings_.push_back("store=postgres");
    settings_.push_back("postgres.url=" + postgres_url_);
  }
  const Clock::time_point start = Clock::now();
  harness_.startOrchestrator(settings_);
  return secondsSince(start);
}

void BenchSystem::killOrchestrator() { harness_.killOrchestrator(); }

int BenchSystem::stopOrchestrator() { return harness_.stopOrchestrator(); }

pid_t BenchSystem::orchestratorPid() { return harness_.orchestrator().pid(); }

pid_t BenchSystem::simPid() const {
  // The harness keeps its simulator's pid to itself; its data directory names it.
  return findProcess("kaiban-sim", (workDir() / "sim").string());
}

std::optional<int> BenchSystem::consolePort() const {
  const std::filesystem::path file = varDir() / "run" / "orchestrator.ports.json";
  try {
    Poco::JSON::Object::Ptr ports = kaiban::testing::parseObject(readText(file));
    if (ports->has("console")) return ports->getValue<int>("console");
  } catch (const Poco::Exception&) {
    // No ports file (yet), or not JSON: no console.
  }
  return std::nullopt;
}

Result<StoreCounts> BenchSystem::counts(
    bool with_versions, const std::optional<std::filesystem::path>& database) const {
  if (onPostgres() && !database) {
    Result<std::unique_ptr<orchestrator::pg::Connection>> db =
        orchestrator::pg::Connection::open(postgres_url_, std::chrono::milliseconds{0});
    if (!db) return db.error();
    Result<orchestrator::pg::Rows> rows = (*db)->execute(
        with_versions ? "SELECT count(*), count(*) FILTER (WHERE state = 'completed'), count(*) "
                        "FILTER (WHERE state IN ('rejected', 'cancelled', 'needs_attention')), "
                        "coalesce(sum(version), 0) FROM applications"
                      : "SELECT count(*), count(*) FILTER (WHERE state = 'completed'), count(*) "
                        "FILTER (WHERE state IN ('rejected', 'cancelled', 'needs_attention')), 0 "
                        "FROM applications");
    if (!rows) return rows.error();
    return StoreCounts{rows->int64(0, 0), rows->int64(0, 1), rows->int64(0, 2), rows->int64(0, 3)};
  }
  const std::filesystem::path file = database.value_or(this->database());
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db(raw, sqlite3_close_v2);
  if (opened != SQLITE_OK) {
    return Error::unavailable("cannot read " + file.string() + ": " + sqlite3_errmsg(raw));
  }
  sqlite3_busy_timeout(raw, 5000);
  StoreCounts counts;
  // Counted from the state index alone, cheap enough to ask every second.
  const std::string by_state = "SELECT state, count(*) FROM applications GROUP BY state";
  const std::string versions = "SELECT coalesce(sum(version), 0) FROM applications";
  for (const std::string& sql : {by_state, versions}) {
    if (sql == versions && !with_versions) continue;
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      return Error::unavailable("cannot read " + file.string() + ": " + sqlite3_errmsg(raw));
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> finalize(statement,
                                                                        sqlite3_finalize);
    int code = SQLITE_ROW;
    while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
      if (sql == versions) {
        counts.versions = sqlite3_column_int64(statement, 0);
        continue;
      }
      const std::string state = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
      const long long n = sqlite3_column_int64(statement, 1);
      counts.applications += n;
      if (state == "completed") counts.completed += n;
      if (state == "rejected" || state == "cancelled" || state == "needs_attention") {
        counts.terminal_other += n;
      }
    }
    if (code != SQLITE_DONE) {
      return Error::unavailable("cannot read " + file.string() + ": " + sqlite3_errmsg(raw));
    }
  }
  return counts;
}

long long BenchSystem::databaseBytes(const std::optional<std::filesystem::path>& database) const {
  if (onPostgres() && !database) {
    Result<std::unique_ptr<orchestrator::pg::Connection>> db =
        orchestrator::pg::Connection::open(postgres_url_, std::chrono::milliseconds{0});
    if (!db) return 0;
    Result<orchestrator::pg::Rows> rows = (*db)->execute(
        "SELECT coalesce(sum(pg_total_relation_size(format('%I.%I', table_schema, "
        "table_name))), 0) FROM information_schema.tables WHERE table_schema = current_schema()");
    return rows ? rows->int64(0, 0) : 0;
  }
  const std::filesystem::path file = database.value_or(this->database());
  long long bytes = 0;
  for (const std::string& suffix : {std::string(), std::string("-wal")}) {
    std::error_code error;
    const auto size = std::filesystem::file_size(file.string() + suffix, error);
    if (!error) bytes += static_cast<long long>(size);
  }
  return bytes;
}

Result<std::set<std::string>> BenchSystem::applicationIds() const {
  std::set<std::string> ids;
  if (onPostgres()) {
    Result<std::unique_ptr<orchestrator::pg::Connection>> db =
        orchestrator::pg::Connection::open(postgres_url_, std::chrono::milliseconds{0});
    if (!db) return db.error();
    Result<orchestrator::pg::Rows> rows = (*db)->execute("SELECT id FROM applications");
    if (!rows) return rows.error();
    for (int row = 0; row < rows->size(); ++row) ids.insert(rows->text(row, 0));
    return ids;
  }
  sqlite3* raw = nullptr;
  sqlite3_open_v2(database().c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db(raw, sqlite3_close_v2);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(raw, "SELECT id FROM applications", -1, &statement, nullptr) !=
      SQLITE_OK) {
    return Error::unavailable("cannot read " + database().string() + ": " + sqlite3_errmsg(raw));
  }
  while (sqlite3_step(statement) == SQLITE_ROW) {
    ids.insert(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
  }
  sqlite3_finalize(statement);
  return ids;
}

}  // namespace kaiban::bench
