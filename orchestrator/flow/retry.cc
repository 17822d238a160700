#include "orchestrator/flow/retry.h"

#include <algorithm>
#include <cmath>

namespace kaiban::orchestrator {

namespace {

// SplitMix64's finaliser: turns nearby inputs (attempt 1, 2, 3) into unrelated outputs.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

std::chrono::milliseconds retryDelay(const RetryPolicy& policy, int failed_attempts,
                                     uint64_t jitter_seed) {
  const int exponent = std::max(failed_attempts, 1) - 1;
  const double ceiling_ms = static_cast<double>(policy.max_backoff.count()) * 1000.0;
  // pow() of a large exponent may be +inf; min() with the ceiling keeps the result finite.
  const double base_ms = std::min(ceiling_ms, static_cast<double>(policy.initial_backoff.count()) *
                                                  1000.0 * std::pow(policy.multiplier, exponent));
  // Fraction in [0, 1) with 2^-24 resolution: enough to spread thousands of messages.
  const double unit =
      static_cast<double>(mix(jitter_seed ^ static_cast<uint64_t>(failed_attempts)) >> 40) /
      static_cast<double>(uint64_t{1} << 24);
  const double shortened = base_ms * (1.0 - unit * policy.jitter_percent / 100.0);
  return std::chrono::milliseconds{static_cast<int64_t>(std::floor(shortened))};
}

std::chrono::milliseconds pollDelay(const PollPolicy& poll, int polls_done) {
  const int64_t after_ms = poll.after.count() * 1000;
  const int64_t ceiling_ms = poll.max_interval.count() * 1000;
  int64_t delay = after_ms;
  // Doubling stops at the ceiling, so the loop runs at most ~log2(ceiling/after) times.
  for (int i = 0; i < polls_done && delay < ceiling_ms; ++i) delay *= 2;
  return std::chrono::milliseconds{std::min(delay, ceiling_ms)};
}

uint64_t jitterSeed(std::string_view message_id) {
  uint64_t hash = 0xCBF29CE484222325ULL;
  for (unsigned char c : message_id) {
    hash ^= c;
    hash *= 0x100000001B3ULL;
  }
  return mix(hash);
}

}  // namespace kaiban::orchestrator
