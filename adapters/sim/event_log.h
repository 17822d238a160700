#pragma once

#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include "core/clock.h"

// kaiban-sim's log: one JSON object per line, one line per request answered and per callback
// attempt, so a test or an operator can follow every message. Message ids are logged; no
// personal data is (bodies never are). Thread-safe.
namespace kaiban::sim {

struct RequestEvent {
  std::string partner;
  std::string method;
  std::string path;
  std::string message_id;  // "" when none could be read
  int status = 0;
  std::string outcome;  // the partner's decision, "duplicate", "invalid", ...
  std::string fault;    // the fault injected, "" for none
  bool duplicate = false;
  long long elapsed_ms = 0;
};

struct CallbackEvent {
  std::string partner;
  std::string message_id;
  int attempt = 0;      // 1 for the first delivery attempt
  std::string outcome;  // "delivered", "failed", "dropped"
  int status = 0;       // HTTP status from the orchestrator, 0 when none
  std::string error;    // why it failed
  long long retry_in_ms = 0;
};

class EventLog {
 public:
  // `out` and `clock` must outlive the log.
  EventLog(std::ostream& out, const Clock& clock) : out_(out), clock_(clock) {}

  void request(const RequestEvent& event);
  void callback(const CallbackEvent& event);
  // A line {"event": `event`, "message": `message`} for start-up, shutdown and errors.
  void note(std::string_view event, std::string_view message);

 private:
  void write(const std::string& line);

  std::mutex mutex_;
  std::ostream& out_;
  const Clock& clock_;
};

}  // namespace kaiban::sim
