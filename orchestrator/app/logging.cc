#include "orchestrator/app/logging.h"

#include <cctype>
#include <sstream>

#include "Poco/AutoPtr.h"
#include "Poco/ConsoleChannel.h"
#include "Poco/DateTimeFormatter.h"
#include "Poco/FileChannel.h"
#include "Poco/FormattingChannel.h"
#include "Poco/JSON/Object.h"
#include "Poco/Logger.h"
#include "orchestrator/api/http_common/log_fields.h"

namespace kaiban::orchestrator::app {

namespace {

constexpr std::size_t kMaskFrom = 11;  // a mainland mobile number is the shortest identifier
constexpr std::size_t kApplicationIdLength = 16;

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Crockford base32 as application ids use it: digits and capitals without I, L, O, U.
bool isCrockford(char c) {
  return isDigit(c) || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U');
}

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

// Identifiers the engine made up are not personal data and must stay readable.
bool isOwnIdentifier(std::string_view field) {
  return field == "application_id" || field == "message_id";
}

}  // namespace

std::string maskIdentifiers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (!isDigit(text[i]) || (i > 0 && (isAlnum(text[i - 1]) || text[i - 1] == '-'))) {
      out += text[i++];
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && isDigit(text[end])) ++end;
    if (end - i == 17 && end < text.size() && (text[end] == 'X' || text[end] == 'x')) ++end;
    const bool glued = end < text.size() && isAlnum(text[end]);
    const std::size_t length = end - i;
    if (length < kMaskFrom || glued) {
      out.append(text.substr(i, length));
    } else {
      out.append(text.substr(i, 3));
      out.append(length - 7, '*');
      out.append(text.substr(end - 4, 4));
    }
    i = end;
  }
  return out;
}

std::string_view findApplicationId(std::string_view text) {
  for (std::size_t i = 0; i + kApplicationIdLength <= text.size(); ++i) {
    if (text[i] != 'K' || text[i + 1] != 'B' || (i > 0 && isAlnum(text[i - 1]))) continue;
    std::size_t j = i + 2;
    while (j < i + kApplicationIdLength && isCrockford(text[j])) ++j;
    if (j != i + kApplicationIdLength) continue;
    if (j < text.size() && isAlnum(text[j])) continue;
    return text.substr(i, kApplicationIdLength);
  }
  return {};
}

void JsonLinesFormatter::format(const Poco::Message& message, std::string& text) {
  Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
  line.set("time", Poco::DateTimeFormatter::format(message.getTime(), "%Y-%m-%dT%H:%M:%S.%iZ"));
  line.set("level", std::string(levelName(message.getPriority())));
  line.set("logger", message.getSource());
  line.set("message", maskIdentifiers(message.getText()));
  std::string application_id = message.get("application_id", "");
  if (application_id.empty()) application_id = std::string(findApplicationId(message.getText()));
  if (!application_id.empty()) line.set("application_id", application_id);
  for (std::string_view name : api::kLogFieldNames) {
    const std::string key(name);
    if (key == "application_id" || !message.has(key)) continue;
    const std::string& value = message.get(key);
    line.set(key, isOwnIdentifier(name) ? value : maskIdentifiers(value));
  }
  std::ostringstream out;
  line.stringify(out);
  text = out.str();
}

void configureLogging(const std::string& level, const std::optional<std::filesystem::path>& file) {
  Poco::AutoPtr<Poco::Channel> sink;
  if (file) {
    Poco::AutoPtr<Poco::FileChannel> file_channel = new Poco::FileChannel(file->string());
    // Each line reaches the file at once: a SIGKILL must not eat the last lines before it.
    file_channel->setProperty("flush", "true");
    sink = file_channel;
  } else {
    sink = new Poco::ConsoleChannel;
  }
  Poco::AutoPtr<Poco::FormattingChannel> channel =
      new Poco::FormattingChannel(new JsonLinesFormatter, sink);
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(level);
  // Loggers made before this (by static initialisers) keep their old channel and level.
  std::vector<std::string> names;
  Poco::Logger::names(names);
  for (const std::string& name : names) {
    Poco::Logger::get(name).setChannel(channel);
    Poco::Logger::get(name).setLevel(level);
  }
}

}  // namespace kaiban::orchestrator::app
