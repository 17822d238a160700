#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "orchestrator/engine/engine.h"

namespace kaiban::orchestrator {

struct TimerLoopOptions {
  std::string owner = "timers";  // lease owner, unique per orchestrator process
  int batch = 64;
  std::chrono::seconds lease{60};
  // How often the loop looks for due timers. Timers are marks in working time (minutes to
  // hours apart), so a few seconds of lateness do not matter.
  std::chrono::milliseconds interval{1000};
};

// Fires due at-risk and breach timers through Engine::fireTimer. Like the Dispatcher it keeps
// nothing in memory: a timer claimed by a loop that dies is claimed again when its lease
// expires, and firing twice only sets a flag that is already set.
class TimerLoop {
 public:
  TimerLoop(Engine& engine, TimerLoopOptions options = {});
  ~TimerLoop();  // stops the thread
  TimerLoop(const TimerLoop&) = delete;
  TimerLoop& operator=(const TimerLoop&) = delete;

  // Fires one batch of due timers on the calling thread. Returns how many were claimed, or
  // the first error (the rest of the batch is still processed).
  Result<int> runOnce();

  // Starts the loop's thread. REQUIRES: not started.
  void start();
  // Stops and joins it. Safe to call twice.
  void stop();

 private:
  void work();

  Engine& engine_;
  const TimerLoopOptions options_;
  std::mutex mutex_;
  std::condition_variable stopping_;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace kaiban::orchestrator
