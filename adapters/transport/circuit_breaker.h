#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/result.h"

// Fails fast while a partner is down instead of spending a timeout on every request.
namespace kaiban::transport {

struct CircuitBreakerOptions {
  int failure_threshold = 5;                  // consecutive failures that open the circuit
  std::chrono::milliseconds open_for{10000};  // how long it fails fast before a trial
};

// Closed: calls pass; `failure_threshold` consecutive failures open it. Open: calls fail
// fast with kUnavailable for `open_for` (steady clock). Then half-open: exactly one trial
// call passes; its success closes the circuit, its failure opens it again for `open_for`.
// Outcomes of calls admitted before the latest state change are ignored, so a slow call from
// an earlier period cannot close or reopen the circuit. Thread-safe.
class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  // Proof that a call was admitted; report its outcome with it.
  class Ticket {
   public:
    bool isTrial() const { return trial_; }

   private:
    friend class CircuitBreaker;
    Ticket(std::uint64_t epoch, bool trial) : epoch_(epoch), trial_(trial) {}
    std::uint64_t epoch_;
    bool trial_;
  };

  // `clock` must outlive the breaker.
  CircuitBreaker(std::string partner, const Clock& clock, CircuitBreakerOptions options = {});

  // Admits a call, or kUnavailable ("circuit open for registry after 5 consecutive failures;
  // retrying after 10 s") while open or while a half-open trial is in flight.
  // REQUIRES: every admitted call reports exactly one outcome (onSuccess or onFailure).
  Result<Ticket> admit();
  void onSuccess(const Ticket& ticket);
  void onFailure(const Ticket& ticket);

  // The state as of now (an open circuit whose time is up reads as half-open).
  State state() const;
  const std::string& partner() const { return partner_; }

 private:
  void open(SteadyTime now);  // REQUIRES: mutex_ held

  const std::string partner_;
  const Clock& clock_;
  const CircuitBreakerOptions options_;

  mutable std::mutex mutex_;
  State state_ = State::kClosed;
  std::uint64_t epoch_ = 0;  // bumped on every state change
  int consecutive_failures_ = 0;
  SteadyTime open_until_{};
  bool trial_in_flight_ = false;
};

}  // namespace kaiban::transport
