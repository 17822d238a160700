#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bench/kiosk_fleet.h"
#include "bench/kyc_bot.h"
#include "core/result.h"
#include "tests/integration/kaiban_harness.h"

// The system under test: kaiban-sim and kaiban-orchestrator as real processes on loopback
// ports in a temporary var/ with a fresh PKI (tests/integration's KaibanHarness), plus what
// the bench adds: one kiosk certificate per simulated kiosk (certs/make-dev-pki.sh
// --add-kiosk), their registration (`kaiban-orchestrator kiosk add`), bank staff for the KYC
// bot (`kaiban-orchestrator user add`), and a read-only look into the database.
namespace kaiban::bench {

// What the database holds right now.
struct StoreCounts {
  long long applications = 0;
  long long completed = 0;
  long long terminal_other = 0;  // rejected, cancelled, needs_attention: never expected here
  long long versions = 0;        // sum of application versions = application commits so far
};

class BenchSystem {
 public:
  BenchSystem();
  ~BenchSystem();
  BenchSystem(const BenchSystem&) = delete;
  BenchSystem& operator=(const BenchSystem&) = delete;

  // Issues a client certificate for every kiosk (skipping those the PKI has).
  // `progress(done)` after each. Throws std::runtime_error with the script's output on failure.
  void issueKioskCertificates(const std::vector<KioskAccount>& kiosks,
                              const std::function<void(int)>& progress);

  // Starts kaiban-sim with results after `delay_ms` (0: at once).
  void startSim(int delay_ms);

  // Puts the orchestrator's store (and every command's) on the PostgreSQL server at
  // `server_url`, in a new schema named `schema`. REQUIRES: before registerKiosks. Throws
  // std::runtime_error if the server refuses.
  void usePostgres(const std::string& server_url, const std::string& schema);
  bool onPostgres() const { return !postgres_url_.empty(); }

  // Registers the kiosks (district: the Qingdao districts in turn) and makes one bank_staff
  // user per bank, returning their logins. REQUIRES: startSim. Throws on failure.
  void registerKiosks(const std::vector<KioskAccount>& kiosks,
                      const std::function<void(int)>& progress);
  std::vector<StaffLogin> addBankStaff(const std::vector<std::string>& banks);

  // Whether this build's kaiban-orchestrator serves the staff console (its --help lists
  // console.port).
  bool orchestratorHasConsole();
  // `kaiban-orchestrator task approve-all` once: how many reviews it approved.
  Result<long long> approveAllOpenTasks();

  // Starts (or restarts) the orchestrator with `settings` (--set key=value), waits for
  // /readyz. Seconds from the start of the process to ready.
  double startOrchestrator(const std::vector<std::string>& settings);
  void killOrchestrator();  // SIGKILL, as a crash
  int stopOrchestrator();   // SIGTERM; its exit code

  pid_t orchestratorPid();
  pid_t simPid() const;
  int apiPort() const { return harness_.apiPort(); }
  // The console listener's port from the ports file, or nullopt when it has none.
  std::optional<int> consolePort() const;

  std::filesystem::path pkiDir() const { return harness_.pkiDir(); }
  std::filesystem::path varDir() const { return harness_.varDir(); }
  std::filesystem::path workDir() const { return harness_.dir(); }
  std::filesystem::path database() const { return varDir() / "orchestrator.db"; }
  std::filesystem::path keyFile() const { return pkiDir() / "keys" / "orchestrator.key"; }
  std::filesystem::path orchestratorLog() const { return workDir() / "orchestrator.log"; }

  // The simulator's /effects.
  // The simulators' effect counts, without per-message lists (a full run has 300 thousand).
  Poco::JSON::Object::Ptr effects() { return harness_.effects(false); }

  // Counts in `database` (default: the orchestrator's, on PostgreSQL its schema), read-only
  // beside the running orchestrator. `with_versions` sums versions too (a scan of the table).
  Result<StoreCounts> counts(bool with_versions,
                             const std::optional<std::filesystem::path>& database = {}) const;

  // Bytes the database file and its WAL take on disk (on PostgreSQL: the schema's tables and
  // indexes).
  long long databaseBytes(const std::optional<std::filesystem::path>& database = {}) const;

  // Ids of every stored application.
  Result<std::set<std::string>> applicationIds() const;

 private:
  // `arguments` for kaiban-orchestrator's command line, after the store's settings.
  std::vector<std::string> withStore(std::vector<std::string> arguments) const;

  kaiban::testing::KaibanHarness harness_;
  std::vector<std::string> settings_;
  std::string postgres_url_;  // with the bench's schema; "" on SQLite
};

}  // namespace kaiban::bench
