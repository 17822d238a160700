#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "orchestrator/flow/flow_definition.h"

// The schedules of resends and polls: pure functions of the policy and the attempt, so a
// restarted orchestrator computes the same waits and tests need no clock.
namespace kaiban::orchestrator {

// The wait before the next send after `failed_attempts` sends in a row failed
// (REQUIRES: failed_attempts >= 1): initial_backoff * multiplier^(failed_attempts - 1), capped
// at max_backoff, then shortened by a share in [0, jitter_percent %] drawn from `jitter_seed`
// and the attempt. The jitter spreads out many messages that failed together (a partner
// coming back from an outage is not hit by all of them in the same second) while the same
// message always gets the same schedule. Never above max_backoff; whole milliseconds.
std::chrono::milliseconds retryDelay(const RetryPolicy& policy, int failed_attempts,
                                     uint64_t jitter_seed);

// Whether another send may follow `attempts_made` sends (the first included).
inline bool mayRetry(const RetryPolicy& policy, int attempts_made) {
  return attempts_made < policy.max_attempts;
}

// The wait before poll number `polls_done + 1` of an acknowledged request: poll.after for the
// first, then doubling, capped at poll.max_interval. REQUIRES: polls_done >= 0.
std::chrono::milliseconds pollDelay(const PollPolicy& poll, int polls_done);

// A well-mixed 64-bit seed for retryDelay from a message id (FNV-1a, then a finaliser).
uint64_t jitterSeed(std::string_view message_id);

}  // namespace kaiban::orchestrator
