#include "orchestrator/api/kiosk_api/kiosk_requests.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <limits>
#include <sstream>

#include "core/division.h"

namespace kaiban::orchestrator::api {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

// The kiosk API's bodies are flat or one level deep; anything deeper is not one of them.
constexpr int kMaxDepth = 8;

bool isKeyCharacter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

std::string_view describe(const Var& value) {
  if (value.isEmpty()) return "null";
  if (value.type() == typeid(bool)) return "a boolean";
  if (value.isString()) return "a string";
  if (value.isNumeric()) return "a number";
  if (value.type() == typeid(Object::Ptr)) return "an object";
  if (value.type() == typeid(Array::Ptr)) return "an array";
  return "an unexpected value";
}

Object::Ptr asObject(const Var& value) {
  if (value.type() == typeid(Object::Ptr)) return value.extract<Object::Ptr>();
  return nullptr;
}

Result<Object::Ptr> parseObject(std::string_view body) {
  if (body.empty()) return Error::invalidInput("the body is empty; send a JSON object");
  Var parsed;
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(kMaxDepth);
    parsed = parser.parse(std::string(body));
  } catch (const Poco::Exception& error) {
    return Error::invalidInput("the body is not valid JSON: " + error.displayText());
  }
  Object::Ptr object = asObject(parsed);
  if (object.isNull()) {
    return Error::invalidInput("the body must be a JSON object, got " +
                               std::string(describe(parsed)));
  }
  return object;
}

std::string join(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  return std::string(prefix) + "." + std::string(name);
}

// The first member of `object` (in name order, so the answer is stable) that is not allowed.
Result<void> rejectUnknown(const Object& object, std::initializer_list<std::string_view> allowed,
                           std::string_view prefix) {
  for (const std::string& name : object.getNames()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return Error::invalidInput("unknown field (this request takes no such member)",
                                 join(prefix, name));
    }
  }
  return ok();
}

// A text member: a JSON string of valid UTF-8 with at most `max_length` code points.
// Absent or null gives nullopt when `required` is false.
Result<std::optional<std::string>> textMember(const Object& object, const std::string& name,
                                              std::string_view prefix, bool required,
                                              size_t max_length) {
  const std::string path = join(prefix, name);
  if (!object.has(name) || object.isNull(name)) {
    if (required) return Error::invalidInput("missing required field", path);
    return std::optional<std::string>();
  }
  const Var value = object.get(name);
  if (!value.isString()) {
    return Error::invalidInput("expected a string, got " + std::string(describe(value)), path);
  }
  std::string text = value.extract<std::string>();
  std::optional<size_t> length = utf8Length(text);
  if (!length) return Error::invalidInput("is not valid UTF-8 text", path);
  if (*length > max_length) {
    return Error::invalidInput("is longer than " + std::to_string(max_length) + " characters",
                               path);
  }
  return std::optional<std::string>(std::move(text));
}

Result<std::string> requiredText(const Object& object, const std::string& name,
                                 std::string_view prefix, size_t max_length) {
  Result<std::optional<std::string>> text = textMember(object, name, prefix, true, max_length);
  if (!text) return text.error();
  return **text;
}

// A required count: a JSON integer from 0 up.
Result<int64_t> countMember(const Object& object, const std::string& name,
                            std::string_view prefix) {
  const std::string path = join(prefix, name);
  if (!object.has(name) || object.isNull(name)) {
    return Error::invalidInput("missing required field", path);
  }
  const Var value = object.get(name);
  if (value.type() == typeid(bool) || !value.isInteger()) {
    return Error::invalidInput("expected a whole number, got " + std::string(describe(value)),
                               path);
  }
  try {
    const int64_t count = value.convert<int64_t>();
    if (count < 0) return Error::invalidInput("must not be negative", path);
    return count;
  } catch (const Poco::Exception&) {
    return Error::invalidInput("is too large", path);
  }
}

// Longest field values the registry and the people-data platform take; longer texts are
// refused here with a 400 before anyone is asked.
constexpr size_t kMaxIdNumberText = 32;
constexpr size_t kMaxNameText = 200;
constexpr size_t kMaxDivisionText = 16;

constexpr std::string_view kCursorSeparatorInStore = ":";
constexpr char kCursorSeparator = '_';

}  // namespace

