#include "terminal-agent/link/heartbeat_loop.h"

#include <utility>

#include "Poco/Logger.h"

namespace kaiban::agent {

HeartbeatLoop::HeartbeatLoop(OrchestratorLink& link, std::function<HeartbeatReport()> collect,
                             std::chrono::milliseconds interval)
    : link_(link), collect_(std::move(collect)), interval_(interval) {}

HeartbeatLoop::~HeartbeatLoop() { stop(); }

void HeartbeatLoop::start() {
  thread_ = std::thread([this] { run(); });
}

void HeartbeatLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HeartbeatLoop::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_all();
}

HeartbeatLoop::Status HeartbeatLoop::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void HeartbeatLoop::run() {
  Poco::Logger& logger = Poco::Logger::get("agent.link");
  while (true) {
    const HeartbeatReport report = collect_();
    Result<SystemTime> answer = link_.heartbeat(report);
    {
      std::unique_lock lock(mutex_);
      if (answer.ok()) {
        // Only the first success after a failure is worth a line: heartbeats are frequent.
        if (status_.last_error) logger.information("heartbeats reach the orchestrator again");
        ++status_.sent;
        status_.last_error.reset();
        status_.last_server_time = *answer;
      } else {
        if (!status_.last_error || status_.last_error->message != answer.error().message) {
          logger.warning("heartbeat failed: " + answer.error().toString());
        }
        ++status_.failed;
        status_.last_error = answer.error();
      }
      // Real time on purpose: the interval paces network traffic, it is not a deadline.
      wake_.wait_for(lock, interval_, [this] { return stopping_ || notified_; });
      if (stopping_) return;
      notified_ = false;
    }
  }
}

}  // namespace kaiban::agent
