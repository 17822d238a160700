#include "bench/bench_run.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include <sqlite3.h>

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Parser.h"
#include "adapters/bank/bank_codec.h"
#include "bench/application_generator.h"
#include "bench/codec_bench.h"
#include "bench/machine_limits.h"
#include "bench/store_seeder.h"
#include "core/application_json.h"
#include "core/crypto/pii_cipher.h"
#include "terminal-agent/app/testing/agent_process.h"
#include "tests/testing/test_env.h"

namespace kaiban::bench {

namespace {

// Banks of the simulated kiosks; one bank_staff bot user each.
const std::vector<std::string> kBanks = {"BOCQD", "ICBCQD"};
// The kiosk the terminal agent runs as: the dev PKI issues its certificate.
constexpr std::string_view kAgentKiosk = "QD-SN-0001";
constexpr std::string_view kAgentBank = "BOCQD";

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string utcStamp() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &parts);
  return buffer;
}

std::string firstLine(const std::filesystem::path& file, const std::string& prefix) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(prefix)) {
      const std::size_t colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "";
}

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
  try {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

// The agent's local-API form for one company; the applicant comes from the simulated card.
std::string agentForm(const std::string& company) {
  return R"({"enterprise": {"name": ")" + company +
         R"(", "type": "limited_liability_company", "registered_capital": "100万",
             "registered_address": {"division_code": "370202", "detail": "香港中路8号"},
             "business_scope": "软件开发"},
           "legal_representative": {"phone": "13800138000"},
           "shareholders": [{"self": true, "contribution": "100万"}],
           "finance_officer": {"self": true},
           "contact_phone": "13800138000",
           "seal": {"shop": "QD-SEAL-017", "delivery": "pickup"},
           "tax": {"taxpayer_type": "small_scale",
                   "invoices": [{"type": "vat_ordinary", "monthly_quantity": 25}]}})";
}

}  // namespace

BenchRun::BenchRun(BenchOptions options) : options_(std::move(options)) {
  for (int i = 1; i <= options_.kiosks; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "BENCH-%04d", i);
    kiosks_.push_back(KioskAccount{id, kBanks[static_cast<std::size_t>(i) % kBanks.size()]});
  }
}

BenchRun::~BenchRun() {
  if (bot_) bot_->stop();
}

std::vector<std::string> BenchRun::orchestratorSettings() const {
  std::vector<std::string> settings = {
      // One connection thread per kiosk (POCO holds a thread per keep-alive connection), and
      // room for the partners' callbacks.
      "api.threads=" + std::to_string(options_.kiosks + 64),
      "api.max_queued=1024",
      // Partner calls are synchronous: more workers keep more requests in flight while each
      // waits for a simulator's durable commit.
      "dispatcher.threads=16",
  };
  if (console_) settings.push_back("console.port=0");
  settings.insert(settings.end(), options_.orchestrator_settings.begin(),
                  options_.orchestrator_settings.end());
  return settings;
}

void BenchRun::noteProblem(const std::string& problem) {
  problems_.push_back(problem);
  progress_.note("PROBLEM: " + problem);
}

BenchRun::Window BenchRun::window(bool with_versions) {
  Window w;
  w.at = Clock::now();
  Result<StoreCounts> counts = system_.counts(with_versions);
  if (!counts) throw std::runtime_error(counts.error().message);
  w.counts = *counts;
  if (std::optional<ProcessSample> sample = sampleProcess(system_.orchestratorPid())) {
    w.process = *sample;
    peak_rss_mb_ = std::max(peak_rss_mb_, sample->peak_rss_mb);
  }
  if (std::optional<ProcessSample> sim = sampleProcess(system_.simPid())) w.sim = *sim;
  if (std::optional<ProcessSample> self = sampleProcess(getpid())) w.bench = *self;
  return w;
}

std::string BenchRun::loadStatus() const {
  Result<StoreCounts> counts = system_.counts(false);
  std::string text = "accepted " + std::to_string(fleet_ ? fleet_->counters().accepted.load() : 0);
  if (counts) {
    text += "  stored " + std::to_string(counts->applications) + "  completed " +
            std::to_string(counts->completed) + "  in flight " +
            std::to_string(counts->applications - counts->completed);
  }
  if (bot_) {
    text += "  KYC approved " + std::to_string(bot_->approved());
    if (bot_->failures() > 0) text += " (" + std::to_string(bot_->failures()) + " failures)";
  }
  return text;
}

