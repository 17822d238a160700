#include "orchestrator/engine/timer_loop.h"

#include <Poco/Logger.h>

namespace kaiban::orchestrator {

TimerLoop::TimerLoop(Engine& engine, TimerLoopOptions options)
    : engine_(engine), options_(std::move(options)) {}

TimerLoop::~TimerLoop() { stop(); }

Result<int> TimerLoop::runOnce() {
  Result<std::vector<TimerRecord>> timers =
      engine_.claimDueTimers(options_.batch, options_.owner, options_.lease);
  if (!timers) return timers.error();
  Result<void> first_error;
  for (const TimerRecord& timer : *timers) {
    Result<void> fired = engine_.fireTimer(timer);
    if (!fired) {
      Poco::Logger::get("orchestrator.timers")
          .warning("application " + timer.application_id + ", timer " + std::to_string(timer.id) +
                   ": " + fired.error().toString());
      if (first_error.ok()) first_error = fired;
    }
  }
  if (!first_error.ok()) return first_error.error();
  return static_cast<int>(timers->size());
}

void TimerLoop::start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] { work(); });
}

void TimerLoop::stop() {
  if (!running_.exchange(false)) return;
  { std::lock_guard lock(mutex_); }
  stopping_.notify_all();
  thread_.join();
}

void TimerLoop::work() {
  while (running_.load()) {
    Result<int> fired = runOnce();
    if (fired && *fired >= options_.batch) continue;
    std::unique_lock lock(mutex_);
    stopping_.wait_for(lock, options_.interval, [&] { return !running_.load(); });
  }
}

}  // namespace kaiban::orchestrator
