#include "orchestrator/flow/retry.h"

#include <gtest/gtest.h>

#include <set>

namespace kaiban::orchestrator {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

RetryPolicy policy(int jitter_percent = 0) {
  RetryPolicy p;
  p.max_attempts = 6;
  p.initial_backoff = seconds{30};
  p.multiplier = 2.0;
  p.max_backoff = seconds{300};
  p.jitter_percent = jitter_percent;
  return p;
}

TEST(RetryTest, BacksOffExponentiallyUpToTheCeiling) {
  const RetryPolicy p = policy();
  EXPECT_EQ(retryDelay(p, 1, 42), milliseconds{30'000});
  EXPECT_EQ(retryDelay(p, 2, 42), milliseconds{60'000});
  EXPECT_EQ(retryDelay(p, 3, 42), milliseconds{120'000});
  EXPECT_EQ(retryDelay(p, 4, 42), milliseconds{240'000});
  EXPECT_EQ(retryDelay(p, 5, 42), milliseconds{300'000});
  EXPECT_EQ(retryDelay(p, 99, 42), milliseconds{300'000});
  EXPECT_EQ(retryDelay(p, 100000, 42), milliseconds{300'000});  // no overflow
}

TEST(RetryTest, FractionalMultiplier) {
  RetryPolicy p = policy();
  p.multiplier = 1.5;
  EXPECT_EQ(retryDelay(p, 1, 0), milliseconds{30'000});
  EXPECT_EQ(retryDelay(p, 2, 0), milliseconds{45'000});
  EXPECT_EQ(retryDelay(p, 3, 0), milliseconds{67'500});
}

TEST(RetryTest, JitterOnlyShortensWithinItsShareAndIsDeterministic) {
  const RetryPolicy p = policy(20);
  std::set<int64_t> distinct;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    for (int attempt = 1; attempt <= 6; ++attempt) {
      const milliseconds plain = retryDelay(policy(), attempt, seed);
      const milliseconds jittered = retryDelay(p, attempt, seed);
      EXPECT_LE(jittered, plain);
      EXPECT_GE(jittered.count(), plain.count() * 80 / 100);
      EXPECT_EQ(jittered, retryDelay(p, attempt, seed));
      if (attempt == 1) distinct.insert(jittered.count());
    }
  }
  // Messages that failed together are spread out.
  EXPECT_GT(distinct.size(), 150u);
}

TEST(RetryTest, AttemptsAreBounded) {
  const RetryPolicy p = policy();
  EXPECT_TRUE(mayRetry(p, 1));
  EXPECT_TRUE(mayRetry(p, 5));
  EXPECT_FALSE(mayRetry(p, 6));
  EXPECT_FALSE(mayRetry(p, 7));
}

TEST(RetryTest, PollsDoubleUpToTheMaximumInterval) {
  const PollPolicy poll{seconds{900}, seconds{3600}};
  EXPECT_EQ(pollDelay(poll, 0), milliseconds{900'000});
  EXPECT_EQ(pollDelay(poll, 1), milliseconds{1'800'000});
  EXPECT_EQ(pollDelay(poll, 2), milliseconds{3'600'000});
  EXPECT_EQ(pollDelay(poll, 3), milliseconds{3'600'000});
  EXPECT_EQ(pollDelay(poll, 1'000'000), milliseconds{3'600'000});
}

TEST(RetryTest, JitterSeedsDifferPerMessage) {
  EXPECT_EQ(jitterSeed("KB1-a"), jitterSeed("KB1-a"));
  EXPECT_NE(jitterSeed("KB1-a"), jitterSeed("KB1-b"));
}

}  // namespace
}  // namespace kaiban::orchestrator
