#include "bench/bench_options.h"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace kaiban::bench {

namespace {

Result<long long> integer(const std::string& option, const std::string& text, long long low,
                          long long high) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    return Error::invalidInput(option + " wants a whole number from " + std::to_string(low) +
                                   " to " + std::to_string(high) + ", not '" + text + "'",
                               option);
  }
  return value;
}

Result<double> real(const std::string& option, const std::string& text, double low, double high) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && value >= low && value <= high) return value;
  } catch (const std::exception&) {
    // Reported below.
  }
  return Error::invalidInput(option + " wants a number from " + std::to_string(low) + " to " +
                                 std::to_string(high) + ", not '" + text + "'",
                             option);
}

void setQuick(BenchOptions& options) {
  options.quick = true;
  options.kiosks = 8;
  options.saturate = std::chrono::seconds(2);
  options.sustain = std::chrono::seconds(5);
  options.latency = std::chrono::seconds(4);
  options.in_flight = 200;
  options.query_levels = {1'000, 10'000};
  options.agent_submissions = 3;
  options.limit_each = std::chrono::milliseconds(500);
}

}  // namespace

Result<BenchOptions> parseBenchOptions(const std::vector<std::string>& arguments) {
  BenchOptions options;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& name = arguments[i];
    if (name == "--help" || name == "-h") {
      options.help = true;
      continue;
    }
    if (name == "--quick") {
      setQuick(options);
      continue;
    }
    if (i + 1 >= arguments.size()) return Error::invalidInput(name + " needs a value", name);
    const std::string& value = arguments[++i];
    auto seconds = [&](std::chrono::seconds& into) -> Result<void> {
      Result<long long> parsed = integer(name, value, 1, 3600);
      if (!parsed) return parsed.error();
      into = std::chrono::seconds(*parsed);
      return ok();
    };
    Result<void> done = ok();
    if (name == "--kiosks") {
      Result<long long> parsed = integer(name, value, 1, 2000);
      if (!parsed) return parsed.error();
      options.kiosks = static_cast<int>(*parsed);
    } else if (name == "--sim-delay-ms") {
      Result<long long> parsed = integer(name, value, 0, 600'000);
      if (!parsed) return parsed.error();
      options.sim_delay_ms = static_cast<int>(*parsed);
    } else if (name == "--saturate") {
      done = seconds(options.saturate);
    } else if (name == "--sustain") {
      done = seconds(options.sustain);
    } else if (name == "--latency") {
      done = seconds(options.latency);
    } else if (name == "--latency-load") {
      Result<double> parsed = real(name, value, 0.05, 1.0);
      if (!parsed) return parsed.error();
      options.latency_load = *parsed;
    } else if (name == "--rate") {
      Result<double> parsed = real(name, value, 1, 1e6);
      if (!parsed) return parsed.error();
      options.rate = *parsed;
    } else if (name == "--in-flight") {
      Result<long long> parsed = integer(name, value, 1, 1'000'000);
      if (!parsed) return parsed.error();
      options.in_flight = *parsed;
    } else if (name == "--query-levels") {
      options.query_levels.clear();
      std::istringstream parts(value);
      for (std::string part; std::getline(parts, part, ',');) {
        Result<long long> parsed = integer(name, part, 1, 10'000'000);
        if (!parsed) return parsed.error();
        options.query_levels.push_back(*parsed);
      }
      std::sort(options.query_levels.begin(), options.query_levels.end());
    } else if (name == "--agent-submissions") {
      Result<long long> parsed = integer(name, value, 0, 1000);
      if (!parsed) return parsed.error();
      options.agent_submissions = static_cast<int>(*parsed);
    } else if (name == "--limit-ms") {
      Result<long long> parsed = integer(name, value, 100, 60'000);
      if (!parsed) return parsed.error();
      options.limit_each = std::chrono::milliseconds(*parsed);
    } else if (name == "--seed") {
      Result<long long> parsed = integer(name, value, 0, INT64_MAX);
      if (!parsed) return parsed.error();
      options.seed = static_cast<std::uint64_t>(*parsed);
    } else if (name == "--out") {
      options.out = value;
    } else if (name == "--postgres") {
      if (value.empty()) return Error::invalidInput("--postgres wants a URL", name);
      options.postgres_url = value;
    } else if (name == "--set") {
      if (value.find('=') == std::string::npos) {
        return Error::invalidInput("--set wants KEY=VALUE, not '" + value + "'", name);
      }
      options.orchestrator_settings.push_back(value);
    } else {
      return Error::invalidInput("unknown option " + name + " (see --help)", name);
    }
    if (!done) return done.error();
  }
  return options;
}

std::string benchUsage() {
  return R"(Usage: kaiban-bench [--quick] [OPTIONS]

Starts kaiban-sim, kaiban-orchestrator (SQLite store) and kaiban-agent on loopback in a
temporary directory with a fresh PKI, drives simulated kiosks over mutual TLS, approves KYC
reviews through the staff console, measures this machine's limits with the raw libraries,
prints a table of Kaiban's figures beside those limits and writes everything as JSON.
docs/performance.md explains every figure.

  --quick                 smoke-test sizes (8 kiosks, phases of seconds; under a minute)
  --kiosks N              simulated kiosks (default 200)
  --sim-delay-ms MS       partner result delay of the simulators (default 0)
  --saturate S            closed loop at full speed (default 20 s)
  --sustain S             open loop at the maximum sustainable rate (default 60 s)
  --rate R                ...at R submissions/s instead of the measured maximum
  --latency S             open loop at --latency-load of that rate, all kiosks (default 30 s)
  --latency-load F        (default 0.8)
  --in-flight N           applications held at the KYC review for RSS and restart (default 10000)
  --query-levels A,B,..   stored applications for status-query latency (default 1000,100000,1000000)
  --agent-submissions N   submissions through one kaiban-agent for its RSS (default 20)
  --limit-ms MS           time per machine-limit figure (default 2000)
  --seed N                seed of the generated applications (default 1)
  --set KEY=VALUE         extra orchestrator setting (repeatable)
  --postgres URL          run the orchestrator on PostgreSQL (a fresh schema on that server;
                          the store-seeding query phase is SQLite-only and skipped)
  --out FILE              JSON result (default bench/results/kaiban-bench-<UTC time>.json)
  -h, --help              this text
)";
}

}  // namespace kaiban::bench
