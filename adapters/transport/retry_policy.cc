#include "adapters/transport/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace kaiban::transport {
namespace {

// SplitMix64: a well-mixed 64-bit value from (seed, attempt), so neighbouring seeds or
// attempts do not give neighbouring jitter.
std::uint64_t mix(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

}  // namespace

std::chrono::milliseconds RetryPolicy::nextDelay(int attempt, std::uint64_t seed) const {
  const double ceiling_ms = static_cast<double>(std::max<std::int64_t>(0, ceiling.count()));
  const double initial_ms =
      std::min(ceiling_ms, static_cast<double>(std::max<std::int64_t>(0, initial.count())));
  const int exponent = std::max(1, attempt) - 1;
  // pow() saturates to infinity rather than overflowing; min() then caps it.
  const double grown = initial_ms * std::pow(std::max(1.0, multiplier), exponent);
  const double base = std::min(ceiling_ms, grown);
  const double unit =
      static_cast<double>(mix(seed ^ mix(static_cast<std::uint64_t>(exponent))) >> 11) /
      static_cast<double>(1ULL << 53);  // uniform in [0, 1)
  const double spread = std::clamp(jitter, 0.0, 1.0);
  const double delay = base * (1.0 - spread * unit);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(delay)));
}

}  // namespace kaiban::transport
