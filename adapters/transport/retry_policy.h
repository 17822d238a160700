#pragma once

#include <chrono>
#include <cstdint>

// How long a caller waits before trying a failed partner request again.
namespace kaiban::transport {

// Exponential backoff with jitter and a ceiling: attempt n (1-based: the delay before the
// first retry is nextDelay(1)) waits initial * multiplier^(n-1), capped at ceiling, then
// scaled down by up to `jitter` (a fraction in [0, 1]) so that callers that failed together
// do not retry together.
struct RetryPolicy {
  std::chrono::milliseconds initial{500};
  double multiplier = 2.0;
  std::chrono::milliseconds ceiling{60000};
  double jitter = 0.2;

  // A pure function of (policy, attempt, seed): the seed picks the jitter. Pass something
  // that differs between requests and stays fixed for one request (e.g. a hash of its message
  // id) so the schedule of a request is reproducible and requests spread out.
  // Attempts below 1 count as 1. Never more than `ceiling`, never negative.
  std::chrono::milliseconds nextDelay(int attempt, std::uint64_t seed) const;
};

}  // namespace kaiban::transport
