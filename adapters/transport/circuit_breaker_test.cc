#include "adapters/transport/circuit_breaker.h"

#include <gtest/gtest.h>

#include <chrono>

namespace kaiban::transport {
namespace {

using namespace std::chrono_literals;
using State = CircuitBreaker::State;

class CircuitBreakerTest : public ::testing::Test {
 protected:
  // Admits a call and reports it failed; the call must be admitted.
  void fail() {
    auto ticket = breaker_.admit();
    ASSERT_TRUE(ticket.ok()) << ticket.error();
    breaker_.onFailure(*ticket);
  }
  void succeed() {
    auto ticket = breaker_.admit();
    ASSERT_TRUE(ticket.ok()) << ticket.error();
    breaker_.onSuccess(*ticket);
  }

  ManualClock clock_{SystemTime{} + 1000h};
  CircuitBreaker breaker_{"registry", clock_};  // defaults: 5 failures, 10 s
};

TEST_F(CircuitBreakerTest, OpensAfterFiveConsecutiveFailuresAndFailsFast) {
  for (int i = 0; i < 4; ++i) fail();
  EXPECT_EQ(breaker_.state(), State::kClosed);
  fail();
  EXPECT_EQ(breaker_.state(), State::kOpen);

  auto refused = breaker_.admit();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(refused.error().message,
            "circuit open for registry after 5 consecutive failures; retrying after 10 s");

  clock_.advance(6500ms);
  EXPECT_EQ(breaker_.admit().error().message,
            "circuit open for registry after 5 consecutive failures; retrying after 4 s");
}

TEST_F(CircuitBreakerTest, SuccessResetsTheConsecutiveCount) {
  for (int i = 0; i < 4; ++i) fail();
  succeed();
  for (int i = 0; i < 4; ++i) fail();
  EXPECT_EQ(breaker_.state(), State::kClosed);
  fail();
  EXPECT_EQ(breaker_.state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, HalfOpenAdmitsOneTrialWhoseSuccessCloses) {
  for (int i = 0; i < 5; ++i) fail();
  clock_.advance(9999ms);
  EXPECT_FALSE(breaker_.admit().ok());
  clock_.advance(1ms);
  EXPECT_EQ(breaker_.state(), State::kHalfOpen);

  auto trial = breaker_.admit();
  ASSERT_TRUE(trial.ok());
  EXPECT_TRUE(trial->isTrial());
  auto second = breaker_.admit();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(second.error().message,
            "circuit half-open for registry: waiting for the outcome of a trial request");

  breaker_.onSuccess(*trial);
  EXPECT_EQ(breaker_.state(), State::kClosed);
  // Closed again with a fresh count: four failures do not reopen it.
  for (int i = 0; i < 4; ++i) fail();
  EXPECT_EQ(breaker_.state(), State::kClosed);
}

TEST_F(CircuitBreakerTest, FailedTrialReopensForAnotherPeriod) {
  for (int i = 0; i < 5; ++i) fail();
  clock_.advance(10s);
  auto trial = breaker_.admit();
  ASSERT_TRUE(trial.ok());
  breaker_.onFailure(*trial);
  EXPECT_EQ(breaker_.state(), State::kOpen);
  auto refused = breaker_.admit();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "circuit open for registry after 6 consecutive failures; retrying after 10 s");
  clock_.advance(10s);
  EXPECT_EQ(breaker_.state(), State::kHalfOpen);
  EXPECT_TRUE(breaker_.admit().ok());
}

TEST_F(CircuitBreakerTest, OutcomesOfCallsAdmittedBeforeAStateChangeAreIgnored) {
  auto slow_success = breaker_.admit();
  auto slow_failure = breaker_.admit();
  ASSERT_TRUE(slow_success.ok());
  ASSERT_TRUE(slow_failure.ok());
  for (int i = 0; i < 5; ++i) fail();
  ASSERT_EQ(breaker_.state(), State::kOpen);

  breaker_.onSuccess(*slow_success);  // admitted while closed: must not close the circuit
  EXPECT_EQ(breaker_.state(), State::kOpen);

  clock_.advance(10s);
  auto trial = breaker_.admit();
  ASSERT_TRUE(trial.ok());
  breaker_.onFailure(*slow_failure);  // must not reopen while the trial is out
  EXPECT_EQ(breaker_.state(), State::kHalfOpen);
  breaker_.onSuccess(*trial);
  EXPECT_EQ(breaker_.state(), State::kClosed);
}

TEST(CircuitBreakerOptionsTest, ThresholdAndPeriodAreConfigurable) {
  ManualClock clock{SystemTime{}};
  CircuitBreaker breaker("bank", clock, {.failure_threshold = 2, .open_for = 30s});
  for (int i = 0; i < 2; ++i) {
    auto ticket = breaker.admit();
    ASSERT_TRUE(ticket.ok());
    breaker.onFailure(*ticket);
  }
  EXPECT_EQ(breaker.admit().error().message,
            "circuit open for bank after 2 consecutive failures; retrying after 30 s");
  clock.advance(29s);
  EXPECT_EQ(breaker.state(), State::kOpen);
  clock.advance(1s);
  EXPECT_EQ(breaker.state(), State::kHalfOpen);
}

}  // namespace
}  // namespace kaiban::transport
