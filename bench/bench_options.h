#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

// kaiban-bench's command line.
namespace kaiban::bench {

struct BenchOptions {
  bool help = false;
  bool quick = false;  // the smoke-test sizes below, under a minute on a release build
  int kiosks = 200;    // simulated kiosks (each with its own certificate and connection)
  int sim_delay_ms = 0;
  std::chrono::seconds saturate{20};  // closed loop at full speed: the maximum rates
  std::chrono::seconds sustain{60};   // open loop at the maximum sustainable rate
  std::chrono::seconds latency{30};   // open loop at latency_load x that rate, all kiosks
  double latency_load = 0.8;
  std::optional<double> rate;  // the sustain phase's rate; default: measured
  long long in_flight = 10'000;
  std::vector<long long> query_levels{1'000, 100'000, 1'000'000};
  int agent_submissions = 20;
  std::chrono::milliseconds limit_each{2000};  // per machine-limit figure
  std::uint64_t seed = 1;
  std::filesystem::path out;  // JSON result; default bench/results/kaiban-bench-<time>.json
  std::vector<std::string> orchestrator_settings;  // extra --set for the orchestrator
  // --postgres URL: the orchestrator's store on this PostgreSQL server, in a fresh schema
  // (kaiban_bench_<time>, left there for inspection); "" runs on SQLite.
  std::string postgres_url;
};

// Parses `arguments` (without the program name). --quick first sets the quick sizes; options
// after it still override them. kInvalidInput naming the option for anything unknown or
// malformed.
Result<BenchOptions> parseBenchOptions(const std::vector<std::string>& arguments);

std::string benchUsage();

}  // namespace kaiban::bench
