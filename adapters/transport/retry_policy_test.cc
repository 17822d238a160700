#include "adapters/transport/retry_policy.h"

#include <gtest/gtest.h>

#include <set>

namespace kaiban::transport {
namespace {

using namespace std::chrono_literals;

TEST(RetryPolicyTest, WithoutJitterDoublesUpToTheCeiling) {
  RetryPolicy policy{.initial = 100ms, .multiplier = 2.0, .ceiling = 1000ms, .jitter = 0.0};
  EXPECT_EQ(policy.nextDelay(1, 42), 100ms);
  EXPECT_EQ(policy.nextDelay(2, 42), 200ms);
  EXPECT_EQ(policy.nextDelay(3, 42), 400ms);
  EXPECT_EQ(policy.nextDelay(4, 42), 800ms);
  EXPECT_EQ(policy.nextDelay(5, 42), 1000ms);
  EXPECT_EQ(policy.nextDelay(1000, 42), 1000ms);  // no overflow far out
  EXPECT_EQ(policy.nextDelay(0, 42), 100ms);
  EXPECT_EQ(policy.nextDelay(-3, 42), 100ms);
}

TEST(RetryPolicyTest, JitterStaysWithinItsFractionBelowTheBase) {
  RetryPolicy policy{.initial = 1000ms, .multiplier = 2.0, .ceiling = 60000ms, .jitter = 0.25};
  std::set<long> distinct;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    auto delay = policy.nextDelay(3, seed);  // base 4000 ms
    EXPECT_GE(delay, 3000ms);
    EXPECT_LE(delay, 4000ms);
    distinct.insert(static_cast<long>(delay.count()));
  }
  EXPECT_GT(distinct.size(), 100u) << "jitter must spread requests out";
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    auto delay = policy.nextDelay(40, seed);
    EXPECT_GE(delay, 45000ms);
    EXPECT_LE(delay, 60000ms);
  }
}

TEST(RetryPolicyTest, SameSeedAndAttemptGiveTheSameDelay) {
  RetryPolicy policy;
  for (int attempt = 1; attempt < 10; ++attempt) {
    EXPECT_EQ(policy.nextDelay(attempt, 0xfeedULL), policy.nextDelay(attempt, 0xfeedULL));
  }
}

TEST(RetryPolicyTest, DegenerateSettingsAreClamped) {
  RetryPolicy policy{.initial = 5000ms, .multiplier = 0.5, .ceiling = 2000ms, .jitter = 7.0};
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    auto delay = policy.nextDelay(4, seed);
    EXPECT_GE(delay, 0ms);
    EXPECT_LE(delay, 2000ms);
  }
}

}  // namespace
}  // namespace kaiban::transport