Result<std::string> checkIdempotencyKey(const std::optional<std::string>& header) {
  const std::string field(kIdempotencyKeyHeader);
  if (!header) {
    return Error::invalidInput("every POST needs an Idempotency-Key header", field);
  }
  const std::string& key = *header;
  const bool well_formed = key.size() >= kMinIdempotencyKeyLength &&
                           key.size() <= kMaxIdempotencyKeyLength &&
                           std::all_of(key.begin(), key.end(), isKeyCharacter);
  if (!well_formed) {
    return Error::invalidInput("the Idempotency-Key must be 8 to 128 characters of A-Z a-z 0-9 _ -",
                               field);
  }
  return key;
}

std::string kioskCursor(std::string_view store_cursor) {
  std::string cursor(store_cursor);
  const size_t colon = cursor.find(kCursorSeparatorInStore);
  if (colon != std::string::npos) cursor[colon] = kCursorSeparator;
  return cursor;
}

Result<ListQuery> parseListQuery(std::string_view raw_query) {
  ListQuery query;
  bool seen_limit = false;
  bool seen_cursor = false;
  std::string_view rest = raw_query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (part.empty()) continue;
    const size_t equals = part.find('=');
    std::string name;
    std::string value;
    try {
      Poco::URI::decode(std::string(part.substr(0, equals)), name, true);
      if (equals != std::string_view::npos) {
        Poco::URI::decode(std::string(part.substr(equals + 1)), value, true);
      }
    } catch (const Poco::Exception&) {
      return Error::invalidInput("the query string is not properly percent-encoded", "query");
    }
    if (name == "limit") {
      if (seen_limit) return Error::invalidInput("limit is given twice", "limit");
      seen_limit = true;
      int limit = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (error != std::errc() || end != value.data() + value.size() || limit < 1 ||
          limit > kMaxListLimit) {
        return Error::invalidInput("limit must be a whole number from 1 to 100", "limit");
      }
      query.limit = limit;
    } else if (name == "cursor") {
      if (seen_cursor) return Error::invalidInput("cursor is given twice", "cursor");
      seen_cursor = true;
      // The store's form is "<digits>:<id>"; the kiosk's has '_' for ':'.
      const size_t separator = value.find(kCursorSeparator);
      const bool digits_first =
          separator != std::string::npos && separator > 0 && separator + 1 < value.size() &&
          std::all_of(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(separator),
                      [](char c) { return c >= '0' && c <= '9'; });
      if (!digits_first || !std::all_of(value.begin(), value.end(), isKeyCharacter)) {
        return Error::invalidInput(
            "cursor is not one this API handed out; use next_cursor of the previous page",
            "cursor");
      }
      value[separator] = kCursorSeparatorInStore[0];
      query.store_cursor = std::move(value);
    } else {
      return Error::invalidInput("unknown query parameter (only limit and cursor are taken)",
                                 name.empty() ? std::string("query") : name);
    }
  }
  return query;
}

Result<PeopleLookupRequest> parsePeopleLookup(std::string_view body) {
  Result<Object::Ptr> object = parseObject(body);
  if (!object) return object.error();
  if (Result<void> known = rejectUnknown(**object, {"id_number"}, ""); !known) {
    return known.error();
  }
  Result<std::string> id_number = requiredText(**object, "id_number", "", kMaxIdNumberText);
  if (!id_number) return id_number.error();
  return PeopleLookupRequest{std::move(id_number).value()};
}

std::vector<Problem> peopleLookupProblems(const PeopleLookupRequest& request, CivilDate today) {
  if (request.id_number.empty()) return {Problem{"id_number", "person.id_number.required"}};
  if (IdNumber::violatedRule(request.id_number, today)) {
    return {Problem{"id_number", "person.id_number.invalid"}};
  }
  return {};
}

Result<NameCheckQuery> parseNameCheck(std::string_view body) {
  Result<Object::Ptr> object = parseObject(body);
  if (!object) return object.error();
  if (Result<void> known = rejectUnknown(**object, {"name", "division_code"}, ""); !known) {
    return known.error();
  }
  Result<std::string> name = requiredText(**object, "name", "", kMaxNameText);
  if (!name) return name.error();
  Result<std::string> division = requiredText(**object, "division_code", "", kMaxDivisionText);
  if (!division) return division.error();
  return NameCheckQuery{std::move(name).value(), std::move(division).value()};
}

