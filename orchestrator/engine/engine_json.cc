#include "orchestrator/engine/engine_json.h"

#include <Poco/JSON/Parser.h>

#include "core/application_json.h"
#include "core/timestamp.h"

namespace kaiban::orchestrator {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr object() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

void setTime(Object& json, const std::string& key, const std::optional<SystemTime>& time) {
  if (time) {
    json.set(key, formatIso8601(*time));
  } else {
    json.set(key, Poco::Dynamic::Var());
  }
}

Object::Ptr outputsJson(const adapters::Outputs& outputs) {
  Object::Ptr json = object();
  for (const auto& [key, value] : outputs) json->set(key, value);
  return json;
}

Array::Ptr strings(const std::vector<std::string>& values) {
  Array::Ptr json = new Array;
  for (const std::string& value : values) json->add(value);
  return json;
}

}  // namespace

Object::Ptr toJson(const SubmitResult& result) {
  Object::Ptr json = object();
  if (!result.accepted()) {
    json->set("problems", problemsJson(result.problems));
    return json;
  }
  json->set("application_id", result.application_id);
  json->set("created", result.created);
  json->set("state", std::string(toString(result.state)));
  json->set("deadline", formatIso8601(result.deadline));
  json->set("flow_version", result.flow_version);
  return json;
}

Object::Ptr toJson(const ApplicationStatus& status) {
  Object::Ptr json = object();
  json->set("id", status.id);
  json->set("kiosk_id", status.kiosk_id);
  json->set("bank_code", status.bank_code);
  json->set("district", status.district);
  json->set("flow_version", status.flow_version);
  json->set("state", std::string(toString(status.state)));
  json->set("green_channel", status.green_channel);
  json->set("submitted_at", formatIso8601(status.submitted_at));
  json->set("deadline", formatIso8601(status.deadline));
  json->set("updated_at", formatIso8601(status.updated_at));
  json->set("at_risk", status.at_risk);
  json->set("breached", status.breached);
  json->set("version", status.version);
  json->set("attention", strings(status.attention));
  json->set("outputs", outputsJson(status.outputs));
  Array::Ptr steps = new Array;
  for (const StepStatus& step : status.steps) {
    Object::Ptr s = object();
    s->set("id", step.id);
    s->set("adapter", step.adapter);
    s->set("depends_on", strings(step.depends_on));
    s->set("state", std::string(toString(step.state)));
    s->set("attempts", step.attempts);
    s->set("revision", step.revision);
    s->set("message_id", step.message_id);
    setTime(*s, "ready_at", step.ready_at);
    setTime(*s, "dispatched_at", step.dispatched_at);
    setTime(*s, "budget_due_at", step.budget_due_at);
    setTime(*s, "finished_at", step.finished_at);
    s->set("at_risk", step.at_risk);
    s->set("breached", step.breached);
    s->set("failure", std::string(toString(step.failure)));
    s->set("reason_code", step.reason_code);
    s->set("reason", step.reason);
    s->set("partner_reference", step.partner_reference);
    s->set("outputs", outputsJson(step.outputs));
    if (step.human_task) {
      Object::Ptr task = object();
      task->set("kind", step.human_task->kind);
      task->set("role", step.human_task->role);
      task->set("state", std::string(toString(step.human_task->state)));
      task->set("decided_by", step.human_task->decided_by);
      task->set("reason", step.human_task->reason);
      task->set("opened_at", formatIso8601(step.human_task->opened_at));
      setTime(*task, "decided_at", step.human_task->decided_at);
      s->set("human_task", task);
    } else {
      s->set("human_task", Poco::Dynamic::Var());
    }
    steps->add(s);
  }
  json->set("steps", steps);
  return json;
}

Object::Ptr toJson(const ApplicationList& list) {
  Object::Ptr json = object();
  Array::Ptr applications = new Array;
  for (const ApplicationSummary& summary : list.applications) {
    Object::Ptr a = object();
    a->set("id", summary.id);
    a->set("kiosk_id", summary.kiosk_id);
    a->set("bank_code", summary.bank_code);
    a->set("district", summary.district);
    a->set("flow_version", summary.flow_version);
    a->set("state", std::string(toString(summary.state)));
    a->set("green_channel", summary.green_channel);
    a->set("submitted_at", formatIso8601(summary.submitted_at));
    a->set("deadline", formatIso8601(summary.deadline));
    a->set("updated_at", formatIso8601(summary.updated_at));
    a->set("at_risk", summary.at_risk);
    a->set("breached", summary.breached);
    applications->add(a);
  }
  json->set("applications", applications);
  json->set("next_cursor", list.next_cursor);
  return json;
}

Object::Ptr toJson(const EventRecord& event) {
  Object::Ptr json = object();
  json->set("seq", event.seq);
  json->set("application_id", event.application_id);
  if (event.step_id.empty()) {
    json->set("step", Poco::Dynamic::Var());
  } else {
    json->set("step", event.step_id);
  }
  json->set("type", event.type);
  json->set("actor", event.actor);
  json->set("at", formatIso8601(event.at));
  // The engine writes details as JSON objects; anything else (a hand-edited row) is passed
  // on as text rather than dropped.
  try {
    Poco::JSON::Parser parser;
    json->set("detail", parser.parse(event.detail));
  } catch (const Poco::Exception&) {
    json->set("detail", event.detail);
  }
  return json;
}

Object::Ptr eventsToJson(const std::vector<EventRecord>& events, int64_t since) {
  Object::Ptr json = object();
  Array::Ptr list = new Array;
  int64_t last = since;
  for (const EventRecord& event : events) {
    list->add(toJson(event));
    last = event.seq;
  }
  json->set("events", list);
  json->set("next_since", last);
  return json;
}

Object::Ptr toJson(const HumanTaskView& view) {
  Object::Ptr json = object();
  json->set("application_id", view.application_id);
  json->set("bank_code", view.bank_code);
  json->set("kiosk_id", view.kiosk_id);
  json->set("district", view.district);
  json->set("application_state", std::string(toString(view.application_state)));
  json->set("step", view.task.step_id);
  json->set("kind", view.task.kind);
  json->set("role", view.task.role);
  json->set("state", std::string(toString(view.task.state)));
  json->set("decided_by", view.task.decided_by);
  json->set("reason", view.task.reason);
  json->set("opened_at", formatIso8601(view.task.opened_at));
  setTime(*json, "decided_at", view.task.decided_at);
  return json;
}

}  // namespace kaiban::orchestrator
