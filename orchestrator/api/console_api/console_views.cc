#include "orchestrator/api/console_api/console_views.h"

#include "Poco/JSON/Array.h"
#include "core/application_json.h"
#include "core/id_number.h"
#include "core/timestamp.h"
#include "orchestrator/engine/engine_json.h"

namespace kaiban::orchestrator::api {

namespace {

Poco::JSON::Object::Ptr object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

CivilDate civilToday(SystemTime now) {
  const std::chrono::year_month_day date = shanghaiDate(now);
  return CivilDate{static_cast<int>(date.year()), static_cast<int>(unsigned(date.month())),
                   static_cast<int>(unsigned(date.day()))};
}

// What the ID number itself tells about a person: whether it passes GB 11643 (check
// character, birth date, division), and then the birth date, sex and age on `today`.
Poco::JSON::Object::Ptr personJson(const Person& person, CivilDate today) {
  Poco::JSON::Object::Ptr json = object();
  json->set("name", person.name);
  json->set("id_number", person.id_number);
  json->set("phone", person.phone);
  Result<IdNumber> parsed = IdNumber::parse(person.id_number, today);
  json->set("id_number_valid", parsed.ok());
  if (parsed) {
    const CivilDate birth = parsed->birthDate();
    int age = today.year - birth.year;
    if (today.month < birth.month || (today.month == birth.month && today.day < birth.day)) {
      --age;
    }
    json->set("birth_date", birth.toString());
    json->set("sex", std::string(parsed->sex() == Sex::kMale ? "male" : "female"));
    json->set("age", age);
  }
  return json;
}

// What the kiosk reported about the legal representative's identity check. Only what it
// reported: a kiosk older than the identity_verification field is shown as not reporting,
// never as verified on the grounds that kiosks refuse to submit otherwise.
Poco::JSON::Object::Ptr identityJson(const ApplicationStatus& status,
                                     const Application& application) {
  Poco::JSON::Object::Ptr identity = object();
  identity->set("source", std::string("id_card_chip"));
  identity->set("kiosk_id", status.kiosk_id);
  identity->set("reported", application.identity_verification.has_value());
  if (!application.identity_verification) return identity;
  const IdentityVerification& verification = *application.identity_verification;
  const bool face = verification.method == VerificationMethod::kFace;
  identity->set("method", std::string(toString(verification.method)));
  identity->set("match_score",
                face ? Poco::Dynamic::Var(verification.match_score) : Poco::Dynamic::Var());
  identity->set("liveness_passed",
                face ? Poco::Dynamic::Var(verification.liveness_passed) : Poco::Dynamic::Var());
  identity->set("staff_verifier", verification.staff_verifier);
  identity->set("reference", verification.reference);
  identity->set("verified_at", formatIso8601(verification.verified_at));
  return identity;
}

Poco::JSON::Array::Ptr historyJson(const std::vector<EventRecord>& history) {
  Poco::JSON::Array::Ptr events = new Poco::JSON::Array;
  for (const EventRecord& event : history) events->add(toJson(event));
  return events;
}

}  // namespace

std::vector<BeneficialOwner> beneficialOwners(const Application& application) {
  std::vector<BeneficialOwner> owners;
  const int64_t capital = application.enterprise.registered_capital.minorUnits();
  if (capital > 0) {
    for (const Shareholder& holder : application.shareholders) {
      const double share = double(holder.contribution.minorUnits()) / double(capital);
      if (share >= kBeneficialOwnerShare) {
        owners.push_back(
            BeneficialOwner{holder.person.name, holder.person.id_number, share, "ownership"});
      }
    }
  }
  if (owners.empty()) {
    const Person& rep = application.legal_representative;
    double share = 0;
    for (const Shareholder& holder : application.shareholders) {
      if (holder.person.id_number == rep.id_number && capital > 0) {
        share = double(holder.contribution.minorUnits()) / double(capital);
      }
    }
    owners.push_back(BeneficialOwner{rep.name, rep.id_number, share, "senior_manager"});
  }
  return owners;
}

std::string maskIdNumber(std::string_view id_number) {
  if (id_number.size() <= 8) return std::string(id_number.size(), '*');
  return std::string(id_number.substr(0, 4)) + std::string(id_number.size() - 8, '*') +
         std::string(id_number.substr(id_number.size() - 4));
}

Poco::JSON::Object::Ptr kycJson(const ApplicationStatus& status, const Application& application,
                                const std::vector<EventRecord>& history) {
  const CivilDate today = civilToday(status.updated_at);
  Poco::JSON::Object::Ptr form = toJson(application);

  Poco::JSON::Object::Ptr enterprise = form->getObject("enterprise");
  const auto output = [&](std::string_view key) {
    auto found = status.outputs.find(key);
    return found == status.outputs.end() ? std::string() : found->second;
  };
  enterprise->set("uscc", output(adapters::output::kUscc));
  enterprise->set("licence_ref", output(adapters::output::kLicenceRef));

  Poco::JSON::Object::Ptr representative = personJson(application.legal_representative, today);
  representative->set("identity", identityJson(status, application));

  Poco::JSON::Array::Ptr shareholders = new Poco::JSON::Array;
  const int64_t capital = application.enterprise.registered_capital.minorUnits();
  for (const Shareholder& holder : application.shareholders) {
    Poco::JSON::Object::Ptr json = personJson(holder.person, today);
    json->set("contribution", holder.contribution.formatYuan());
    json->set("share",
              capital > 0 ? double(holder.contribution.minorUnits()) / double(capital) : 0.0);
    shareholders->add(json);
  }
  Poco::JSON::Array::Ptr owners = new Poco::JSON::Array;
  for (const BeneficialOwner& owner : beneficialOwners(application)) {
    Poco::JSON::Object::Ptr json = object();
    json->set("name", owner.name);
    json->set("id_number", owner.id_number);
    json->set("share", owner.share);
    json->set("basis", owner.basis);
    owners->add(json);
  }

  Poco::JSON::Object::Ptr kyc = object();
  kyc->set("enterprise", enterprise);
  kyc->set("legal_representative", representative);
  kyc->set("shareholders", shareholders);
  kyc->set("beneficial_owners", owners);
  kyc->set("supervisor", application.supervisor
                             ? Poco::Dynamic::Var(personJson(*application.supervisor, today))
                             : Poco::Dynamic::Var());
  kyc->set("finance_officer",
           application.finance_officer
               ? Poco::Dynamic::Var(personJson(*application.finance_officer, today))
               : Poco::Dynamic::Var());
  kyc->set("contact_phone", application.contact_phone);
  kyc->set("seal", form->get("seal"));
  kyc->set("tax", form->get("tax"));

  Poco::JSON::Object::Ptr view = object();
  view->set("application", toJson(status));
  view->set("kyc", kyc);
  view->set("history", historyJson(history));
  return view;
}

Poco::JSON::Object::Ptr operatorApplicationJson(const ApplicationStatus& status,
                                                const std::vector<EventRecord>& history) {
  ApplicationStatus visible = status;
  visible.outputs.clear();
  auto uscc = status.outputs.find(adapters::output::kUscc);
  if (uscc != status.outputs.end()) visible.outputs.emplace(uscc->first, uscc->second);
  for (StepStatus& step : visible.steps) {
    step.outputs.clear();
    step.message_id.clear();
    step.partner_reference.clear();
  }
  Poco::JSON::Object::Ptr view = object();
  view->set("application", toJson(visible));
  view->set("history", historyJson(history));
  return view;
}

}  // namespace kaiban::orchestrator::api
