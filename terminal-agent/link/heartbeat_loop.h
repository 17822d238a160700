#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "core/clock.h"
#include "core/result.h"
#include "terminal-agent/link/orchestrator_link.h"

namespace kaiban::agent {

// Sends a heartbeat (device health, queue depth, age of the oldest pending submission) to the
// orchestrator at start and then every `interval`, on a thread of its own, so the operators'
// dashboard sees the kiosk and its devices. A failed heartbeat is logged (agent.link) and
// counted; the next one comes at the usual time: there is nothing to catch up on.
//
// `collect` builds each report; it runs on the heartbeat thread and must not block long. The
// link and `collect` must outlive the loop. status() and notify() are thread-safe.
class HeartbeatLoop {
 public:
  struct Status {
    int64_t sent = 0;                            // heartbeats the orchestrator acknowledged
    int64_t failed = 0;                          // heartbeats that got no acknowledgement
    std::optional<Error> last_error;             // cleared by the next success
    std::optional<SystemTime> last_server_time;  // from the last acknowledgement
  };

  HeartbeatLoop(OrchestratorLink& link, std::function<HeartbeatReport()> collect,
                std::chrono::milliseconds interval);
  // Stops the thread.
  ~HeartbeatLoop();
  HeartbeatLoop(const HeartbeatLoop&) = delete;
  HeartbeatLoop& operator=(const HeartbeatLoop&) = delete;

  // Starts the thread; the first heartbeat goes at once. REQUIRES: not started.
  void start();
  // Wakes the thread and joins it; a heartbeat in flight finishes (bounded by the link's
  // timeouts). Idempotent.
  void stop();
  // Sends the next heartbeat now instead of at the end of the interval (e.g. a device changed).
  void notify();
  Status status() const;

 private:
  void run();

  OrchestratorLink& link_;
  const std::function<HeartbeatReport()> collect_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool notified_ = false;
  Status status_;
  std::thread thread_;
};

}  // namespace kaiban::agent