bool BenchRun::drain(std::chrono::seconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    Result<StoreCounts> counts = system_.counts(false);
    if (counts && counts->completed + counts->terminal_other >= counts->applications) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

bool BenchRun::settle(std::chrono::seconds timeout,
                      const std::optional<std::filesystem::path>& database) {
  const Clock::time_point deadline = Clock::now() + timeout;
  long long last = -1;
  for (;;) {
    Result<StoreCounts> counts = system_.counts(true, database);
    if (counts && counts->versions == last) return true;
    if (counts) last = counts->versions;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

void BenchRun::remember(const LoadResult& result, const std::string& phase) {
  accepted_.insert(accepted_.end(), result.applications.begin(), result.applications.end());
  refused_ += result.refused;
  if (result.refused > 0) {
    std::string errors;
    for (const std::string& error : result.errors) errors += "\n    " + error;
    noteProblem(phase + ": " + std::to_string(result.refused) + " submissions refused:" + errors);
  }
}

void BenchRun::setUp() {
  std::atomic<int> issued{0};
  progress_.phase("PKI (kiosk certificates)", [&] {
    return std::to_string(issued.load()) + " of " + std::to_string(kiosks_.size());
  });
  system_.issueKioskCertificates(kiosks_, [&](int done) { issued = done; });

  progress_.phase("start kaiban-sim");
  system_.startSim(options_.sim_delay_ms);
  if (!options_.postgres_url.empty()) {
    const std::string schema = "kaiban_bench_" + std::to_string(std::time(nullptr));
    system_.usePostgres(options_.postgres_url, schema);
    report_.fact("postgres_schema", schema);
  }

  std::atomic<int> registered{0};
  progress_.phase("register kiosks", [&] {
    return std::to_string(registered.load()) + " of " + std::to_string(kiosks_.size() + 1);
  });
  std::vector<KioskAccount> all = kiosks_;
  all.push_back(KioskAccount{std::string(kAgentKiosk), std::string(kAgentBank)});
  system_.registerKiosks(all, [&](int done) { registered = done; });
  console_ = system_.orchestratorHasConsole();
  if (console_) staff_ = system_.addBankStaff(kBanks);

  progress_.phase("start kaiban-orchestrator");
  const double ready = system_.startOrchestrator(orchestratorSettings());
  report_.fact("first_start_to_ready_s", ready);
  fleet_ = std::make_unique<KioskFleet>(system_.pkiDir(), kiosks_, options_.seed);
  fleet_->setApiPort(system_.apiPort());
  if (console_) {
    std::optional<int> console = system_.consolePort();
    if (!console) throw std::runtime_error("kaiban-orchestrator wrote no console port");
    bot_ = std::make_unique<KycBot>(system_.pkiDir() / "ca.crt", *console, staff_);
  } else {
    // This build serves no console yet: officers' approvals come through the CLI.
    bot_ = std::make_unique<CliKycBot>([this] { return system_.approveAllOpenTasks(); });
  }
  report_.fact("kyc_approvals_through",
               std::string(console_ ? "console API" : "CLI task approve-all"));
  bot_->resume();
}

void BenchRun::measureLimits() {
  progress_.phase("machine limits");
  // Rows the size of a stored application: its JSON sealed, plus the other columns.
  ApplicationGenerator generator(options_.seed, 0);
  std::size_t json_bytes = 0;
  constexpr int kSamples = 200;
  for (int i = 0; i < kSamples; ++i) {
    std::ostringstream json;
    toJson(generator.make(2'000'000 + i, "BENCH-0001", "BOCQD"))->stringify(json);
    json_bytes += json.str().size();
  }
  const int row_bytes =
      static_cast<int>(json_bytes / kSamples + crypto::PiiCipher::kOverheadBytes + 160);
  Result<SqliteLimits> sqlite =
      measureSqlite(system_.workDir() / "limits", row_bytes, options_.limit_each);
  if (!sqlite) throw std::runtime_error(sqlite.error().message);
  report_.limit("sqlite_durable_commits_per_s",
                "durable 1-row SQLite commits (WAL, FULL, " + std::to_string(row_bytes) + " B)",
                sqlite->durable_commits_per_s, "commits/s");
  report_.limit("sqlite_normal_commits_per_s", "1-row commits, synchronous=NORMAL (not durable)",
                sqlite->normal_commits_per_s, "commits/s");
  report_.limit("sqlite_batched_rows_per_s", "rows/s, 100 rows per durable commit",
                sqlite->batched_rows_per_s, "rows/s");

  const std::filesystem::path pki = system_.pkiDir();
  const std::string first_kiosk = kiosks_.front().id;
  Result<TlsLimits> tls = measureTls(
      transport::TlsFiles{.ca = pki / "ca.crt",
                          .certificate = pki / "orchestrator" / "server.crt",
                          .private_key = pki / "orchestrator" / "server.key",
                          .crl = pki / "ca.crl"},
      transport::TlsFiles{.ca = pki / "ca.crt",
                          .certificate = pki / "kiosks" / first_kiosk / "client.crt",
                          .private_key = pki / "kiosks" / first_kiosk / "client.key",
                          .crl = std::nullopt},
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency())), options_.limit_each);
  if (!tls) throw std::runtime_error(tls.error().message);
  report_.limit("tls_full_handshakes_per_s", "full mTLS handshakes + 1 exchange (OpenSSL)",
                tls->full_handshakes_per_s, "/s");
  report_.limit("tls_resumed_handshakes_per_s", "resumed mTLS handshakes + 1 exchange (OpenSSL)",
                tls->resumed_handshakes_per_s, "/s");

  const std::filesystem::path schemas = kaiban::testing::repoFile("adapters/schemas/iso20022");
  Result<std::shared_ptr<const adapters::bank::BankCodec>> codec =
      adapters::bank::BankCodec::load(schemas);
  if (!codec) throw std::runtime_error(codec.error().message);
  Result<adapters::bank::AccountOpeningRequest> request =
      sampleAccountOpeningRequest(generator.make(2'100'000, "BENCH-0001", "BOCQD"));
  if (!request) throw std::runtime_error(request.error().message);
  Result<std::string> document = (*codec)->encodeAccountOpeningRequest(*request);
  if (!document) throw std::runtime_error(document.error().message);
  Result<double> xml =
      measureXmlParseValidate(schemas / "acmt.007.001.05.xsd", *document, options_.limit_each);
  if (!xml) throw std::runtime_error(xml.error().message);
  report_.limit(
      "xml_parse_validate_per_s",
      "libxml2 parse + XSD validate, acmt.007 (" + std::to_string(document->size()) + " B)", *xml,
      "docs/s");

  Result<CodecRates> rates = measureBankCodec(**codec, *request, options_.limit_each);
  if (!rates) throw std::runtime_error(rates.error().message);
  const std::string section = "Bank codec (ISO 20022, one thread)";
  report_.figure(section, "codec_encode_acmt007_per_s", "build + validate acmt.007",
                 rates->encode_request_per_s, "msgs/s", "xml_parse_validate_per_s");
  report_.figure(section, "codec_decode_acmt007_per_s", "parse + validate + read acmt.007",
                 rates->decode_request_per_s, "msgs/s", "xml_parse_validate_per_s");
  report_.figure(section, "codec_decode_acmt014_per_s",
                 "parse + validate + read acmt.014 (" + std::to_string(rates->report_bytes) + " B)",
                 rates->decode_report_per_s, "msgs/s", "xml_parse_validate_per_s");
}

void BenchRun::saturate() {
  progress_.phase("warm-up", [this] { return loadStatus(); });
  remember(fleet_->closedLoop(options_.kiosks,
                              options_.quick ? std::chrono::seconds(1) : std::chrono::seconds(2)),
           "warm-up");
  if (!drain(std::chrono::seconds(120))) noteProblem("warm-up applications did not complete");

  progress_.phase("saturate (closed loop)", [this] { return loadStatus(); });
  const Window before = window(true);
  LoadResult result = fleet_->closedLoop(options_.kiosks, options_.saturate);
  const Window after = window(true);
  remember(result, "saturate");
  const double seconds = std::chrono::duration<double>(after.at - before.at).count();
  const double submitted = static_cast<double>(result.accepted) / result.seconds;
  const double completed =
      static_cast<double>(after.counts.completed - before.counts.completed) / seconds;
  const double transitions =
      static_cast<double>(after.counts.versions - before.counts.versions) / seconds;

  progress_.phase("drain", [this] { return loadStatus(); });
  const Window drain_start = window(false);
  const long long backlog = drain_start.counts.applications - drain_start.counts.completed;
  if (!drain(std::chrono::seconds(120 + backlog / 50))) {
    noteProblem("applications of the saturation phase did not complete");
  }
  const Window drained = window(false);
  const double drain_seconds = std::chrono::duration<double>(drained.at - drain_start.at).count();
  const double drain_rate =
      backlog > 0 ? static_cast<double>(drained.counts.completed - drain_start.counts.completed) /
                        drain_seconds
                  : completed;

  const std::string section = "Throughput, saturated (" + std::to_string(options_.kiosks) +
                              " kiosks back to back, " + std::to_string(options_.saturate.count()) +
                              " s)";
  report_.figure(section, "saturated_submissions_per_s", "submissions accepted", submitted, "/s");
  report_.figure(section, "saturated_submit_p50_ms", "submit latency p50",
                 result.latency.percentileMs(0.5), "ms");
  report_.figure(section, "saturated_submit_p99_ms", "submit latency p99",
                 result.latency.percentileMs(0.99), "ms");
  report_.figure(section, "saturated_completed_per_s", "applications completed during the phase",
                 completed, "/s");
  report_.figure(section, "saturated_transitions_per_s", "store state transitions", transitions,
                 "/s", "sqlite_durable_commits_per_s");
  report_.figure(section, "drain_completed_per_s", "completions/s draining the backlog after",
                 drain_rate, "/s");

  // Both rates share the same two cores: the estimate of the sustainable rate is the
  // harmonic combination of the submission and completion capacities, and never less than
  // what completed while saturated.
  const double harmonic =
      submitted > 0 && drain_rate > 0 ? 1.0 / (1.0 / submitted + 1.0 / drain_rate) : 0;
  sustainable_rate_ = options_.rate.value_or(std::max(harmonic, completed));
  report_.fact("sustain_rate_estimate_per_s", sustainable_rate_);
}

void BenchRun::sustain() {
  // Tries the estimated rate; when the backlog grows through the phase, 15 % less (twice at
  // most), so the figure is a rate the system really sustains.
  for (int attempt = 1;; ++attempt) {
    const double rate = sustainable_rate_;
    progress_.phase("sustain " + fixed(rate, 0) + "/s", [this] { return loadStatus(); });
    // The measuring window opens once the pipeline is full at this rate: an application takes
    // seconds from submission to completion, and a window that opened with the load would
    // count the pipeline filling as lost throughput.
    const auto warm = options_.quick ? std::chrono::seconds(2) : std::chrono::seconds(10);
    std::future<LoadResult> load = std::async(std::launch::async, [&] {
      return fleet_->openLoop(options_.kiosks, rate, warm + options_.sustain);
    });
    std::this_thread::sleep_for(warm);
    const Window before = window(true);
    std::this_thread::sleep_for(options_.sustain);
    const Window after = window(true);
    LoadResult result = load.get();
    remember(result, "sustain");
    const double seconds = std::chrono::duration<double>(after.at - before.at).count();
    const long long completed = after.counts.completed - before.counts.completed;
    const long long backlog_growth = (after.counts.applications - after.counts.completed) -
                                     (before.counts.applications - before.counts.completed);
    // What may be in flight at the end anyway: about two seconds of work in the pipeline.
    const bool kept_up = backlog_growth <= static_cast<long long>(rate * 2) + 50;
    if (!kept_up && attempt < 3 && !options_.rate && !options_.quick) {
      progress_.note("backlog grew by " + std::to_string(backlog_growth) + " at " + fixed(rate, 0) +
                     "/s: trying 15 % less");
      if (!drain(std::chrono::seconds(300))) noteProblem("sustain backlog did not complete");
      sustainable_rate_ = rate * 0.85;
      continue;
    }
    const std::string section = "Throughput, sustained (open loop, " +
                                std::to_string(options_.kiosks) + " kiosks, " +
                                std::to_string(options_.sustain.count()) + " s)";
    report_.figure(section, "sustain_offered_per_s", "submissions offered", rate, "/s");
    report_.figure(section, "completed_per_s", "applications completed end to end",
                   static_cast<double>(completed) / seconds, "/s");
    report_.figure(section, "sustain_backlog_growth", "backlog growth over the phase",
                   static_cast<double>(backlog_growth), "applications");
    report_.figure(section, "transitions_per_s", "store state transitions",
                   static_cast<double>(after.counts.versions - before.counts.versions) / seconds,
                   "/s", "sqlite_durable_commits_per_s");
    if (completed > 0) {
      report_.figure(section, "commits_per_application", "store commits per application",
                     static_cast<double>(after.counts.versions - before.counts.versions) /
                         static_cast<double>(completed),
                     "commits");
      report_.figure(section, "cpu_seconds_per_application",
                     "orchestrator CPU per completed application",
                     (after.process.cpu_seconds - before.process.cpu_seconds) /
                         static_cast<double>(completed) * 1000.0,
                     "ms");
    }
    report_.figure(section, "orchestrator_cpu_cores", "orchestrator CPU busy",
                   (after.process.cpu_seconds - before.process.cpu_seconds) / seconds, "cores");
    // Where the machine's cores went: the simulated partners and kiosks share them.
    if (completed > 0) {
      report_.figure(section, "sim_cpu_ms_per_application",
                     "kaiban-sim CPU per completed application",
                     (after.sim.cpu_seconds - before.sim.cpu_seconds) /
                         static_cast<double>(completed) * 1000.0,
                     "ms");
      report_.figure(section, "bench_cpu_ms_per_application",
                     "load generator (kiosks, KYC bot) CPU per application",
                     (after.bench.cpu_seconds - before.bench.cpu_seconds) /
                         static_cast<double>(completed) * 1000.0,
                     "ms");
    }
    report_.figure(section, "sustain_submit_p99_ms", "submit latency p99",
                   result.latency.percentileMs(0.99), "ms");
    report_.fact("sustain_kept_up", kept_up);
    sustainable_rate_ = rate;
    break;
  }
  progress_.phase("drain", [this] { return loadStatus(); });
  if (!drain(std::chrono::seconds(300))) noteProblem("sustain applications did not complete");
}

void BenchRun::latency() {
  const double rate = sustainable_rate_ * options_.latency_load;
  progress_.phase("latency " + fixed(rate, 0) + "/s", [this] { return loadStatus(); });
  LoadResult result = fleet_->openLoop(options_.kiosks, rate, options_.latency);
  remember(result, "latency");
  const std::string section = "Submit latency (open loop, " + std::to_string(options_.kiosks) +
                              " kiosks, " + fixed(options_.latency_load * 100, 0) +
                              " % of the sustained rate = " + fixed(rate, 0) + "/s)";
  report_.figure(section, "submit_p50_ms", "submit latency p50", result.latency.percentileMs(0.5),
                 "ms");
  report_.figure(section, "submit_p99_ms", "submit latency p99", result.latency.percentileMs(0.99),
                 "ms");
  report_.figure(section, "submit_p999_ms", "submit latency p99.9",
                 result.latency.percentileMs(0.999), "ms");
  report_.figure(section, "latency_phase_per_s", "submissions accepted",
                 static_cast<double>(result.accepted) / result.seconds, "/s");
  progress_.phase("drain", [this] { return loadStatus(); });
  if (!drain(std::chrono::seconds(300))) noteProblem("latency applications did not complete");
}

void BenchRun::connections() {
  std::map<std::string, std::vector<std::string>> ids;
  for (const Submitted& submitted : accepted_) {
    ids[submitted.kiosk_id].push_back(submitted.application_id);
  }
  const int threads = std::min(8, options_.kiosks);
  const auto each =
      std::max<std::chrono::milliseconds>(options_.limit_each, std::chrono::milliseconds(1000));
  const std::string section =
      "Kiosk connections (" + std::to_string(threads) + " kiosks asking for status)";
  struct Mode {
    const char* phase;
    const char* key;
    const char* label;
    const char* limit;
  };
  for (const Mode& mode :
       {Mode{"status, keep-alive", "status_keepalive_per_s", "status queries, keep-alive", ""},
        Mode{"status, full handshake", "status_full_handshake_per_s",
             "status over a new connection, full handshake", "tls_full_handshakes_per_s"},
        Mode{"status, resumed", "status_resumed_per_s",
             "status over a new connection, resumed session", "tls_resumed_handshakes_per_s"}}) {
    progress_.phase(mode.phase);
    const transport::ClientStats before = fleet_->linkStats();
    QueryResult result =
        std::string(mode.limit).empty()
            ? fleet_->statusQueries(ids, threads, each)
            : fleet_->reconnectingQueries(ids, threads,
                                          std::string(mode.key) == "status_resumed_per_s", each);
    const transport::ClientStats after = fleet_->linkStats();
    if (result.failed > 0) {
      noteProblem(std::string(mode.phase) + ": " + std::to_string(result.failed) +
                  " status queries failed: " + (result.errors.empty() ? "" : result.errors[0]));
    }
    report_.figure(section, mode.key, mode.label,
                   static_cast<double>(result.answered) / result.seconds, "/s", mode.limit);
    report_.figure(section, std::string(mode.key) + "_p99_ms", std::string(mode.label) + " p99",
                   result.latency.percentileMs(0.99), "ms");
    if (std::string(mode.key) == "status_resumed_per_s") {
      const double opened =
          static_cast<double>(after.connections_opened - before.connections_opened);
      report_.fact(
          "resumed_share",
          opened > 0
              ? static_cast<double>(after.sessions_resumed - before.sessions_resumed) / opened
              : 0.0);
    }
  }
}

void BenchRun::inFlightAndRestart() {
  bot_->pause();
  progress_.phase("in flight: submit", [this] { return loadStatus(); });
  LoadResult result = fleet_->submitCount(options_.kiosks, options_.in_flight);
  remember(result, "in flight");
  progress_.phase("in flight: settle", [this] { return loadStatus(); });
  // Every step before the KYC review runs to its end; then nothing moves until approval.
  if (!settle(std::chrono::seconds(300))) noteProblem("the store did not settle");
  const Window held = window(false);
  const long long in_flight = held.counts.applications - held.counts.completed;
  const std::string section =
      "Memory and restart (" + std::to_string(in_flight) + " applications in flight)";
  report_.figure(section, "rss_in_flight_mb", "orchestrator RSS", held.process.rss_mb, "MB");

  progress_.phase("restart (SIGKILL)");
  system_.killOrchestrator();
  const double ready = system_.startOrchestrator(orchestratorSettings());
  report_.figure(section, "restart_to_ready_s", "restart to ready after SIGKILL", ready, "s");
  fleet_->setApiPort(system_.apiPort());
  if (console_) {
    std::optional<int> console = system_.consolePort();
    if (!console) throw std::runtime_error("the restarted orchestrator has no console port");
    bot_->setPort(*console);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  if (std::optional<ProcessSample> fresh = sampleProcess(system_.orchestratorPid())) {
    report_.figure(section, "rss_after_restart_mb", "orchestrator RSS after the restart",
                   fresh->rss_mb, "MB");
  }
  bot_->resume();
  progress_.phase("in flight: complete", [this] { return loadStatus(); });
  if (!drain(std::chrono::seconds(300 + in_flight / 20))) {
    noteProblem("applications in flight across the restart did not complete");
  }
  report_.fact("in_flight", static_cast<Poco::Int64>(in_flight));
}

void BenchRun::agentMemory() {
  if (options_.agent_submissions == 0) return;
  progress_.phase("kaiban-agent");
  const std::filesystem::path var = system_.workDir() / "agent";
  agent::testing::AgentProcess agent(system_.pkiDir(), var, system_.apiPort());
  const pid_t pid = findProcess("kaiban-agent", var.string());
  std::vector<std::string> references;
  for (int i = 0; i < options_.agent_submissions; ++i) {
    transport::Response started =
        agent.call("POST", "/local/session", R"({"consent_id_card": true, "consent_face": true})");
    Poco::JSON::Object::Ptr session_body = parseObject(started.body);
    const std::string session =
        session_body ? session_body->optValue<std::string>("session", "") : "";
    agent.call("POST", "/local/sim/card",
               R"({"action": "insert", "index": )" + std::to_string(i % 5) + "}");
    agent.call("GET", "/local/card", "", session);
    agent.call("POST", "/local/face-check", "{}", session);
    // Names of their own: the bench kiosks' generator never makes "...测评...".
    transport::Response submitted =
        agent.call("POST", "/local/submit",
                   agentForm("青岛测评" + std::to_string(1000 + i) + "号科技有限公司"), session);
    Poco::JSON::Object::Ptr answer = parseObject(submitted.body);
    if (submitted.status != 202 || !answer) {
      noteProblem("kaiban-agent refused a submission: " + std::to_string(submitted.status) + " " +
                  submitted.body);
      continue;
    }
    references.emplace_back(answer->optValue<std::string>("reference", ""));
    agent.call("POST", "/local/sim/card", R"({"action": "remove"})");
  }
  // Forwarded means the orchestrator acknowledged it (the agent's queue is then empty).
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    transport::Response health = agent.call("GET", "/local/health");
    Poco::JSON::Object::Ptr body = parseObject(health.body);
    Poco::JSON::Object::Ptr queue = body ? body->getObject("queue") : nullptr;
    if (queue && queue->optValue<int>("depth", -1) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  agent_forwarded_ = static_cast<long long>(references.size());
  std::optional<ProcessSample> sample = pid > 0 ? sampleProcess(pid) : std::nullopt;
  if (!sample) {
    noteProblem("could not read kaiban-agent's memory (pid not found)");
  } else {
    report_.figure("Terminal agent (kaiban-agent, " + std::to_string(references.size()) +
                       " submissions through its local API)",
                   "agent_peak_rss_mb", "agent peak RSS (VmHWM)", sample->peak_rss_mb, "MB");
  }
  agent.stop();
  progress_.phase("drain", [this] { return loadStatus(); });
  if (!drain(std::chrono::seconds(120))) noteProblem("the agent's applications did not complete");
}

void BenchRun::checkNothingLost() {
  progress_.phase("check: nothing lost");
  const Window end = window(true);
  peak_rss_mb_ = std::max(peak_rss_mb_, end.process.peak_rss_mb);
  const long long expected = static_cast<long long>(accepted_.size()) + agent_forwarded_;
  if (end.counts.applications != expected) {
    noteProblem("the store holds " + std::to_string(end.counts.applications) +
                " applications; the kiosks had " + std::to_string(expected) + " accepted");
  }
  if (end.counts.completed != end.counts.applications) {
    noteProblem(std::to_string(end.counts.applications - end.counts.completed) +
                " applications did not complete");
  }
  // Every accepted id is there.
  Result<std::set<std::string>> ids = system_.applicationIds();
  if (!ids) noteProblem("cannot read the stored applications: " + ids.error().message);
  const std::set<std::string> stored = ids.valueOr({});
  std::set<std::string> unique;
  long long missing = 0;
  for (const Submitted& submitted : accepted_) {
    unique.insert(submitted.application_id);
    if (!stored.contains(submitted.application_id)) ++missing;
  }
  if (missing > 0) noteProblem(std::to_string(missing) + " accepted applications are not stored");
  if (unique.size() != accepted_.size()) {
    noteProblem(std::to_string(accepted_.size() - unique.size()) +
                " submissions were answered with another submission's application id");
  }
  // Exactly one effect per partner request, and one per step of every application.
  Poco::JSON::Object::Ptr effects = system_.effects();
  Poco::JSON::Object::Ptr partners = effects->getObject("partners");
  const long long applications = end.counts.applications;
  const std::pair<const char*, long long> wanted[] = {{"registry", applications},
                                                      {"seal", applications},
                                                      {"bank", applications},
                                                      {"tax", 2 * applications}};
  for (const auto& [partner, count] : wanted) {
    Poco::JSON::Object::Ptr report = partners->getObject(partner);
    const long long effects_done = report->getValue<long long>("effects");
    if (effects_done != count) {
      noteProblem(std::string(partner) + ": " + std::to_string(effects_done) + " effects for " +
                  std::to_string(count) + " requests");
    }
    const long long repeated = report->getValue<long long>("repeated_effects");
    if (repeated > 0) {
      noteProblem(std::string(partner) + ": " + std::to_string(repeated) +
                  " messages had more than one effect");
    }
  }
  report_.fact("applications", static_cast<Poco::Int64>(applications));
  report_.fact("applications_lost", static_cast<Poco::Int64>(expected - end.counts.completed));
  report_.fact("submissions_refused", static_cast<Poco::Int64>(refused_));
  report_.fact("duplicates_refused_by_partners",
               effects->getObject("totals")->getValue<Poco::Int64>("duplicates_refused"));

  const std::string section = "Store";
  report_.figure("Memory and restart", "peak_rss_mb", "orchestrator peak RSS (VmHWM, both lives)",
                 peak_rss_mb_, "MB");
  progress_.phase("stop kaiban-orchestrator");
  const int exit_code = system_.stopOrchestrator();
  if (exit_code != 0) noteProblem("kaiban-orchestrator exited with " + std::to_string(exit_code));
  if (applications > 0) {
    report_.figure(section, "db_bytes_per_application",
                   "database bytes per application (all tables, after checkpoint)",
                   static_cast<double>(system_.databaseBytes()) / static_cast<double>(applications),
                   "B");
  }
}

void BenchRun::queries() {
  progress_.phase("seeding: templates");
  Result<std::unique_ptr<StoreSeeder>> seeder =
      StoreSeeder::open(system_.database(), system_.keyFile(), 64);
  if (!seeder) throw std::runtime_error(seeder.error().message);
  const std::filesystem::path target = system_.workDir() / "seeded.db";
  std::map<std::string, std::vector<std::string>> ids;
  const int threads = std::min(8, options_.kiosks);
  const auto each =
      std::max<std::chrono::milliseconds>(2 * options_.limit_each, std::chrono::milliseconds(2000));
  std::vector<std::string> settings = orchestratorSettings();
  settings.push_back("store.path=" + target.string());
  for (long long level : options_.query_levels) {
    std::atomic<long long> seeded{0};
    progress_.phase("seeding " + std::to_string(level),
                    [&] { return std::to_string(seeded.load()) + " stored"; });
    if (Result<void> grown = (*seeder)->growTo(target, level, kiosks_, ids,
                                               [&](long long stored) { seeded = stored; });
        !grown) {
      throw std::runtime_error(grown.error().message);
    }
    progress_.phase("queries at " + std::to_string(level));
    system_.startOrchestrator(settings);
    fleet_->setApiPort(system_.apiPort());
    // The previous size's submissions are still in this store, half done: the orchestrator
    // takes them up at start. Status is measured once they rest (at the KYC review), or it
    // would measure that work too.
    if (!settle(std::chrono::seconds(300), target)) {
      noteProblem("the seeded store at " + std::to_string(level) + " did not come to rest");
    }
    // Measured in the steady state: a freshly started orchestrator's page caches are empty,
    // and its first seconds of queries would measure filling them rather than the store's size.
    (void)fleet_->statusQueries(ids, threads, std::chrono::seconds(2));
    const QueryResult status = fleet_->statusQueries(ids, threads, each);
    if (status.failed > 0) {
      noteProblem("status queries at " + std::to_string(level) +
                  " failed: " + (status.errors.empty() ? "" : status.errors[0]));
    }
    const LoadResult submits = fleet_->closedLoop(threads, each);
    if (submits.refused > 0) {
      noteProblem("submissions at " + std::to_string(level) +
                  " refused: " + (submits.errors.empty() ? "" : submits.errors[0]));
    }
    system_.stopOrchestrator();
    const std::string section =
        "Store size (" + std::to_string(threads) + " kiosks, keep-alive, seeded store)";
    const std::string at = std::to_string(level);
    report_.figure(section, "status_p50_ms_at_" + at, "status p50 at " + at + " stored",
                   status.latency.percentileMs(0.5), "ms");
    report_.figure(section, "status_p99_ms_at_" + at, "status p99 at " + at + " stored",
                   status.latency.percentileMs(0.99), "ms");
    report_.figure(section, "status_per_s_at_" + at, "status queries at " + at + " stored",
                   static_cast<double>(status.answered) / status.seconds, "/s");
    report_.figure(section, "submit_p50_ms_at_" + at, "submit p50 at " + at + " stored",
                   submits.latency.percentileMs(0.5), "ms");
    report_.figure(section, "submit_p99_ms_at_" + at, "submit p99 at " + at + " stored",
                   submits.latency.percentileMs(0.99), "ms");
    report_.figure(section, "seeded_db_bytes_per_application_at_" + at,
                   "seeded database bytes per application at " + at,
                   static_cast<double>(system_.databaseBytes(target)) / static_cast<double>(level),
                   "B");
  }
}

void BenchRun::judgeTargets() {
  auto value = [&](const std::string& key) { return report_.value(key).value_or(0.0); };
  const std::string sizes = options_.quick ? " (quick run: reduced sizes)" : "";

  const double completed = value("completed_per_s");
  report_.target("completed applications/s", ">= 500/s for a minute, nothing lost",
                 fixed(completed, 0) + "/s for " + std::to_string(options_.sustain.count()) +
                     " s; " + std::to_string(problems_.size()) + " problems (lost, refused)",
                 completed >= 500 && problems_.empty() && !options_.quick, sizes);

  const double durable = value("sqlite_durable_commits_per_s");
  const double transitions =
      std::max(value("transitions_per_s"), value("saturated_transitions_per_s"));
  report_.target("store transitions/s vs durable commits", ">= 1.0x",
                 fixed(transitions, 0) + "/s = " + fixed(transitions / durable, 2) + "x",
                 transitions >= durable,
                 "the higher of the sustained and saturated phases" + sizes);

  const double p99 = value("submit_p99_ms");
  report_.target("submit p99 at 80% of max, 200 kiosks", "<= 10 ms",
                 fixed(p99, 2) + " ms with " + std::to_string(options_.kiosks) + " kiosks",
                 p99 <= 10 && options_.kiosks >= 200, sizes);

  const double xml = value("xml_parse_validate_per_s");
  const double codec =
      std::min({value("codec_encode_acmt007_per_s"), value("codec_decode_acmt007_per_s"),
                value("codec_decode_acmt014_per_s")});
  report_.target("bank codec vs raw libxml2", ">= 0.7x (each operation)",
                 fixed(codec / xml, 2) + "x (slowest operation)", codec / xml >= 0.7);

  // On PostgreSQL the query phase does not run (the seeded stores are SQLite): no figures.
  if (options_.query_levels.size() >= 2 && options_.postgres_url.empty()) {
    const std::string low = std::to_string(options_.query_levels.front());
    const std::string high = std::to_string(options_.query_levels.back());
    const double status_ratio =
        value("status_p99_ms_at_" + high) / std::max(1e-9, value("status_p99_ms_at_" + low));
    const double submit_ratio =
        value("submit_p99_ms_at_" + high) / std::max(1e-9, value("submit_p99_ms_at_" + low));
    report_.target("status p99 at " + high + " vs " + low, "<= 2x",
                   fixed(status_ratio, 2) + "x (" + fixed(value("status_p99_ms_at_" + high), 2) +
                       " vs " + fixed(value("status_p99_ms_at_" + low), 2) + " ms)",
                   status_ratio <= 2, sizes);
    report_.target("submit p99 at " + high + " vs " + low, "<= 2x (flat)",
                   fixed(submit_ratio, 2) + "x (" + fixed(value("submit_p99_ms_at_" + high), 2) +
                       " vs " + fixed(value("submit_p99_ms_at_" + low), 2) + " ms)",
                   submit_ratio <= 2, sizes);
  }
  const double rss = value("rss_in_flight_mb");
  report_.target("orchestrator RSS, " + std::to_string(options_.in_flight) + " in flight",
                 "<= 150 MB with 10000", fixed(rss, 1) + " MB",
                 rss <= 150 && options_.in_flight >= 10'000, sizes);
  if (report_.value("agent_peak_rss_mb")) {
    const double agent = value("agent_peak_rss_mb");
    report_.target("terminal agent RSS", "<= 40 MB", fixed(agent, 1) + " MB", agent <= 40);
  }
  const double restart = value("restart_to_ready_s");
  report_.target("restart to ready, " + std::to_string(options_.in_flight) + " in flight",
                 "<= 3 s with 10000", fixed(restart, 2) + " s",
                 restart <= 3 && options_.in_flight >= 10'000,
                 "readiness polled every 100 ms by the harness" + sizes);
}

std::filesystem::path BenchRun::writeJson() {
  std::filesystem::path out = options_.out;
  if (out.empty()) {
    out = kaiban::testing::sourceDir() / "bench" / "results" /
          ("kaiban-bench-" + utcStamp() + (options_.quick ? "-quick" : "") + ".json");
  }
  if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
  Poco::JSON::Object::Ptr json = report_.json();
  Poco::JSON::Array::Ptr problems = new Poco::JSON::Array;
  for (const std::string& problem : problems_) problems->add(problem);
  json->set("problems", problems);
  std::ofstream file(out, std::ios::trunc);
  json->stringify(file, 2);
  file << "\n";
  if (!file) throw std::runtime_error("cannot write " + out.string());
  return out;
}

int BenchRun::run() {
  started_ = Clock::now();
  utsname machine{};
  uname(&machine);
  report_.fact("started_utc", utcStamp());
  report_.fact("mode", std::string(options_.quick ? "quick" : "full"));
  report_.fact("host", std::string(machine.nodename));
  report_.fact("kernel", std::string(machine.release));
  report_.fact("cpu", firstLine("/proc/cpuinfo", "model name"));
  report_.fact("cores", static_cast<int>(std::thread::hardware_concurrency()));
  report_.fact("memory", firstLine("/proc/meminfo", "MemTotal"));
  report_.fact("kiosks", options_.kiosks);
  report_.fact("sim_delay_ms", options_.sim_delay_ms);
  report_.fact("seed", static_cast<Poco::UInt64>(options_.seed));
  report_.fact("store", std::string(options_.postgres_url.empty() ? "sqlite" : "postgres"));

  setUp();
  // A phase that fails is a problem of the run, not the end of it: what the other phases
  // measured is still printed and written (a full run takes a quarter of an hour).
  auto phase = [this](const char* name, const std::function<void()>& body) {
    try {
      body();
    } catch (const std::exception& error) {
      noteProblem(std::string(name) + " failed: " + error.what());
    }
  };
  phase("limits", [this] { measureLimits(); });
  phase("saturate", [this] { saturate(); });
  phase("sustain", [this] { sustain(); });
  phase("latency", [this] { latency(); });
  phase("connections", [this] { connections(); });
  phase("in flight and restart", [this] { inFlightAndRestart(); });
  phase("agent", [this] { agentMemory(); });
  phase("check", [this] { checkNothingLost(); });
  // The query phase runs orchestrators of its own on seeded stores; the bot's console is gone.
  bot_->stop();
  if (options_.postgres_url.empty()) {
    phase("queries", [this] { queries(); });
  } else {
    // The seeded stores are SQLite files cloned and grown (store_seeder.h).
    report_.fact("queries", std::string("skipped: store seeding is SQLite-only"));
  }
  report_.fact("kyc_approved", static_cast<Poco::Int64>(bot_->approved()));
  report_.fact("kyc_failures", static_cast<Poco::Int64>(bot_->failures()));
  report_.fact("kyc_last_error", bot_->lastError());
  judgeTargets();
  report_.fact("run_seconds", secondsSince(started_));
  progress_.note("done in " + fixed(secondsSince(started_), 0) + " s");

  report_.printTable(std::cout);
  const std::filesystem::path written = writeJson();
  std::cout << "\nJSON: " << written.string() << "\n";
  if (!problems_.empty()) {
    std::cout << "\nPROBLEMS (" << problems_.size() << "):\n";
    for (const std::string& problem : problems_) std::cout << "  " << problem << "\n";
    return 1;
  }
  return 0;
}

}  // namespace kaiban::bench
