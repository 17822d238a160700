#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "Poco/Formatter.h"
#include "Poco/Message.h"

// The orchestrator's logs: one JSON object per line, from POCO loggers named per module
// (orchestrator.api, orchestrator.dispatch, orchestrator.app, transport.server, ...).
namespace kaiban::orchestrator::app {

// Formats a message as
//   {"time": "2026-03-10T02:00:00.123Z", "level": "information", "logger": "orchestrator.api",
//    "message": "...", "application_id": "KB...", <the api::kLogFieldNames fields it carries>}
// The application id is the message's "application_id" field, or else the first application
// id ("KB" + 14 Crockford base32 characters) the text mentions, so lines from modules that
// name it only in their text carry it too. Personal identifiers in the text and in every
// field are masked (maskIdentifiers). Thread-safe.
class JsonLinesFormatter final : public Poco::Formatter {
 public:
  void format(const Poco::Message& message, std::string& text) override;
};

// `text` with every run of 11 or more digits (a resident ID number with its check character
// X, a mobile number, a bank account number) reduced to its first 3 and last 4 characters
// with '*' between: "370202198503071235" -> "370***********1235". A run glued to a letter
// or following '-' is left alone: it is part of an identifier such as a message id.
std::string maskIdentifiers(std::string_view text);

// The first application id in `text`, or "".
std::string_view findApplicationId(std::string_view text);

// Sends every logger's output, as JSON lines, to `file` (appending) or to standard output,
// at `level` (a POCO level name, already validated). Call once, before other threads log.
void configureLogging(const std::string& level, const std::optional<std::filesystem::path>& file);

}  // namespace kaiban::orchestrator::app
