#include "adapters/transport/circuit_breaker.h"

#include <utility>

namespace kaiban::transport {
namespace {

// Whole seconds, rounded up so the message never promises a retry before it is allowed.
std::string secondsUntil(SteadyTime now, SteadyTime until) {
  auto remaining = std::chrono::ceil<std::chrono::seconds>(until - now);
  return std::to_string(std::max<std::int64_t>(remaining.count(), 0)) + " s";
}

}  // namespace

CircuitBreaker::CircuitBreaker(std::string partner, const Clock& clock,
                               CircuitBreakerOptions options)
    : partner_(std::move(partner)), clock_(clock), options_(options) {}

Result<CircuitBreaker::Ticket> CircuitBreaker::admit() {
  const SteadyTime now = clock_.steadyNow();
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::kClosed:
      return Ticket(epoch_, /*trial=*/false);
    case State::kOpen:
      if (now < open_until_) {
        return Error::unavailable(
            "circuit open for " + partner_ + " after " + std::to_string(consecutive_failures_) +
            " consecutive failures; retrying after " + secondsUntil(now, open_until_));
      }
      state_ = State::kHalfOpen;
      ++epoch_;
      trial_in_flight_ = true;
      return Ticket(epoch_, /*trial=*/true);
    case State::kHalfOpen:
      if (!trial_in_flight_) {  // cannot happen with the REQUIRES kept; admit a new trial
        trial_in_flight_ = true;
        return Ticket(epoch_, /*trial=*/true);
      }
      return Error::unavailable("circuit half-open for " + partner_ +
                                ": waiting for the outcome of a trial request");
  }
  return Error::internal("circuit breaker in an unknown state");
}

void CircuitBreaker::onSuccess(const Ticket& ticket) {
  std::lock_guard lock(mutex_);
  if (ticket.epoch_ != epoch_) return;
  if (state_ == State::kHalfOpen) {
    state_ = State::kClosed;
    ++epoch_;
    trial_in_flight_ = false;
  }
  consecutive_failures_ = 0;
}

void CircuitBreaker::onFailure(const Ticket& ticket) {
  const SteadyTime now = clock_.steadyNow();
  std::lock_guard lock(mutex_);
  if (ticket.epoch_ != epoch_) return;
  ++consecutive_failures_;
  if (state_ == State::kHalfOpen ||
      (state_ == State::kClosed && consecutive_failures_ >= options_.failure_threshold)) {
    open(now);
  }
}

CircuitBreaker::State CircuitBreaker::state() const {
  const SteadyTime now = clock_.steadyNow();
  std::lock_guard lock(mutex_);
  if (state_ == State::kOpen && now >= open_until_) return State::kHalfOpen;
  return state_;
}

void CircuitBreaker::open(SteadyTime now) {
  state_ = State::kOpen;
  ++epoch_;
  trial_in_flight_ = false;
  open_until_ = now + options_.open_for;
}

}  // namespace kaiban::transport
