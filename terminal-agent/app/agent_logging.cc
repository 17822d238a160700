#include "terminal-agent/app/agent_logging.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "Poco/AutoPtr.h"
#include "Poco/ConsoleChannel.h"
#include "Poco/FileChannel.h"
#include "Poco/FormattingChannel.h"
#include "Poco/JSONString.h"
#include "Poco/Logger.h"

namespace kaiban::agent {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

std::string_view levelName(Poco::Message::Priority priority) {
  switch (priority) {
    case Poco::Message::PRIO_FATAL:
      return "fatal";
    case Poco::Message::PRIO_CRITICAL:
      return "critical";
    case Poco::Message::PRIO_ERROR:
      return "error";
    case Poco::Message::PRIO_WARNING:
      return "warning";
    case Poco::Message::PRIO_NOTICE:
      return "notice";
    case Poco::Message::PRIO_INFORMATION:
      return "information";
    case Poco::Message::PRIO_DEBUG:
      return "debug";
    case Poco::Message::PRIO_TRACE:
      return "trace";
  }
  return "information";
}

std::string jsonString(std::string_view text) {
  return Poco::toJSON(std::string(text), Poco::JSON_WRAP_STRINGS);
}

std::string utcTimestamp(const Poco::Timestamp& timestamp) {
  const std::time_t seconds = timestamp.epochTime();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(timestamp.epochMicroseconds() % 1000000 / 1000));
  return buffer;
}

}  // namespace

std::string maskIdentifiers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!isDigit(text[i])) {
      out += text[i++];
      continue;
    }
    size_t end = i;
    while (end < text.size() && isDigit(text[end])) ++end;
    // An ID number's check character X belongs to the run.
    if (end < text.size() && (text[end] == 'X' || text[end] == 'x') && end - i == 17) ++end;
    const bool glued = i > 0 && (isLetter(text[i - 1]) || text[i - 1] == '-');
    const size_t length = end - i;
    if (length >= 11 && !glued) {
      out.append(text.substr(i, 3));
      out.append(length - 7, '*');
      out.append(text.substr(end - 4, 4));
    } else {
      out.append(text.substr(i, length));
    }
    i = end;
  }
  return out;
}

void AgentLogFormatter::format(const Poco::Message& message, std::string& text) {
  text = "{\"time\":" + jsonString(utcTimestamp(message.getTime())) +
         ",\"level\":" + jsonString(levelName(message.getPriority())) +
         ",\"logger\":" + jsonString(message.getSource()) +
         ",\"kiosk_id\":" + jsonString(kiosk_id_) +
         ",\"message\":" + jsonString(maskIdentifiers(message.getText())) + "}";
}

void configureAgentLogging(const std::string& kiosk_id, const std::string& level,
                           const std::optional<std::filesystem::path>& file) {
  Poco::AutoPtr<Poco::Channel> sink;
  if (file) {
    if (file->has_parent_path()) std::filesystem::create_directories(file->parent_path());
    Poco::AutoPtr<Poco::FileChannel> channel(new Poco::FileChannel(file->string()));
    sink = channel;
  } else {
    sink = new Poco::ConsoleChannel;
  }
  Poco::AutoPtr<Poco::FormattingChannel> formatting(
      new Poco::FormattingChannel(new AgentLogFormatter(kiosk_id), sink));
  Poco::Logger::root().setChannel(formatting);
  Poco::Logger::setChannel("", formatting);
  Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
}

}  // namespace kaiban::agent