std::vector<Problem> nameCheckProblems(const NameCheckQuery& query) {
  std::vector<Problem> problems;
  const size_t length = utf8Length(query.name).value_or(0);
  if (query.name.empty()) {
    problems.push_back({"name", "enterprise.name.required"});
  } else if (length < 2 || length > 50) {
    problems.push_back({"name", "enterprise.name.length"});
  }
  if (!isPlausibleDivisionCode(query.division_code)) {
    problems.push_back({"division_code", "address.division_code.invalid"});
  }
  return problems;
}

Result<ApplicantAnswer> parseApplicantAnswer(std::string_view body) {
  Result<Object::Ptr> object = parseObject(body);
  if (!object) return object.error();
  if (Result<void> known = rejectUnknown(**object, {"enterprise_name"}, ""); !known) {
    return known.error();
  }
  Result<std::optional<std::string>> name =
      textMember(**object, "enterprise_name", "", false, kMaxNameText);
  if (!name) return name.error();
  ApplicantAnswer answer;
  answer.enterprise_name = std::move(name).value();
  return answer;
}

Result<Heartbeat> parseHeartbeat(std::string_view body) {
  Result<Object::Ptr> parsed = parseObject(body);
  if (!parsed) return parsed.error();
  const Object& object = **parsed;
  if (Result<void> known = rejectUnknown(
          object, {"agent_version", "queue_depth", "oldest_pending_seconds", "devices"}, "");
      !known) {
    return known.error();
  }
  Heartbeat heartbeat;
  Result<std::string> version = requiredText(object, "agent_version", "", kMaxHeartbeatText);
  if (!version) return version.error();
  heartbeat.agent_version = std::move(version).value();
  Result<int64_t> depth = countMember(object, "queue_depth", "");
  if (!depth) return depth.error();
  heartbeat.queue_depth = *depth;
  Result<int64_t> oldest = countMember(object, "oldest_pending_seconds", "");
  if (!oldest) return oldest.error();
  heartbeat.oldest_pending_seconds = *oldest;

  if (!object.has("devices") || object.isNull("devices")) {
    return Error::invalidInput("missing required field", "devices");
  }
  const Var devices = object.get("devices");
  if (devices.type() != typeid(Array::Ptr)) {
    return Error::invalidInput("expected an array, got " + std::string(describe(devices)),
                               "devices");
  }
  const Array& list = *devices.extract<Array::Ptr>();
  if (list.size() > kMaxHeartbeatDevices) {
    return Error::invalidInput(
        "lists more than " + std::to_string(kMaxHeartbeatDevices) + " devices", "devices");
  }
  for (unsigned i = 0; i < list.size(); ++i) {
    const std::string path = "devices[" + std::to_string(i) + "]";
    Object::Ptr item = asObject(list.get(i));
    if (item.isNull()) {
      return Error::invalidInput("expected an object, got " + std::string(describe(list.get(i))),
                                 path);
    }
    if (Result<void> known = rejectUnknown(*item, {"device", "status", "detail"}, path); !known) {
      return known.error();
    }
    DeviceReport report;
    Result<std::string> device = requiredText(*item, "device", path, kMaxHeartbeatText);
    if (!device) return device.error();
    report.device = std::move(device).value();
    Result<std::string> status = requiredText(*item, "status", path, kMaxHeartbeatText);
    if (!status) return status.error();
    if (*status != "ok" && *status != "degraded" && *status != "offline") {
      return Error::invalidInput("must be \"ok\", \"degraded\" or \"offline\"", path + ".status");
    }
    report.status = std::move(status).value();
    Result<std::optional<std::string>> detail =
        textMember(*item, "detail", path, false, kMaxHeartbeatText);
    if (!detail) return detail.error();
    report.detail = detail->value_or("");
    heartbeat.devices.push_back(std::move(report));
  }
  return heartbeat;
}

std::string heartbeatJson(const Heartbeat& heartbeat) {
  Object json(Poco::JSON_PRESERVE_KEY_ORDER);
  json.set("agent_version", heartbeat.agent_version);
  json.set("queue_depth", heartbeat.queue_depth);
  json.set("oldest_pending_seconds", heartbeat.oldest_pending_seconds);
  Array::Ptr devices = new Array;
  for (const DeviceReport& report : heartbeat.devices) {
    Object::Ptr device = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    device->set("device", report.device);
    device->set("status", report.status);
    device->set("detail", report.detail);
    devices->add(device);
  }
  json.set("devices", devices);
  std::ostringstream out;
  json.stringify(out);
  return out.str();
}

}  // namespace kaiban::orchestrator::api
