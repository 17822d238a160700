#include "orchestrator/api/kiosk_api/kiosk_views.h"

#include <Poco/JSON/Array.h>

#include <array>
#include <optional>

#include "core/timestamp.h"
#include "orchestrator/api/kiosk_api/kiosk_requests.h"

namespace kaiban::orchestrator::api {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr size_t kVisibleAccountDigits = 4;

// A whitelist, not a blacklist: an output a later flow adds stays hidden until someone decides
// the applicant may see it.
constexpr std::array<std::string_view, 6> kApplicantOutputs = {
    adapters::output::kUscc,          adapters::output::kLicenceRef,
    adapters::output::kSealCodes,     adapters::output::kTaxpayerId,
    adapters::output::kAccountNumber, adapters::output::kAgreementRef};

Object::Ptr object() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

void setTime(Object& json, const std::string& key, const std::optional<SystemTime>& time) {
  if (time) {
    json.set(key, formatIso8601(*time));
  } else {
    json.set(key, Poco::Dynamic::Var());
  }
}

}  // namespace

std::string maskAccountNumber(std::string_view number) {
  if (number.size() <= kVisibleAccountDigits) return std::string(number.size(), '*');
  return "****" + std::string(number.substr(number.size() - kVisibleAccountDigits));
}

Object::Ptr applicantOutputsJson(const adapters::Outputs& outputs) {
  Object::Ptr json = object();
  for (std::string_view key : kApplicantOutputs) {
    auto found = outputs.find(key);
    if (found == outputs.end()) continue;
    json->set(std::string(key), key == adapters::output::kAccountNumber
                                    ? maskAccountNumber(found->second)
                                    : found->second);
  }
  return json;
}

Object::Ptr applicantStatusJson(const ApplicationStatus& status) {
  Object::Ptr json = object();
  json->set("id", status.id);
  json->set("state", std::string(toString(status.state)));
  json->set("green_channel", status.green_channel);
  json->set("submitted_at", formatIso8601(status.submitted_at));
  json->set("deadline", formatIso8601(status.deadline));
  json->set("updated_at", formatIso8601(status.updated_at));
  json->set("at_risk", status.at_risk);
  json->set("breached", status.breached);
  Array::Ptr attention = new Array;
  for (const std::string& sentence : status.attention) attention->add(sentence);
  json->set("attention", attention);
  json->set("outputs", applicantOutputsJson(status.outputs));
  Array::Ptr steps = new Array;
  for (const StepStatus& step : status.steps) {
    Object::Ptr s = object();
    s->set("id", step.id);
    s->set("state", std::string(toString(step.state)));
    s->set("at_risk", step.at_risk);
    s->set("breached", step.breached);
    setTime(*s, "budget_due_at", step.budget_due_at);
    setTime(*s, "finished_at", step.finished_at);
    s->set("outputs", applicantOutputsJson(step.outputs));
    if (step.human_task) {
      Object::Ptr task = object();
      task->set("kind", step.human_task->kind);
      task->set("state", std::string(toString(step.human_task->state)));
      s->set("human_task", task);
    } else {
      s->set("human_task", Poco::Dynamic::Var());
    }
    steps->add(s);
  }
  json->set("steps", steps);
  return json;
}

Object::Ptr applicantListJson(const ApplicationList& list) {
  Object::Ptr json = object();
  Array::Ptr applications = new Array;
  for (const ApplicationSummary& summary : list.applications) {
    Object::Ptr a = object();
    a->set("id", summary.id);
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
  json->set("next_cursor", kioskCursor(list.next_cursor));
  return json;
}

Object::Ptr personJson(const adapters::PersonRecord& person) {
  Object::Ptr json = object();
  json->set("name", person.name);
  json->set("sex", person.sex);
  json->set("birth_date", person.birth_date);
  json->set("address", person.address);
  return json;
}

Object::Ptr nameCheckJson(const adapters::NameCheck& check) {
  Object::Ptr json = object();
  switch (check.verdict) {
    case adapters::NameVerdict::kAvailable:
      json->set("result", std::string("available"));
      break;
    case adapters::NameVerdict::kConflicting:
      json->set("result", std::string("conflicting"));
      break;
    case adapters::NameVerdict::kProhibitedWord:
      json->set("result", std::string("prohibited_word"));
      break;
  }
  json->set("detail", check.detail);
  return json;
}

}  // namespace kaiban::orchestrator::api
