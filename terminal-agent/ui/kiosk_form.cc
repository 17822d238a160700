#include "terminal-agent/ui/kiosk_form.h"

#include <set>

#include "core/application_json.h"
#include "terminal-agent/link/json_text.h"

namespace kaiban::agent {

namespace {

const std::set<std::string> kFormMembers = {"green_channel", "enterprise", "legal_representative",
                                            "shareholders",  "supervisor", "finance_officer",
                                            "contact_phone", "seal",       "tax"};

Poco::JSON::Object::Ptr applicantPerson(const IdCardData& card, const std::string& phone) {
  Poco::JSON::Object::Ptr person = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  person->set("id_number", card.id_number);
  person->set("name", card.name);
  person->set("phone", phone);
  return person;
}

bool isSelf(const Poco::JSON::Object& object) {
  return json::boolMember(object, "self").value_or(false);
}

// A copy of `source[key]`, which must be a JSON object when present and not null.
Result<Poco::JSON::Object::Ptr> objectOrError(const Poco::JSON::Object& source,
                                              const std::string& key) {
  if (!source.has(key) || source.isNull(key)) return Poco::JSON::Object::Ptr();
  if (!source.isObject(key)) return Error::invalidInput("must be an object", key);
  return source.getObject(key);
}

}  // namespace

Result<Application> applicationFromKioskForm(const Poco::JSON::Object& form,
                                             const FormContext& context) {
  for (const auto& [name, value] : form) {
    if (!kFormMembers.contains(name)) return Error::invalidInput("unknown field", name);
  }
  Poco::JSON::Object application(Poco::JSON_PRESERVE_KEY_ORDER);
  application.set("kiosk_id", context.kiosk_id);
  application.set("bank_code", context.bank_code);
  if (form.has("green_channel")) application.set("green_channel", form.get("green_channel"));
  if (form.has("enterprise")) application.set("enterprise", form.get("enterprise"));

  Result<Poco::JSON::Object::Ptr> representative = objectOrError(form, "legal_representative");
  if (!representative.ok()) return representative.error();
  std::string phone;
  if (*representative) {
    for (const auto& [name, value] : **representative) {
      if (name != "phone")
        return Error::invalidInput("unknown field", "legal_representative." + name);
    }
    if ((*representative)->has("phone") && !(*representative)->isNull("phone")) {
      std::optional<std::string> text = json::stringMember(**representative, "phone");
      if (!text) return Error::invalidInput("must be a string", "legal_representative.phone");
      phone = *text;
    }
  }
  application.set("legal_representative", applicantPerson(context.applicant, phone));

  if (form.has("shareholders")) {
    Poco::JSON::Array::Ptr given = json::arrayMember(form, "shareholders");
    if (given.isNull()) return Error::invalidInput("must be an array", "shareholders");
    Poco::JSON::Array::Ptr shareholders = new Poco::JSON::Array;
    for (size_t i = 0; i < given->size(); ++i) {
      const std::string path = "shareholders[" + std::to_string(i) + "]";
      Poco::JSON::Object::Ptr entry = given->getObject(static_cast<unsigned>(i));
      if (entry.isNull()) return Error::invalidInput("must be an object", path);
      if (!isSelf(*entry)) {
        shareholders->add(entry);
        continue;
      }
      Poco::JSON::Object::Ptr self = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
      for (const auto& [name, value] : *entry) {
        if (name == "self") continue;
        if (name != "contribution") return Error::invalidInput("unknown field", path + "." + name);
        self->set(name, value);
      }
      self->set("person", applicantPerson(context.applicant, ""));
      shareholders->add(self);
    }
    application.set("shareholders", shareholders);
  } else {
    application.set("shareholders", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
  }

  if (form.has("supervisor")) application.set("supervisor", form.get("supervisor"));
  Result<Poco::JSON::Object::Ptr> finance = objectOrError(form, "finance_officer");
  if (!finance.ok()) return finance.error();
  if (*finance && isSelf(**finance)) {
    if ((*finance)->size() != 1) {
      return Error::invalidInput("\"self\" stands alone", "finance_officer");
    }
    application.set("finance_officer", applicantPerson(context.applicant, phone));
  } else if (*finance) {
    application.set("finance_officer", *finance);
  }
  for (const char* member : {"contact_phone", "seal", "tax"}) {
    if (form.has(member)) application.set(member, form.get(member));
  }
  return applicationFromJson(application);
}

Poco::JSON::Array::Ptr formErrorJson(const Error& error) {
  Poco::JSON::Object::Ptr problem = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  problem->set("field", error.field);
  problem->set("key", "form.invalid");
  problem->set("zh", "此项格式不正确，请检查后重新填写");
  problem->set("en", "This entry is not in the expected form: " + error.message);
  Poco::JSON::Array::Ptr problems = new Poco::JSON::Array;
  problems->add(problem);
  return problems;
}

}  // namespace kaiban::agent
