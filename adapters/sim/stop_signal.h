#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

// Lets every wait in the simulator (injected latency, held answers, callback backoff) end at
// once when the simulator stops, so that shutdown never waits for a fault to run its course.
namespace kaiban::sim {

class StopSignal {
 public:
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    changed_.notify_all();
  }

  bool stopped() const {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

  // Waits `duration` or until stop(); true when stopped. Thread-safe.
  bool waitFor(std::chrono::milliseconds duration) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, duration, [this] { return stopped_; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopped_ = false;
};

}  // namespace kaiban::sim
