#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "Poco/Formatter.h"
#include "Poco/Message.h"

// kaiban-agent's logs: one JSON object per line from the POCO loggers of each module
// (agent.app, agent.link, agent.ui, agent.queue, transport.client, ...).
namespace kaiban::agent {

// Formats a message as
//   {"time": "2026-03-10T02:00:00.123Z", "level": "warning", "logger": "agent.link",
//    "kiosk_id": "QD-SN-0001", "message": "..."}
// Every line carries the kiosk id. Resident ID numbers, phone and account numbers in the text
// are masked (maskIdentifiers). Thread-safe.
class AgentLogFormatter final : public Poco::Formatter {
 public:
  explicit AgentLogFormatter(std::string kiosk_id) : kiosk_id_(std::move(kiosk_id)) {}
  void format(const Poco::Message& message, std::string& text) override;

 private:
  const std::string kiosk_id_;
};

// `text` with every run of 11 or more digits (an 18-character ID number counts its check
// character X), a mobile number, an account number) reduced to its first 3 and last 4
// characters with '*' between: "370202198805123010" -> "370***********3010". A run glued to
// a letter or '-' on its left is part of an identifier (a message id) and left alone.
std::string maskIdentifiers(std::string_view text);

// Sends every logger's output as JSON lines to `file` (appending) or standard output, at
// `level` (a valid POCO level name). Call once, before other threads log.
void configureAgentLogging(const std::string& kiosk_id, const std::string& level,
                           const std::optional<std::filesystem::path>& file);

}  // namespace kaiban::agent
