#pragma once

#include <chrono>
#include <mutex>

namespace kaiban {

using SystemTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

// Every "now" comes from here; nothing else reads the system time. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual SystemTime now() const = 0;        // deadlines, timestamps
  virtual SteadyTime steadyNow() const = 0;  // timeouts, backoff
};

// The real clocks of the machine.
class SystemClock final : public Clock {
 public:
  SystemTime now() const override { return std::chrono::system_clock::now(); }
  SteadyTime steadyNow() const override { return std::chrono::steady_clock::now(); }
};

// A clock that moves only when told to, for tests and simulations. Both readings advance
// together. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(SystemTime start) : now_(start) {}

  SystemTime now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  SteadyTime steadyNow() const override {
    std::lock_guard lock(mutex_);
    return SteadyTime{} + elapsed_;
  }
  void advance(std::chrono::nanoseconds by) {
    std::lock_guard lock(mutex_);
    now_ += std::chrono::duration_cast<SystemTime::duration>(by);
    elapsed_ += by;
  }
  // Moves wall time to `to` (forward or back); steady time only ever moves forward.
  void set(SystemTime to) {
    std::lock_guard lock(mutex_);
    if (to > now_) elapsed_ += to - now_;
    now_ = to;
  }

 private:
  mutable std::mutex mutex_;
  SystemTime now_;
  std::chrono::nanoseconds elapsed_{0};
};

}  // namespace kaiban
