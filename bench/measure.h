#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// Small measuring tools of kaiban-bench: latency samples with percentiles, and what the
// kernel says about a process (CPU time, resident memory).
namespace kaiban::bench {

using Clock = std::chrono::steady_clock;

// Latencies in microseconds. Not thread-safe: one per thread, merged at the end.
class LatencySamples {
 public:
  void add(Clock::duration latency);
  void merge(const LatencySamples& other);
  std::size_t count() const { return micros_.size(); }
  // The q-quantile (0 <= q <= 1) in milliseconds by the nearest-rank method; 0 when empty.
  double percentileMs(double q) const;
  double meanMs() const;

 private:
  // Sorted lazily by percentileMs; mutable so that a const report can ask for several.
  mutable std::vector<std::uint32_t> micros_;
  mutable bool sorted_ = true;
};

// /proc/<pid>/stat and /proc/<pid>/status of a live process.
struct ProcessSample {
  double cpu_seconds = 0;  // user + system time of every thread so far
  double rss_mb = 0;       // VmRSS: resident now
  double peak_rss_mb = 0;  // VmHWM: the high-water mark of resident memory
};

// The sample, or nullopt when the process does not exist (any more).
std::optional<ProcessSample> sampleProcess(pid_t pid);

// The pid of a running process whose command line holds both `program` and `argument`, found
// in /proc; 0 if there is none. For children that test helpers start without telling their
// pid.
pid_t findProcess(const std::string& program, const std::string& argument);

// Seconds since `start`, as a double.
double secondsSince(Clock::time_point start);

}  // namespace kaiban::bench
