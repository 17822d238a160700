#include "adapters/sim/faults.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "adapters/sim/partners.h"

namespace kaiban::sim {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

Result<std::chrono::milliseconds> parseLatency(std::string_view value) {
  long long factor = 1;
  if (value.ends_with("ms")) {
    value.remove_suffix(2);
  } else if (value.ends_with("s")) {
    value.remove_suffix(1);
    factor = 1000;
  }
  long long amount = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), amount);
  if (error != std::errc() || end != value.data() + value.size() || amount < 0 ||
      amount > 600'000) {
    return Error::invalidInput("latency must be 0-600000 milliseconds, like 200ms or 2s");
  }
  return std::chrono::milliseconds(amount * factor);
}

Result<double> parseRate(std::string_view value) {
  double rate = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), rate);
  if (value.empty() || error != std::errc() || end != value.data() + value.size() ||
      !std::isfinite(rate) || rate < 0 || rate > 1) {
    return Error::invalidInput("a rate must be a number from 0 to 1, like 0.05");
  }
  return rate;
}

Result<void> applySetting(std::string_view setting, FaultSpec& spec) {
  const size_t equals = setting.find('=');
  if (equals == std::string_view::npos) {
    return Error::invalidInput("expected name=value, got '" + std::string(setting) + "'");
  }
  const std::string_view name = trim(setting.substr(0, equals));
  const std::string_view value = trim(setting.substr(equals + 1));
  if (name == "latency") {
    Result<std::chrono::milliseconds> latency = parseLatency(value);
    if (!latency.ok()) return latency.error();
    spec.latency = *latency;
    return ok();
  }
  double* target = name == "http500"          ? &spec.http500
                   : name == "timeout"        ? &spec.timeout
                   : name == "malformed"      ? &spec.malformed
                   : name == "schema_invalid" ? &spec.schema_invalid
                   : name == "drop_callback"  ? &spec.drop_callback
                                              : nullptr;
  if (target == nullptr) {
    return Error::invalidInput("unknown fault '" + std::string(name) +
                               "' (known: latency, http500, timeout, malformed, "
                               "schema_invalid, drop_callback)");
  }
  Result<double> rate = parseRate(value);
  if (!rate.ok()) return Error::invalidInput(std::string(name) + ": " + rate.error().message);
  *target = *rate;
  return ok();
}

std::string formatRate(double rate) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", rate);
  return buffer;
}

std::uint64_t fnv1a(std::uint64_t hash, std::string_view text) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::uint64_t splitMix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::string_view toString(FaultKind kind) {
  switch (kind) {
    case FaultKind::kHttp500:
      return "http500";
    case FaultKind::kTimeout:
      return "timeout";
    case FaultKind::kMalformed:
      return "malformed";
    case FaultKind::kSchemaInvalid:
      return "schema_invalid";
    case FaultKind::kDropCallback:
      return "drop_callback";
  }
  return "unknown";
}

double FaultSpec::rate(FaultKind kind) const {
  switch (kind) {
    case FaultKind::kHttp500:
      return http500;
    case FaultKind::kTimeout:
      return timeout;
    case FaultKind::kMalformed:
      return malformed;
    case FaultKind::kSchemaInvalid:
      return schema_invalid;
    case FaultKind::kDropCallback:
      return drop_callback;
  }
  return 0;
}

bool FaultSpec::isEmpty() const { return *this == FaultSpec{}; }

std::string FaultSpec::toString() const {
  std::string text;
  auto add = [&text](std::string_view part) {
    if (!text.empty()) text += ',';
    text += part;
  };
  if (latency.count() > 0) add("latency=" + std::to_string(latency.count()) + "ms");
  for (FaultKind kind : {FaultKind::kHttp500, FaultKind::kTimeout, FaultKind::kMalformed,
                         FaultKind::kSchemaInvalid, FaultKind::kDropCallback}) {
    if (rate(kind) > 0) add(std::string(sim::toString(kind)) + "=" + formatRate(rate(kind)));
  }
  return text.empty() ? "none" : text;
}

Result<FaultTable> parseFaults(std::string_view text) {
  FaultTable table;
  if (trim(text).empty()) return Error::invalidInput("empty fault specification");
  for (std::string_view group : split(text, ';')) {
    group = trim(group);
    if (group.empty()) continue;
    const size_t colon = group.find(':');
    if (colon == std::string_view::npos) {
      std::string message(group);
      message += ": expected <partner>:<faults>, like bank:http500=0.1";
      return Error::invalidInput(message);
    }
    std::vector<std::string> partners;
    const std::string_view names = trim(group.substr(0, colon));
    if (names == "*") {
      for (const PartnerInfo& partner : kPartners) partners.emplace_back(partner.name);
    } else {
      for (std::string_view name : split(names, '+')) {
        std::optional<PartnerInfo> partner = findPartner(trim(name));
        if (!partner) {
          return Error::invalidInput("unknown partner '" + std::string(trim(name)) +
                                     "' (known: registry, seal, bank, tax, people, sms, *)");
        }
        partners.emplace_back(partner->name);
      }
    }
    FaultSpec spec;
    const std::string_view settings = trim(group.substr(colon + 1));
    if (settings != "none") {
      for (std::string_view setting : split(settings, ',')) {
        Result<void> applied = applySetting(trim(setting), spec);
        if (!applied.ok()) {
          return Error::invalidInput(std::string(names) + ": " + applied.error().message);
        }
      }
    }
    for (const std::string& partner : partners) table[partner] = spec;
  }
  if (table.empty()) return Error::invalidInput("empty fault specification");
  return table;
}

FaultInjector::FaultInjector(std::uint64_t seed, FaultTable initial)
    : seed_(seed), table_(std::move(initial)) {}

void FaultInjector::apply(const FaultTable& changes) {
  std::lock_guard lock(mutex_);
  for (const auto& [partner, spec] : changes) table_[partner] = spec;
}

FaultSpec FaultInjector::spec(std::string_view partner) const {
  std::lock_guard lock(mutex_);
  auto found = table_.find(partner);
  return found == table_.end() ? FaultSpec{} : found->second;
}

FaultTable FaultInjector::table() const {
  std::lock_guard lock(mutex_);
  FaultTable active;
  for (const auto& [partner, spec] : table_) {
    if (!spec.isEmpty()) active.emplace(partner, spec);
  }
  return active;
}

int FaultInjector::nextAttempt(const std::string& key) {
  std::lock_guard lock(mutex_);
  return ++attempts_[key];
}

bool FaultInjector::strikes(std::string_view partner, FaultKind kind, std::string_view key,
                            int attempt) const {
  const double rate = spec(partner).rate(kind);
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return uniformDraw(seed_, toString(kind), key, attempt) < rate;
}

double uniformDraw(std::uint64_t seed, std::string_view a, std::string_view b, int n) {
  std::uint64_t hash = fnv1a(0xcbf29ce484222325ULL, a);
  hash = fnv1a(hash, "\x1f");
  hash = fnv1a(hash, b);
  hash = splitMix64(hash ^ splitMix64(seed) ^ (static_cast<std::uint64_t>(n) << 32));
  return static_cast<double>(hash >> 11) * 0x1.0p-53;
}

}  // namespace kaiban::sim
