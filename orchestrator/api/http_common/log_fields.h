#pragma once

#include <array>
#include <initializer_list>
#include <string>
#include <string_view>

#include "Poco/Logger.h"
#include "Poco/Message.h"

// Structured log lines. The orchestrator's logs are JSON lines (app/logging.h formats them);
// a line's fields beyond the text travel as Poco::Message parameters. Poco::Message cannot
// list its parameters, so the formatter looks for exactly the names below: add a name here
// before using it.
namespace kaiban::orchestrator::api {

inline constexpr std::array<std::string_view, 12> kLogFieldNames = {
    "application_id", "kiosk_id", "message_id",  "partner", "step",  "method",
    "path",           "status",   "duration_ms", "peer",    "error", "disposition"};

struct LogField {
  std::string_view name;  // one of kLogFieldNames
  std::string value;
};

// Logs `text` at `priority` on `logger` with `fields` attached, if the logger is enabled at
// that priority. Thread-safe (as Poco::Logger is).
void logWith(Poco::Logger& logger, Poco::Message::Priority priority, std::string text,
             std::initializer_list<LogField> fields);

}  // namespace kaiban::orchestrator::api
