#include "bench/measure.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>

namespace kaiban::bench {

void LatencySamples::add(Clock::duration latency) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  // Clamped: a latency beyond 71 minutes is not a latency any more, and negative cannot be.
  micros_.push_back(static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(micros, 0, std::numeric_limits<std::uint32_t>::max())));
  sorted_ = false;
}

void LatencySamples::merge(const LatencySamples& other) {
  micros_.insert(micros_.end(), other.micros_.begin(), other.micros_.end());
  sorted_ = false;
}

double LatencySamples::percentileMs(double q) const {
  if (micros_.empty()) return 0;
  if (!sorted_) {
    std::sort(micros_.begin(), micros_.end());
    sorted_ = true;
  }
  const double rank = std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(micros_.size()));
  const std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return micros_[std::min(index, micros_.size() - 1)] / 1000.0;
}

double LatencySamples::meanMs() const {
  if (micros_.empty()) return 0;
  const double sum = std::accumulate(micros_.begin(), micros_.end(), 0.0);
  return sum / static_cast<double>(micros_.size()) / 1000.0;
}

std::optional<ProcessSample> sampleProcess(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid) + "/";
  std::ifstream stat_file(base + "stat");
  std::string stat;
  if (!stat_file || !std::getline(stat_file, stat)) return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces: count fields after
  // the last ')'. utime and stime are fields 14 and 15, i.e. the 12th and 13th after it.
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  long long utime = 0;
  long long stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  ProcessSample sample;
  sample.cpu_seconds =
      static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));

  std::ifstream status(base + "status");
  for (std::string line; std::getline(status, line);) {
    auto kilobytes = [&](std::string_view key) -> std::optional<double> {
      if (!line.starts_with(key)) return std::nullopt;
      return std::stod(line.substr(key.size())) / 1024.0;
    };
    if (auto rss = kilobytes("VmRSS:")) sample.rss_mb = *rss;
    if (auto peak = kilobytes("VmHWM:")) sample.peak_rss_mb = *peak;
  }
  return sample;
}

pid_t findProcess(const std::string& program, const std::string& argument) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit)) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string command((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(command.begin(), command.end(), '\0', ' ');
    if (command.find(program) != std::string::npos && command.find(argument) != std::string::npos) {
      return static_cast<pid_t>(std::stol(pid));
    }
  }
  return 0;
}

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace kaiban::bench
