#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_options.h"
#include "bench/bench_system.h"
#include "bench/kiosk_fleet.h"
#include "bench/kyc_bot.h"
#include "bench/measure.h"
#include "bench/progress.h"
#include "bench/report.h"

// One run of kaiban-bench, phase by phase (docs/performance.md describes each):
//   set-up       PKI with a certificate per kiosk, kaiban-sim, kiosk registry, bank staff,
//                kaiban-orchestrator, the KYC bot
//   limits       the machine's limits with the raw libraries, and the bank codec
//   saturate     every kiosk submits back to back: maximum submission and completion rates
//   sustain      open loop at the maximum sustainable rate: completed applications/s, store
//                state transitions/s, CPU per application
//   latency      open loop at 80 % of it with every kiosk: submit latency percentiles
//   connections  status queries over new connections: full and resumed mutual-TLS handshakes
//   in flight    N applications held at the KYC review: RSS, then SIGKILL and restart
//   agent        one kaiban-agent submitting through its local API: its peak RSS
//   check        every accepted application completed, every partner effect exactly once
//   queries      the store seeded to each level: status-query and submit latency
// and the report: a table on standard output and the JSON file.
namespace kaiban::bench {

class BenchRun {
 public:
  explicit BenchRun(BenchOptions options);
  ~BenchRun();

  // Runs every phase and writes the report. 0 when the run completed and lost nothing;
  // 1 when an application was lost, refused or completed twice; throws std::runtime_error
  // when the system under test cannot be set up or stops answering.
  int run();

 private:
  struct Window {
    Clock::time_point at;
    StoreCounts counts;
    ProcessSample process;  // the orchestrator
    ProcessSample sim;      // kaiban-sim
    ProcessSample bench;    // this process: the simulated kiosks and the KYC bot
  };

  void setUp();
  void measureLimits();
  void saturate();
  void sustain();
  void latency();
  void connections();
  void inFlightAndRestart();
  void agentMemory();
  void checkNothingLost();
  void queries();
  void judgeTargets();
  std::filesystem::path writeJson();

  Window window(bool with_versions);
  // Waits until every stored application is completed; false after `timeout`.
  bool drain(std::chrono::seconds timeout);
  // Waits until the store (default: the load run's; or `database`) stops changing (no commit
  // for a second); false after `timeout`.
  bool settle(std::chrono::seconds timeout,
              const std::optional<std::filesystem::path>& database = {});
  void remember(const LoadResult& result, const std::string& phase);
  std::string loadStatus() const;
  std::vector<std::string> orchestratorSettings() const;
  void noteProblem(const std::string& problem);

  BenchOptions options_;
  Report report_;
  Progress progress_;
  BenchSystem system_;
  std::vector<KioskAccount> kiosks_;
  std::vector<StaffLogin> staff_;
  std::unique_ptr<KioskFleet> fleet_;
  std::unique_ptr<ReviewApprover> bot_;
  bool console_ = false;  // the orchestrator serves the staff console
  Clock::time_point started_;

  std::vector<Submitted> accepted_;  // every application a simulated kiosk had accepted
  long long agent_forwarded_ = 0;    // submissions kaiban-agent forwarded
  long long refused_ = 0;
  std::vector<std::string> problems_;  // anything lost, doubled or refused
  double sustainable_rate_ = 0;
  double peak_rss_mb_ = 0;
};

}  // namespace kaiban::bench
