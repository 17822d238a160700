#include "adapters/sim/event_log.h"

#include <sstream>

#include "Poco/JSON/Object.h"
#include "core/timestamp.h"

namespace kaiban::sim {
namespace {

std::string line(const Poco::JSON::Object& object) {
  std::ostringstream text;
  object.stringify(text);
  return text.str();
}

}  // namespace

void EventLog::request(const RequestEvent& event) {
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  object.set("time", formatIso8601(clock_.now()));
  object.set("event", "request");
  object.set("partner", event.partner);
  object.set("method", event.method);
  object.set("path", event.path);
  object.set("message_id", event.message_id);
  object.set("status", event.status);
  object.set("outcome", event.outcome);
  object.set("fault", event.fault.empty() ? std::string("none") : event.fault);
  object.set("duplicate", event.duplicate);
  object.set("ms", event.elapsed_ms);
  write(line(object));
}

void EventLog::callback(const CallbackEvent& event) {
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  object.set("time", formatIso8601(clock_.now()));
  object.set("event", "callback");
  object.set("partner", event.partner);
  object.set("message_id", event.message_id);
  object.set("attempt", event.attempt);
  object.set("outcome", event.outcome);
  if (event.status != 0) object.set("status", event.status);
  if (!event.error.empty()) object.set("error", event.error);
  if (event.retry_in_ms > 0) object.set("retry_in_ms", event.retry_in_ms);
  write(line(object));
}

void EventLog::note(std::string_view event, std::string_view message) {
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  object.set("time", formatIso8601(clock_.now()));
  object.set("event", std::string(event));
  object.set("message", std::string(message));
  write(line(object));
}

void EventLog::write(const std::string& text) {
  std::lock_guard lock(mutex_);
  out_ << text << '\n';
  out_.flush();
}

}  // namespace kaiban::sim
