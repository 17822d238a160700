#include "terminal-agent/link/kiosk_answers.h"

#include <span>

#include <Poco/JSON/Array.h>

#include "core/timestamp.h"
#include "terminal-agent/link/json_text.h"

namespace kaiban::agent {

namespace {

// What a 422 says, as "fields: key@field, ..." — keys and paths only, never the values.
std::string problemSummary(const Poco::JSON::Array& problems) {
  std::string summary;
  for (size_t i = 0; i < problems.size(); ++i) {
    Poco::JSON::Object::Ptr problem = problems.getObject(static_cast<unsigned>(i));
    if (problem.isNull()) continue;
    if (!summary.empty()) summary += ", ";
    summary += json::stringMember(*problem, "key").value_or("?");
    summary += "@";
    summary += json::stringMember(*problem, "field").value_or("?");
  }
  return summary;
}

ErrorCode codeForStatus(int status) {
  if (status == 401 || status == 403) return ErrorCode::kForbidden;
  if (status == 404) return ErrorCode::kNotFound;
  if (status == 409) return ErrorCode::kConflict;
  if (status == 408 || status == 429) return ErrorCode::kUnavailable;
  if (status == 504) return ErrorCode::kTimeout;
  if (status >= 500) return ErrorCode::kUnavailable;
  if (status >= 400) return ErrorCode::kInvalidInput;
  return ErrorCode::kCorrupt;
}

Error corrupt(std::string_view what, std::string_view detail) {
  return Error::corrupt("the orchestrator's answer to " + std::string(what) + " " +
                        std::string(detail));
}

Result<Poco::JSON::Object::Ptr> parseAnswer(std::string_view body, std::string_view what) {
  Result<Poco::JSON::Object::Ptr> object = json::parseObject(body, "the body");
  if (!object.ok()) return corrupt(what, "is not a JSON object");
  return object;
}

Result<std::string> requiredString(const Poco::JSON::Object& object, const std::string& key,
                                   std::string_view what) {
  std::optional<std::string> value = json::stringMember(object, key);
  if (!value) return corrupt(what, "lacks the text member \"" + key + "\"");
  return *value;
}

std::string optionalString(const Poco::JSON::Object& object, const std::string& key) {
  return json::stringMember(object, key).value_or("");
}

bool optionalBool(const Poco::JSON::Object& object, const std::string& key) {
  return json::boolMember(object, key).value_or(false);
}

std::string outputText(const Poco::Dynamic::Var& value) {
  if (value.isString()) return value.extract<std::string>();
  return value.isEmpty() ? std::string("null") : value.toString();
}

}  // namespace

Error errorForKioskAnswer(int status, std::string_view body, std::string_view what) {
  ErrorCode code = codeForStatus(status);
  std::string message =
      "the orchestrator refused " + std::string(what) + " with HTTP " + std::to_string(status);
  std::string field;
  Result<Poco::JSON::Object::Ptr> parsed = json::parseObject(body, "the body");
  if (parsed.ok()) {
    const Poco::JSON::Object& object = **parsed;
    if (Poco::JSON::Object::Ptr error = json::objectMember(object, "error")) {
      if (std::optional<std::string> text = json::stringMember(*error, "message")) {
        message += ": " + *text;
      }
      field = json::stringMember(*error, "field").value_or("");
      if (status == 422 && json::stringMember(*error, "code") == "rejected") {
        code = ErrorCode::kRejected;
      }
    } else if (Poco::JSON::Array::Ptr problems = json::arrayMember(object, "problems")) {
      message += ": invalid application (" + problemSummary(*problems) + ")";
    }
  } else if (!body.empty()) {
    // Not our JSON (a proxy's page, say): a short excerpt helps the operator, and such a body
    // never carries the applicant's data.
    constexpr size_t kExcerpt = 120;
    message += ": " + std::string(body.substr(0, kExcerpt));
  }
  return Error{code, std::move(message), std::move(field)};
}

Result<SubmitAnswer> parseSubmitAnswer(std::string_view body, bool created) {
  constexpr std::string_view kWhat = "submit";
  Result<Poco::JSON::Object::Ptr> object = parseAnswer(body, kWhat);
  if (!object.ok()) return object.error();
  Result<std::string> id = requiredString(**object, "application_id", kWhat);
  if (!id.ok()) return id.error();
  if (!isSafeIdentifier(*id)) return corrupt(kWhat, "carries a malformed application_id");
  SubmitAnswer answer;
  answer.application_id = *id;
  answer.created = json::boolMember(**object, "created").value_or(created);
  answer.state = optionalString(**object, "state");
  answer.deadline = optionalString(**object, "deadline");
  return answer;
}

Result<ApplicationView> parseApplicationView(std::string_view body) {
  constexpr std::string_view kWhat = "status";
  Result<Poco::JSON::Object::Ptr> parsed = parseAnswer(body, kWhat);
  if (!parsed.ok()) return parsed.error();
  const Poco::JSON::Object& object = **parsed;
  ApplicationView view;
  Result<std::string> id = requiredString(object, "id", kWhat);
  if (!id.ok()) return id.error();
  Result<std::string> state = requiredString(object, "state", kWhat);
  if (!state.ok()) return state.error();
  view.id = *id;
  view.state = *state;
  view.submitted_at = optionalString(object, "submitted_at");
  view.deadline = optionalString(object, "deadline");
  view.updated_at = optionalString(object, "updated_at");
  view.at_risk = optionalBool(object, "at_risk");
  view.breached = optionalBool(object, "breached");
  if (Poco::JSON::Array::Ptr attention = json::arrayMember(object, "attention")) {
    for (size_t i = 0; i < attention->size(); ++i) {
      Poco::Dynamic::Var item = attention->get(static_cast<unsigned>(i));
      if (item.isString()) view.attention.push_back(item.extract<std::string>());
    }
  }
  if (Poco::JSON::Object::Ptr outputs = json::objectMember(object, "outputs")) {
    for (const auto& [name, value] : *outputs) {
      view.outputs.emplace_back(name, outputText(value));
    }
  }
  Poco::JSON::Array::Ptr steps = json::arrayMember(object, "steps");
  if (steps.isNull()) return corrupt(kWhat, "lacks the array \"steps\"");
  for (size_t i = 0; i < steps->size(); ++i) {
    Poco::JSON::Object::Ptr step = steps->getObject(static_cast<unsigned>(i));
    if (step.isNull()) return corrupt(kWhat, "has a step that is not an object");
    StepView step_view;
    Result<std::string> step_id = requiredString(*step, "id", kWhat);
    if (!step_id.ok()) return step_id.error();
    Result<std::string> step_state = requiredString(*step, "state", kWhat);
    if (!step_state.ok()) return step_state.error();
    step_view.id = *step_id;
    step_view.state = *step_state;
    step_view.at_risk = optionalBool(*step, "at_risk");
    step_view.breached = optionalBool(*step, "breached");
    step_view.budget_due_at = optionalString(*step, "budget_due_at");
    step_view.finished_at = optionalString(*step, "finished_at");
    view.steps.push_back(std::move(step_view));
  }
  return view;
}

Result<ApplicationPage> parseApplicationPage(std::string_view body) {
  constexpr std::string_view kWhat = "list";
  Result<Poco::JSON::Object::Ptr> parsed = parseAnswer(body, kWhat);
  if (!parsed.ok()) return parsed.error();
  Poco::JSON::Array::Ptr applications = json::arrayMember(**parsed, "applications");
  if (applications.isNull()) return corrupt(kWhat, "lacks the array \"applications\"");
  ApplicationPage page;
  for (size_t i = 0; i < applications->size(); ++i) {
    Poco::JSON::Object::Ptr item = applications->getObject(static_cast<unsigned>(i));
    if (item.isNull()) return corrupt(kWhat, "has an application that is not an object");
    ApplicationSummary summary;
    Result<std::string> id = requiredString(*item, "id", kWhat);
    if (!id.ok()) return id.error();
    summary.id = *id;
    summary.state = optionalString(*item, "state");
    summary.submitted_at = optionalString(*item, "submitted_at");
    summary.deadline = optionalString(*item, "deadline");
    summary.at_risk = optionalBool(*item, "at_risk");
    summary.breached = optionalBool(*item, "breached");
    page.applications.push_back(std::move(summary));
  }
  page.next_cursor = optionalString(**parsed, "next_cursor");
  return page;
}

Result<PersonRecord> parsePersonRecord(std::string_view body) {
  constexpr std::string_view kWhat = "people lookup";
  Result<Poco::JSON::Object::Ptr> parsed = parseAnswer(body, kWhat);
  if (!parsed.ok()) return parsed.error();
  PersonRecord person;
  Result<std::string> name = requiredString(**parsed, "name", kWhat);
  if (!name.ok()) return name.error();
  person.name = *name;
  person.sex = optionalString(**parsed, "sex");
  person.birth_date = optionalString(**parsed, "birth_date");
  person.address = optionalString(**parsed, "address");
  return person;
}

Result<NameCheckAnswer> parseNameCheckAnswer(std::string_view body) {
  constexpr std::string_view kWhat = "name check";
  Result<Poco::JSON::Object::Ptr> parsed = parseAnswer(body, kWhat);
  if (!parsed.ok()) return parsed.error();
  Result<std::string> result = requiredString(**parsed, "result", kWhat);
  if (!result.ok()) return result.error();
  if (*result != "available" && *result != "conflicting" && *result != "prohibited_word") {
    return corrupt(kWhat, "has an unknown result \"" + *result + "\"");
  }
  return NameCheckAnswer{*result, optionalString(**parsed, "detail")};
}

Result<SystemTime> parseHeartbeatAnswer(std::string_view body) {
  constexpr std::string_view kWhat = "heartbeat";
  Result<Poco::JSON::Object::Ptr> parsed = parseAnswer(body, kWhat);
  if (!parsed.ok()) return parsed.error();
  Result<std::string> text = requiredString(**parsed, "server_time", kWhat);
  if (!text.ok()) return text.error();
  Result<SystemTime> time = parseIso8601(*text);
  if (!time.ok()) return corrupt(kWhat, "has a malformed server_time");
  return *time;
}

std::string heartbeatBody(const HeartbeatReport& report) {
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("agent_version", report.agent_version);
  body.set("queue_depth", report.queue_depth);
  body.set("oldest_pending_seconds", report.oldest_pending_seconds);
  body.set("devices", toJson(std::span<const DeviceHealth>(report.devices)));
  return json::stringify(body);
}

std::string lookupBody(std::string_view id_number) {
  Poco::JSON::Object body;
  body.set("id_number", std::string(id_number));
  return json::stringify(body);
}

std::string nameCheckBody(std::string_view name, std::string_view division_code) {
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("name", std::string(name));
  body.set("division_code", std::string(division_code));
  return json::stringify(body);
}

Poco::JSON::Object::Ptr toJson(const ApplicationView& view) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  object->set("id", view.id);
  object->set("state", view.state);
  object->set("submitted_at", view.submitted_at);
  object->set("deadline", view.deadline);
  object->set("updated_at", view.updated_at);
  object->set("at_risk", view.at_risk);
  object->set("breached", view.breached);
  Poco::JSON::Array::Ptr attention = new Poco::JSON::Array;
  for (const std::string& sentence : view.attention) attention->add(sentence);
  object->set("attention", attention);
  Poco::JSON::Object::Ptr outputs = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [name, value] : view.outputs) outputs->set(name, value);
  object->set("outputs", outputs);
  Poco::JSON::Array::Ptr steps = new Poco::JSON::Array;
  for (const StepView& step : view.steps) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    item->set("id", step.id);
    item->set("state", step.state);
    item->set("at_risk", step.at_risk);
    item->set("breached", step.breached);
    item->set("budget_due_at", step.budget_due_at);
    item->set("finished_at", step.finished_at);
    steps->add(item);
  }
  object->set("steps", steps);
  return object;
}

Poco::JSON::Object::Ptr toJson(const PersonRecord& person) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  object->set("name", person.name);
  object->set("sex", person.sex);
  object->set("birth_date", person.birth_date);
  object->set("address", person.address);
  return object;
}

bool isSafeIdentifier(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    const bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
    if (!safe) return false;
  }
  return true;
}

}  // namespace kaiban::agent
